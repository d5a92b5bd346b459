"""The flow (who acts next) and the FSM (the prescribed sequence) must agree on every path."""

from viewflow import this
from viewflow.workflow import flow

from review_process.models import ReviewState
from workflows.consistency import check_flow_against_fsm
from workflows.flows import ReviewFlow, ReviewStep
from workflows.models import ReviewProcess


def test_review_flow_agrees_with_the_state_machine():
    assert check_flow_against_fsm(ReviewFlow) == []


class SkippingFlow(flow.Flow):
    """Skips the conference stage: circulate, then straight to guidance."""

    process_class = ReviewProcess
    start = flow.StartHandle().Next(this.circulate_draft)
    circulate_draft = ReviewStep("circulate_draft").Next(this.give_guidance)
    give_guidance = ReviewStep("give_guidance").Next(this.end)
    end = flow.End()


class WrongBranchFlow(flow.Flow):
    """Routes an approved review back to finalisation instead of closing it."""

    process_class = ReviewProcess
    start = flow.StartHandle().Next(this.circulate_draft)
    circulate_draft = ReviewStep("circulate_draft").Next(this.close_opinions)
    close_opinions = ReviewStep("close_opinions").Next(this.give_guidance)
    give_guidance = ReviewStep("give_guidance").Next(this.submit_assessment)
    submit_assessment = ReviewStep("submit_assessment").Next(this.decide)
    decide = ReviewStep("approve").Next(this.check)
    check = (
        flow.If(lambda a: a.process.coerced.review.state == ReviewState.APPROVED)
        .Then(this.submit_assessment)
        .Else(this.close)
    )
    close = ReviewStep("close").Next(this.end)
    end = flow.End()


def test_a_flow_that_skips_a_stage_is_reported():
    errors = check_flow_against_fsm(SkippingFlow)
    assert any("give_guidance: offers ['give_guidance'] at state 'collecting_opinions'" in e for e in errors)
    assert any("FSM transitions no task runs" in e and "'close_opinions'" in e for e in errors)
    assert any("states no path of the flow reaches" in e and "'awaiting_guidance'" in e for e in errors)


def test_a_decision_task_missing_return_and_a_wrong_branch_are_reported():
    errors = check_flow_against_fsm(WrongBranchFlow)
    assert any("decide: offers ['approve'] at state 'submitted'" in e for e in errors)
    assert any("submit_assessment: offers ['submit_assessment'] at state 'approved'" in e for e in errors)
    assert any("FSM transitions no task runs: ['close', 'return_for_revision']" in e for e in errors)
