"""The task layer: who must act next on a review.

The order of stages lives in the review's state machine (review_process.models.Review); each human
task here runs exactly the FSM transition(s) it names, through workflows.services.review_transition.
tests/workflows/test_consistency.py walks every path of this flow and replays it on the FSM.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from permissions.roles import review_codename
from review_process.access import may
from review_process.models import ReviewState
from workflows.models import ReviewProcess
from workflows.registry import register
from workflows.task_writes import DecisionActivation, ReviewStepActivation
from workflows.views import ReviewTransitionView


def _review_of(process):
    """The review of a task's process (viewflow passes the un-coerced base Process here)."""
    return process.coerced.review


class ReviewStep(flow.View):
    """A human task that runs one of ``transitions`` on the review.

    Assignment is by object permission only (guardian rows for this review): the model-wide fallback of
    viewflow's default ``can_assign`` is not used.  Its task is created and completed by compiled statements
    (``workflows.task_writes``: the rows viewflow writes).
    """

    activation_class = ReviewStepActivation

    def __init__(self, *transitions: str, **kwargs):
        self.transitions = transitions
        super().__init__(ReviewTransitionView.as_view(transitions=transitions), **kwargs)
        self.Permission(f"review_process.{review_codename(transitions[0])}", obj=_review_of)

    def can_assign(self, user, task) -> bool:
        if task.owner_id or user is None or not user.is_authenticated:
            return False
        review = _review_of(task.process)
        return any(may(user, review, name) for name in self.transitions)

    def can_execute(self, user, task) -> bool:
        return task.owner_id is not None and task.owner_id == getattr(user, "pk", None)


@register("individual")  # the same stages, with guards of its own (review_process.guards.KIND_GUARDS)
@register("collective")
class ReviewFlow(flow.Flow):
    """Annual collective review (kiểm điểm tập thể)."""

    process_class = ReviewProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("Annual collective review")
    process_description = _("Draft, opinions, conference and guidance, final report, rating, notification.")

    start = flow.StartHandle(this.start_review).Next(this.circulate_draft)

    circulate_draft = (
        ReviewStep("circulate_draft").Annotation(title=_("Circulate the draft report")).Next(this.close_opinions)
    )
    close_opinions = (
        ReviewStep("close_opinions")
        .Annotation(title=_("Hold the conference and close opinions"))
        .Next(this.give_guidance)
    )
    give_guidance = (
        ReviewStep("give_guidance").Annotation(title=_("Give the superior's guidance")).Next(this.submit_assessment)
    )
    submit_assessment = (
        ReviewStep("submit_assessment")
        .Annotation(title=_("Finalise the report and submit the self-assessment"))
        .Next(this.decide)
    )
    decide = (
        ReviewStep("approve", "return_for_revision").Annotation(title=_("Decide the rating")).Next(this.check_decision)
    )
    check_decision = (
        flow.If(
            lambda activation: activation.process.coerced.review.state == ReviewState.APPROVED,
            activation_class=DecisionActivation,
        )
        .Annotation(title=_("Approved?"))
        .Then(this.close)
        .Else(this.submit_assessment)
    )
    close = ReviewStep("close").Annotation(title=_("Notify results and close")).Next(this.end)
    end = flow.End()

    def start_review(self, activation, review):
        activation.process.review = review
        activation.process.save()
        return activation.process

    def has_view_permission(self, user, obj=None) -> bool:
        """Row-level: a process is visible only to those who may see its review."""
        if not user.is_authenticated:
            return False
        if obj is None:
            return True
        return may(user, _review_of(obj), "view")

    def has_manage_permission(self, user, obj=None) -> bool:
        """Nobody manages reviews through viewflow's own actions (cancel, undo, reassign, revive): a transition
        runs only through workflows.services.review_transition, and superuser or staff flags give no power over
        reviews (the role table alone decides)."""
        return False
