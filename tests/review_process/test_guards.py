"""Each guard makes its transition impossible with a clear message, and the refusal changes nothing."""

import datetime

import pytest
import time_machine
from django.utils import translation

from review_process.errors import Conflict, InvalidInput, NotFound
from review_process.models import AuditEvent, Review
from review_process.services import records
from workflows.services import review_transition

pytestmark = pytest.mark.django_db


def refused(review, name, user, code, reason=""):
    before = (Review.objects.get(pk=review.pk).state, AuditEvent.objects.filter(review=review).count())
    with pytest.raises((Conflict, InvalidInput)) as error:
        review_transition(review=review, name=name, by=user, reason=reason)
    assert error.value.code == code
    assert str(error.value)  # a human message
    assert (Review.objects.get(pk=review.pk).state, AuditEvent.objects.filter(review=review).count()) == before
    return error.value


def test_no_draft_report_means_no_circulation(walker, people):
    review = walker.open()
    error = refused(review, "circulate_draft", people.secretary, "no_draft_report")
    with translation.override("en"):
        assert "draft report" in str(error.message)


def test_conference_must_be_recorded_as_held_before_closing_opinions(walker, people):
    review = walker.to_state("collecting_opinions")
    refused(review, "close_opinions", people.secretary, "conference_not_held")


def test_a_conference_dated_in_the_future_is_refused_not_recorded_as_not_held(walker, people):
    review = walker.to_state("collecting_opinions")
    with time_machine.travel(datetime.datetime(2021, 11, 20, 12, tzinfo=datetime.UTC)):
        with pytest.raises(InvalidInput) as error:
            walker.prepare_collecting_opinions(review)
        assert (error.value.code, error.value.field) == ("date_in_future", "held_at")
        refused(review, "close_opinions", people.secretary, "conference_not_held")
    walker.prepare(review)
    assert review_transition(review=review, name="close_opinions", by=people.secretary).state == "awaiting_guidance"


def test_no_guidance_text_means_no_guidance_step(walker, people):
    review = walker.to_state("awaiting_guidance")
    refused(review, "give_guidance", people.board, "no_guidance")


@pytest.mark.parametrize(
    ("missing", "code"),
    [("response", "opinions_unanswered"), ("final", "no_final_report"), ("rating", "no_proposed_rating")],
)
def test_submission_needs_answers_a_final_report_after_guidance_and_a_rating(walker, people, missing, code):
    review = walker.to_state("finalizing")
    opinions = list(review.opinions.all())
    for opinion in opinions[: -1 if missing == "response" else None]:
        records.opinion_respond(review=review, by=people.secretary, opinion_id=opinion.pk, decision="accepted")
    if missing != "final":
        records.report_version_add(review=review, by=people.secretary, text="Bản hoàn chỉnh", is_final=True)
    if missing != "rating":
        records.self_assessment_set(review=review, by=people.secretary, proposed_rating="good", justification="Căn cứ")
    refused(review, "submit_assessment", people.secretary, code)


def test_a_final_version_written_before_the_guidance_does_not_count(walker, people):
    review = walker.to_state("collecting_opinions")
    with time_machine.travel(datetime.datetime(2021, 11, 25, 9, tzinfo=datetime.UTC)):
        records.report_version_add(review=review, by=people.secretary, text="Bản cuối quá sớm", is_final=True)
    review = walker.step(review)  # the conference, close_opinions
    review = walker.step(review)  # guidance, give_guidance
    for opinion in review.opinions.all():
        records.opinion_respond(
            review=review, by=people.secretary, opinion_id=opinion.pk, decision="explained", note="Đã giải trình"
        )
    records.self_assessment_set(review=review, by=people.secretary, proposed_rating="good", justification="Căn cứ")
    refused(review, "submit_assessment", people.secretary, "no_final_report")


def test_no_final_rating_means_no_approval(walker, people):
    review = walker.to_state("submitted")
    refused(review, "approve", people.standing, "no_final_rating")


def test_return_and_cancel_need_a_reason(walker, people):
    review = walker.to_state("submitted")
    error = refused(review, "return_for_revision", people.standing, "reason_required", reason="   ")
    assert error.field == "reason"
    refused(review, "cancel", people.standing, "reason_required")


def test_closing_needs_the_notification(walker, people):
    review = walker.to_state("approved")
    refused(review, "close", people.board, "notification_missing")


def test_return_for_revision_goes_back_to_finalizing_and_the_flow_follows(walker, people):
    review = walker.to_state("submitted", prepared=True)
    review = review_transition(review=review, name="return_for_revision", by=people.standing, reason="Bổ sung số liệu")
    assert review.state == "finalizing"
    assert review.submitted_by is None
    event = AuditEvent.objects.filter(review=review).order_by("-sequence").first()
    assert (event.action, event.payload["reason"], event.actor_role) == (
        "review.transition.return_for_revision",
        "Bổ sung số liệu",
        "standing_committee",
    )
    # The final version filed before the return still post-dates the guidance, so it can be re-submitted.
    review = review_transition(review=review, name="submit_assessment", by=people.secretary)
    assert review.state == "submitted"
    review = review_transition(review=review, name="approve", by=people.standing)
    assert review.state == "approved"


def test_cancel_ends_the_process_and_leaves_no_open_task(walker, people):
    from viewflow.workflow.status import PROCESS, STATUS

    from workflows.models import ReviewProcess

    review = walker.to_state("awaiting_guidance")
    review = review_transition(review=review, name="cancel", by=people.standing, reason="Sáp nhập đơn vị")
    assert (review.state, review.cancel_reason) == ("cancelled", "Sáp nhập đơn vị")
    process = ReviewProcess.objects.get(review=review)
    assert process.status == PROCESS.CANCELED
    assert not process.task_set.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]).exists()


def test_unknown_transition_and_unknown_review_are_clear_errors(walker, people):
    review = walker.open()
    with pytest.raises(NotFound) as error:
        review_transition(review=review, name="publish", by=people.secretary)
    assert error.value.code == "unknown_transition"
    with pytest.raises(NotFound) as error:
        review_transition(review=999999, name="circulate_draft", by=people.secretary)
    assert error.value.code == "not_found"


def test_transition_from_the_wrong_state_is_a_conflict_naming_the_stage(walker, people):
    review = walker.open()
    with translation.override("en"):
        error = refused(review, "close_opinions", people.secretary, "invalid_state")
        assert "Draft" in str(error)
