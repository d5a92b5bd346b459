"""E-mail after a transition goes to the people who act next, in the competent body or the organisation only,
through the outbox: one message written with the transition, delivered once (tests/workflows/test_outbox.py).

Item 7 of the issue "Evidence that cannot be rewritten, attachments that cannot attack …": a ward's submission
used to e-mail the city's standing committee as well as the district's, and a person with two roles twice.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from review_process.errors import ReviewError
from tests.factories import PositionFactory, UserFactory
from workflows.models import OutboxMessage, OutboxStatus
from workflows.notifications import next_actors
from workflows.outbox import deliver
from workflows.services import review_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(org, people):
    """The city's standing committee and organisation board, and a person who sits on both standing committees."""
    city_standing = UserFactory(username="tp_thuongvu", full_name="Thường vụ Thành ủy")
    PositionFactory(person=city_standing, organization=org.hn, role="standing_committee")
    city_board = UserFactory(username="tp_bantochuc", full_name="Ban Tổ chức Thành ủy")
    PositionFactory(person=city_board, organization=org.hn, role="organization_board")
    both = UserFactory(username="hai_vai", full_name="Người hai vai")
    PositionFactory(person=both, organization=org.lb, role="standing_committee")
    PositionFactory(person=both, organization=org.hn, role="standing_committee")
    PositionFactory(person=both, organization=org.lb, role="organization_board")
    return {"standing": city_standing, "board": city_board, "both": both}


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_ward_submission_emails_the_district_standing_committee_only(
    walker, people, city, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://kiem-diem.example.org/"
    review = walker.to_state("finalizing", prepared=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review = walker.advance_finalizing(review)
    assert review.state == "submitted"
    assert sent_to() == sorted([people.standing.email, city["both"].email])  # one e-mail each
    assert city["standing"].email not in sent_to()
    link = "https://kiem-diem.example.org" + reverse("review_process:review-detail", args=[review.pk])
    for message in mail.outbox:
        assert link in message.body
    by_address = {m.to[0]: m for m in mail.outbox}
    assert people.standing.get_full_name() in by_address[people.standing.email].body


def test_the_superior_steps_go_to_the_direct_superior_and_local_steps_to_the_organisation(
    walker, people, city, django_capture_on_commit_callbacks
):
    review = walker.to_state("collecting_opinions", prepared=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review = walker.advance_collecting_opinions(review)  # next: the district board's guidance
    assert sent_to() == sorted([people.board.email, city["both"].email])
    walker.prepare_awaiting_guidance(review)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        walker.advance_awaiting_guidance(review)  # next: the ward secretary submits
    assert sent_to() == [people.secretary.email]


def test_next_actors_names_no_one_above_the_direct_superior(walker, people, city):
    review = walker.to_state("approved")
    actors = {user for users in next_actors(review).values() for user in users}
    assert actors == {people.board, city["both"]}  # closing: the district's board, not the city's


def test_a_transition_writes_one_outbox_message_and_a_refused_one_none(
    walker, people, django_capture_on_commit_callbacks
):
    review = walker.to_state("finalizing", prepared=True)
    OutboxMessage.objects.all().delete()
    with pytest.raises(ReviewError), django_capture_on_commit_callbacks(execute=True):
        review_transition(review=review, name="approve", by=people.standing)  # not at this stage
    assert not OutboxMessage.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        walker.advance_finalizing(review)
    message = OutboxMessage.objects.get()
    assert (message.kind, message.payload) == (
        "notify_next_actors",
        {"review_id": review.pk, "transition": "submit_assessment"},
    )
    assert message.status == OutboxStatus.DELIVERED


def test_delivering_the_message_again_sends_no_one_a_second_e_mail(walker, people, django_capture_on_commit_callbacks):
    review = walker.to_state("finalizing", prepared=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        walker.advance_finalizing(review)
    first = sent_to()
    message = OutboxMessage.objects.get(payload__transition="submit_assessment")
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.PENDING, claimed_at=None)
    assert deliver(message.pk) is True
    assert sent_to() == first and len(first) == len(set(first))
