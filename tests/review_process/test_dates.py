"""Events carry the day they happened (``occurred_on``): never after today, in the procedure's order; a review's
year lies between 2018 and the current one; the procedure's tail (closing needs the notification and the plan)."""

import datetime

import pytest
import time_machine

from review_process import dates
from review_process.errors import Conflict, InvalidInput
from review_process.models import AuditEvent, Conference, Review
from review_process.services import records
from tests.conftest import CONFERENCE_AT, WALK_SCHEDULE
from workflows.services import review_open, review_transition

pytestmark = pytest.mark.django_db

D = datetime.date


def refusal(call, **kwargs):
    with pytest.raises((InvalidInput, Conflict)) as error:
        call(**kwargs)
    return error.value


def test_a_step_dated_after_today_is_refused(walker, people, english):
    review = walker.to_state("draft", prepared=True)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    error = refusal(review_transition, review=review, name="circulate_draft", by=people.secretary, occurred_on=tomorrow)
    assert (error.code, error.field) == ("date_in_future", "occurred_on")
    assert error.message == (
        f"The circulation of the draft cannot be dated {tomorrow:%d/%m/%Y}: that is after today "
        f"({datetime.date.today():%d/%m/%Y})."
    )
    assert Review.objects.get(pk=review.pk).state == "draft"


def test_a_circulation_before_the_draft_is_refused_naming_both_events(walker, people, english):
    review = walker.to_state("draft", prepared=True)  # the draft of 20/11/2021
    error = refusal(
        review_transition, review=review, name="circulate_draft", by=people.secretary, occurred_on=D(2021, 11, 10)
    )
    assert error.code == "date_out_of_order"
    assert error.message == (
        "The circulation of the draft (10/11/2021) cannot be dated before the draft report (20/11/2021)."
    )


def test_each_transition_keeps_its_day_on_the_review_and_in_its_audit_event(walker, people):
    review = walker.to_state("draft", prepared=True)
    review = review_transition(review=review, name="circulate_draft", by=people.secretary, occurred_on=D(2021, 11, 21))
    assert review.circulated_on == D(2021, 11, 21)
    event = AuditEvent.objects.get(review=review, action="review.transition.circulate_draft")
    assert event.payload["occurred_on"] == "2021-11-21"


def test_a_walk_keeps_the_days_of_its_steps(walker):
    closed = walker.to_state("closed")
    assert (closed.submitted_on, closed.approved_on, closed.closed_on) == (
        WALK_SCHEDULE["finalizing"].date(),
        WALK_SCHEDULE["submitted"].date(),
        WALK_SCHEDULE["approved"].date(),
    )
    events = AuditEvent.objects.filter(review=closed, action__startswith="review.transition.")
    assert [e.payload["occurred_on"] for e in events][-1] == "2021-12-10"


def test_a_review_of_year_2099_is_refused(people, english):
    error = refusal(review_open, organization_code="LB-DG", year=2099, kind="collective", by=people.secretary)
    assert (error.code, error.field) == ("year_out_of_range", "year")
    year = datetime.date.today().year
    assert error.message == f"A review's year is between 2018 and the current year ({year}), not 2099."
    assert not Review.objects.exists()


def test_a_conference_dated_2030_is_refused(walker, people, english):
    review = walker.to_state("collecting_opinions")
    error = refusal(
        records.conference_record,
        review=review,
        by=people.secretary,
        held_at=CONFERENCE_AT.replace(year=2030),
        location="Phòng 305",
        chair_username=None,
        attendees=[],
        superior_representatives=["vtthan"],
    )
    assert (error.code, error.field) == ("date_in_future", "held_at")
    assert error.message.startswith("The review conference cannot be dated 30/11/2030: that is after today")
    assert not Conference.objects.filter(review=review).exists()


def test_a_conference_before_the_circulation_is_refused(walker, people, english):
    review = walker.to_state("collecting_opinions")  # circulated on 20/11/2021
    error = refusal(
        records.conference_record,
        review=review,
        by=people.secretary,
        held_at=CONFERENCE_AT.replace(day=15),
        location="Phòng 305",
        chair_username=None,
        attendees=[],
        superior_representatives=["vtthan"],
    )
    assert (error.code, error.field) == ("date_out_of_order", "held_at")
    assert error.message == (
        "The review conference (15/11/2021) cannot be dated before the circulation of the draft (20/11/2021)."
    )


