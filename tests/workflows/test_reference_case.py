"""The Đức Giang 2021 reference case, walked from draft to closed through the services."""

import pytest
from viewflow.workflow.status import PROCESS, STATUS

from review_process.audit import verify_chain
from review_process.models import AuditEvent
from workflows.models import ReviewProcess

pytestmark = pytest.mark.django_db


def test_reference_case_walks_from_draft_to_closed_with_one_event_per_action(walker, people):
    review = walker.open()
    assert review.state == "draft"
    expected = [("review.opened", "pvhung", "secretary")]

    review = walker.step(review)
    expected += [
        ("review.report_version.added", "pvhung", "secretary"),
        ("review.transition.circulate_draft", "pvhung", "secretary"),
    ]
    assert review.state == "collecting_opinions"

    review = walker.step(review)
    expected += [
        ("review.opinion.added", "tvminh", "committee_member"),
        ("review.conference.recorded", "pvhung", "secretary"),
        ("review.opinion.added", "pvhung", "secretary"),
        ("review.transition.close_opinions", "pvhung", "secretary"),
    ]
    assert review.state == "awaiting_guidance"

    review = walker.step(review)
    expected += [
        ("review.guidance.added", "vtthan", "organization_board"),
        ("review.transition.give_guidance", "vtthan", "organization_board"),
    ]
    assert review.state == "finalizing"

    review = walker.step(review)
    expected += [
        ("review.opinion.responded", "pvhung", "secretary"),
        ("review.opinion.responded", "pvhung", "secretary"),
        ("review.report_version.added", "pvhung", "secretary"),
        ("review.self_assessment.set", "pvhung", "secretary"),
        ("review.transition.submit_assessment", "pvhung", "secretary"),
    ]
    assert review.state == "submitted"

    review = walker.step(review)
    expected += [
        ("review.decision.set", "lqvinh", "standing_committee"),
        ("review.transition.approve", "lqvinh", "standing_committee"),
    ]
    assert review.state == "approved"

    review = walker.step(review)
    expected += [
        ("review.notification.recorded", "vtthan", "organization_board"),
        ("review.remedial_plan.filed", "pvhung", "secretary"),
        ("review.transition.close", "vtthan", "organization_board"),
    ]
    assert review.state == "closed"

    events = list(AuditEvent.objects.filter(review=review).select_related("actor").order_by("sequence"))
    assert [(e.action, e.actor.username, e.actor_role) for e in events] == expected
    assert all(e.occurred_at is not None for e in events)
    assert [e.sequence for e in events] == list(range(1, len(expected) + 1))
    times = [e.occurred_at for e in events]
    assert times == sorted(times)
    transitions = [(e.from_state, e.to_state) for e in events if e.action.startswith("review.transition.")]
    assert transitions == [
        ("draft", "collecting_opinions"),
        ("collecting_opinions", "awaiting_guidance"),
        ("awaiting_guidance", "finalizing"),
        ("finalizing", "submitted"),
        ("submitted", "approved"),
        ("approved", "closed"),
    ]
    assert verify_chain().intact

    process = ReviewProcess.objects.get(review=review)
    assert process.status == PROCESS.DONE
    done = [t.flow_task.name for t in process.task_set.filter(status=STATUS.DONE).order_by("created", "pk")]
    assert done == [
        "start",
        "circulate_draft",
        "close_opinions",
        "give_guidance",
        "submit_assessment",
        "decide",
        "check_decision",
        "close",
        "end",
    ]
    assert process.task_set.exclude(status=STATUS.DONE).count() == 0
