"""The blocking rule refuses its step with its message, changes nothing, and lets the step through once met."""

import pytest
import time_machine

from review_process.compliance.blocking import BLOCKING_RULES, blocking_failures
from review_process.errors import Conflict
from review_process.models import AuditEvent, Review
from review_process.services import records
from tests.compliance.conftest import SCHEDULE, open_review, record_conference, walk
from workflows.services import review_transition

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("english")]


def at_conference(walker, people, representatives):
    review = walk(walker, open_review(walker), "collecting_opinions")
    with time_machine.travel(SCHEDULE["collecting_opinions"], tick=True):
        record_conference(people, review, representatives=representatives)
    return review


def refused(review, people):
    before = (Review.objects.get(pk=review.pk).state, AuditEvent.objects.filter(review=review).count())
    with time_machine.travel(SCHEDULE["collecting_opinions"], tick=True), pytest.raises(Conflict) as error:
        review_transition(review=review, name="close_opinions", by=people.secretary)
    assert (Review.objects.get(pk=review.pk).state, AuditEvent.objects.filter(review=review).count()) == before
    return error.value


def test_opinions_cannot_close_without_a_superior_representative(walker, people):
    review = at_conference(walker, people, representatives=())
    error = refused(review, people)
    assert error.code == "superior_representative"
    assert error.status == 409
    assert str(error) == "No representative of the superior committee is recorded at the conference."


def test_a_representative_must_hold_a_superior_position(walker, people):
    review = at_conference(walker, people, representatives=("tvminh",))
    error = refused(review, people)
    assert error.code == "superior_representative"
    assert str(error) == (
        "Trần Văn Minh is recorded as the superior's representative but held no position in a superior "
        "organisation on 30/11/2021."
    )


def test_the_step_goes_through_once_a_representative_is_recorded(walker, people):
    review = at_conference(walker, people, representatives=())
    refused(review, people)
    with time_machine.travel(SCHEDULE["collecting_opinions"], tick=True):
        records.conference_record(
            review=review,
            by=people.secretary,
            held_at=review.conference.held_at,
            location="Phòng 305",
            chair_username="pvhung",
            attendees=[{"person": "pvhung", "present": True}, {"person": "tvminh", "present": True}],
            superior_representatives=["ntkdinh"],
        )
        assert review_transition(review=review, name="close_opinions", by=people.secretary).state == (
            "awaiting_guidance"
        )


def test_guards_come_before_blocking_rules(walker, people):
    review = walk(walker, open_review(walker), "collecting_opinions")
    with pytest.raises(Conflict) as error:
        review_transition(review=review, name="close_opinions", by=people.secretary)
    assert error.value.code == "conference_not_held"


def test_transitions_no_rule_blocks_cost_no_query(walker, django_assert_num_queries):
    review = walk(walker, open_review(walker), "draft")
    assert [rule.blocks for rule in BLOCKING_RULES] == [("close_opinions",)]
    with django_assert_num_queries(0):
        assert blocking_failures(review, "circulate_draft") == []