def test_an_opinion_after_the_conference_or_before_the_circulation_is_refused(walker, people, english):
    review = walker.ready_at("collecting_opinions")  # the conference of 30/11/2021 recorded
    late = refusal(
        records.opinion_add,
        review=review,
        by=people.member,
        text="Muộn",
        channel="written",
        occurred_on=D(2021, 12, 1),
    )
    assert late.code == "date_out_of_order"
    assert late.message == "The review conference (30/11/2021) cannot be dated before the opinion (01/12/2021)."
    early = refusal(
        records.opinion_add, review=review, by=people.member, text="Sớm", channel="written", occurred_on=D(2021, 11, 1)
    )
    assert early.message == "The opinion (01/11/2021) cannot be dated before the circulation of the draft (20/11/2021)."
    spoken = records.opinion_add(
        review=review, by=people.secretary, text="Phát biểu", channel="conference", author_username="tvminh"
    )
    assert spoken.occurred_on == D(2021, 11, 30)  # a spoken opinion defaults to the conference's day


def test_guidance_before_the_conference_is_refused(walker, people, english):
    review = walker.to_state("awaiting_guidance")
    error = refusal(records.guidance_add, review=review, by=people.board, text="Sớm", occurred_on=D(2021, 11, 29))
    assert error.message == "The guidance (29/11/2021) cannot be dated before the review conference (30/11/2021)."


def test_a_notification_before_the_approval_is_refused(walker, people, english):
    approved = walker.to_state("approved")  # approved on 8/12/2021
    error = refusal(records.notification_record, review=approved, by=people.board, notified_on=D(2021, 12, 1))
    assert (error.code, error.field) == ("date_out_of_order", "notified_on")
    assert error.message == "The notification of results (01/12/2021) cannot be dated before the approval (08/12/2021)."


def test_a_remedial_due_date_before_the_approval_is_refused(walker, people, english):
    review = walker.to_state("approved")  # approved on 8/12/2021
    items = [{"description": "Khắc phục", "owner": "Đảng ủy", "due_date": D(2020, 6, 30)}]
    error = refusal(records.remedial_plan_set, review=review, by=people.secretary, items=items)
    assert (error.code, error.field) == ("date_out_of_order", "items[0].due_date")
    assert error.message == (
        "The due date of a remedial item (30/06/2020) must be dated after the approval (08/12/2021)."
    )


def test_closing_needs_the_remedial_plan_as_well_as_the_notification(walker, people, english):
    review = walker.to_state("approved")
    with time_machine.travel(WALK_SCHEDULE["approved"], tick=True):
        records.notification_record(review=review, by=people.board, notified_on=D(2021, 12, 10))
    error = refusal(review_transition, review=review, name="close", by=people.board)
    assert error.code == "remedial_plan_missing"
    assert error.message == "The remedial plan has not been filed: the secretary files it before the review is closed."
    items = [{"description": "Khắc phục", "owner": "Đảng ủy", "due_date": D(2022, 6, 30)}]
    records.remedial_plan_set(review=review, by=people.secretary, items=items, occurred_on=D(2021, 12, 10))
    assert review_transition(review=review, name="close", by=people.board).state == "closed"


def test_close_before_the_notification_is_refused(walker, people, english):
    review = walker.to_state("approved", prepared=True)  # notified and planned on 10/12/2021
    error = refusal(review_transition, review=review, name="close", by=people.board, occurred_on=D(2021, 12, 9))
    assert (
        error.message
        == "The closing of the review (09/12/2021) cannot be dated before the notification of results (10/12/2021)."
    )


def test_the_same_rules_judge_a_complete_set_of_dates():
    ok = {"draft": [D(2021, 11, 18)], "circulation": [D(2021, 11, 20)], "conference": [D(2021, 11, 30)]}
    assert dates.sequence_errors(ok, today=D(2022, 1, 1)) == []
    wrong = {**ok, "conference": [D(2021, 11, 19)], "close": [D(2030, 1, 1)]}
    codes = [e.code for e in dates.sequence_errors(wrong, today=D(2022, 1, 1))]
    assert codes == ["date_in_future", "date_out_of_order"]
