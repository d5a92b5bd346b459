"""A participant invited after the draft is circulated is asked for their opinion by e-mail too
(workflows/invitations.py): once, only them, only if the invitation committed, and from the page and the API."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from review_process.errors import ReviewError
from review_process.services import records
from tests.factories import UserFactory
from workflows.invitations import participant_invite
from workflows.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def circulated(walker, people, django_capture_on_commit_callbacks):
    review = walker.open()
    walker.prepare_draft(review)
    with django_capture_on_commit_callbacks(execute=True):
        review = walker.advance_draft(review)
    mail.outbox.clear()
    return review


def test_a_late_participant_alone_is_asked(circulated, people, django_capture_on_commit_callbacks):
    late = UserFactory(username="late", email="late@example.org", first_name="Lê", last_name="Muộn")
    with django_capture_on_commit_callbacks(execute=True):
        participant_invite(review=circulated, by=people.secretary, username="late")
    assert [message.to for message in mail.outbox] == [[late.email]]
    assert "2021" in mail.outbox[0].subject and late.get_full_name() in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        participant_invite(review=circulated, by=people.secretary, username="late")  # already invited: nothing
    assert mail.outbox == []


def test_a_refused_invitation_sends_nothing(circulated, people, django_capture_on_commit_callbacks):
    UserFactory(username="late", email="late@example.org")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ReviewError):
        participant_invite(review=circulated, by=people.member, username="late")  # a member may not invite
    assert mail.outbox == [] and not OutboxMessage.objects.filter(kind="opinion_requested").exists()


def test_before_circulation_the_invitation_waits_for_the_circulation_e_mail(
    walker, people, django_capture_on_commit_callbacks
):
    review = walker.open()
    UserFactory(username="early", email="early@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        participant_invite(review=review, by=people.secretary, username="early")
    assert mail.outbox == []


def test_re_inviting_a_revoked_participant_asks_again(circulated, people, django_capture_on_commit_callbacks):
    UserFactory(username="late", email="late@example.org")
    participant = participant_invite(review=circulated, by=people.secretary, username="late")
    records.participant_revoke(review=circulated, by=people.secretary, participant=participant, reason="nhầm")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        participant_invite(review=circulated, by=people.secretary, username="late")
    assert [message.to for message in mail.outbox] == [["late@example.org"]]


def test_the_page_and_the_api_invite_through_it(circulated, people, client, django_capture_on_commit_callbacks):
    UserFactory(username="bypage", email="bypage@example.org")
    UserFactory(username="byapi", email="byapi@example.org")
    client.force_login(people.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review_process:participant-invite", args=[circulated.pk]),
            {"invite-state": circulated.state, "invite-username": "bypage"},
        )
    assert response.status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=people.secretary)[0].key}")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/reviews/{circulated.pk}/participants/", {"person": "byapi"}, format="json")
    assert response.status_code == 201
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "byapi@example.org",
        "bypage@example.org",
    ]
