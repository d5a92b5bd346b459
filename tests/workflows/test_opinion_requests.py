"""Everybody who must give an opinion is asked (issue 13, item 3; workflows/opinion_requests.py).

When the draft is circulated, each committee member of the organisation (the local roles that give opinions:
deputy secretary, committee member) and each invited participant whose invitation stands gets one e-mail "give
your opinion by <date>" with a link to the review: the conference's date if recorded, else the circulation day
plus the regime's draft notice days.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from review_process.models import Review, ReviewParticipant
from review_process.services import records
from tests.factories import PositionFactory, UserFactory
from workflows.opinion_requests import OPINION_ROLES, opinion_deadline, opinion_givers
from workflows.outbox import enqueue

pytestmark = pytest.mark.django_db


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def by_address() -> dict[str, mail.EmailMessage]:
    return {message.to[0]: message for message in mail.outbox}


def circulate(walker, people, capture, **invited):
    review = walker.open()
    for username in invited.get("invite", ["guest"]):
        records.participant_invite(review=review, by=people.secretary, username=username)
    walker.prepare_draft(review)
    mail.outbox.clear()
    with capture(execute=True):
        review = walker.advance_draft(review)
    return Review.objects.get(pk=review.pk)


def test_the_roles_asked_are_the_local_roles_that_give_opinions():
    assert OPINION_ROLES == {"deputy_secretary", "committee_member"}


def test_circulating_the_draft_asks_each_member_and_participant_once(
    walker, people, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://kiem-diem.example.org"
    # The committee member is invited as a participant too: still one e-mail.
    review = circulate(walker, people, django_capture_on_commit_callbacks, invite=["guest", "tvminh"])
    asked = [people.deputy, people.member, people.member2, people.guest]
    # The secretary is told of the next step (closing the opinions); the others are asked for their opinion.
    assert sent_to() == sorted([people.secretary.email, *(p.email for p in asked)])
    for person in (people.board, people.standing, people.inspection, people.auditor, people.outsider):
        assert person.email not in sent_to()
    deadline = (review.circulated_on + datetime.timedelta(days=review.regime.draft_notice_days)).strftime("%d/%m/%Y")
    link = "https://kiem-diem.example.org" + reverse("review_process:review-detail", args=[review.pk])
    messages = by_address()
    for person in asked:
        message = messages[person.email]
        assert deadline in message.subject and deadline in message.body
        assert link in message.body
        assert person.get_full_name() in message.body
        assert "2021" in message.subject and review.organization.name in message.subject
    assert deadline not in messages[people.secretary.email].body


def test_nobody_is_asked_twice_whatever_they_hold(walker, people, django_capture_on_commit_callbacks):
    PositionFactory(person=people.deputy, organization=people.deputy.positions.first().organization)
    circulate(walker, people, django_capture_on_commit_callbacks, invite=["ntlan", "guest"])
    assert sent_to().count(people.deputy.email) == 1


def test_revoked_participants_ended_positions_inactive_and_addressless_people_are_not_asked(
    walker, people, org, django_capture_on_commit_callbacks
):
    ended = UserFactory(username="da_nghi")
    PositionFactory(person=ended, organization=org.dg, end=timezone.localdate() - datetime.timedelta(days=1))
    inactive = UserFactory(username="khong_hoat_dong")
    PositionFactory(person=inactive, organization=org.dg)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    no_address = UserFactory(username="khong_thu", email="")
    PositionFactory(person=no_address, organization=org.dg)
    revoked = UserFactory(username="bi_thu_hoi")
    review = walker.open()
    records.participant_invite(review=review, by=people.secretary, username="bi_thu_hoi")
    ReviewParticipant.objects.filter(review=review, person=revoked).update(revoked_at=timezone.now())
    assert {u.username for u in opinion_givers(review)} == {"ntlan", "tvminh", "lthoa", "khong_hoat_dong", "khong_thu"}
    walker.prepare_draft(review)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        walker.advance_draft(review)
    assert sent_to() == sorted([people.secretary.email, people.deputy.email, people.member.email, people.member2.email])


def test_the_date_is_the_circulation_day_plus_the_regimes_notice_days(walker, people, settings):
    review = walker.open()
    Review.objects.filter(pk=review.pk).update(circulated_on=datetime.date(2021, 11, 20))
    review = Review.objects.get(pk=review.pk)
    settings.REVIEW_DRAFT_NOTICE_DAYS = 3
    assert opinion_deadline(review) == datetime.date(2021, 11, 23)
    settings.REVIEW_REGIME_OVERRIDES = {review.regime_code: {"draft_notice_days": 7}}
    assert opinion_deadline(review) == datetime.date(2021, 11, 27)


def test_the_date_is_the_conference_once_it_is_recorded(walker, people, django_capture_on_commit_callbacks):
    review = walker.to_state("collecting_opinions", prepared=True)  # the conference of 30/11/2021 is recorded
    assert opinion_deadline(review) == datetime.date(2021, 11, 30)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue("opinion_requested", review_id=review.pk)
    # Asked alone (kind "opinion_requested"): the people asked, not the next actors.
    assert sent_to() == sorted([people.deputy.email, people.member.email, people.member2.email])
    for message in mail.outbox:
        assert "30/11/2021" in message.body
