"""The demo data: the reference review at awaiting_guidance (the README's walkthrough), or carried on to a
decided, approved review with the Long Biên standing committee's recorded vote, or to closed (``seed_demo
--through``); dated as it happened (README's walk itself: test_demo_walkthrough.py)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from review_process.audit import verify_chain
from review_process.compliance.report import review_compliance
from review_process.models import RatingRound, Review
from review_process.ratings import rank
from workflows.demo import CONFERENCE_AT, DATES, DECISION_VOTE, seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_is_left_awaiting_guidance_by_default():
    review, created = seed_demo()
    assert created and review.state == "awaiting_guidance"
    assert review.opinions.count() == 9
    assert seed_demo() == (review, False)  # idempotent


def test_the_demo_through_approved_shows_a_decided_review():
    out = io.StringIO()
    call_command("seed_demo", "--through", "approved", stdout=out)
    review = Review.objects.get(organization__code="LB-DG", year=2021, kind="collective")
    assert review.state == "approved"
    decision = review.decision
    assert (decision.final_rating, decision.decided_by.username) == ("good", "lqvinh")
    assert decision.vote == DECISION_VOTE == {"members": 9, "present": 8, "for": 7, "against": 0, "abstain": 1}
    assert (decision.occurred_on, review.approved_on) == (datetime.date(2021, 12, 14), datetime.date(2021, 12, 14))
    assert review.self_assessment.proposed_rating == "good"
    assert not review.opinions.filter(response__isnull=True).exists()
    report = review_compliance(review)
    assert report.finding("vote_carried").status == "pass"
    assert report.finding("competent_body").status == "pass"
    # Again: nothing new is created and the review stays where it is.
    call_command("seed_demo", "--through", "approved", stdout=io.StringIO())
    assert Review.objects.filter(organization__code="LB-DG", year=2021, kind="collective").count() == 1
    assert review.audit_events.count() == Review.objects.get(pk=review.pk).audit_events.count()


def test_a_demo_left_awaiting_guidance_can_be_carried_on_later():
    review, _created = seed_demo()
    review, created = seed_demo(through="approved")
    assert not created and review.state == "approved"
    with pytest.raises(ValueError):
        seed_demo(through="finalizing")


def test_the_demo_is_dated_as_it_happened_not_when_it_was_loaded():
    """The 2021 case carries the article's dates (the conference, its opinions) and assumed ones elsewhere: the
    draft went out before the conference, so the draft-notice rule passes (it read "-1826 days" when the demo
    was stamped with the day it was loaded)."""
    review, _created = seed_demo()
    assert review.circulated_on == DATES["circulate_draft"] == datetime.date(2021, 11, 23)
    assert review.report_versions.get().occurred_on == datetime.date(2021, 11, 22)
    assert set(review.opinions.values_list("occurred_on", flat=True)) == {datetime.date(2021, 11, 30)}
    assert timezone.localtime(review.conference.held_at).date() == datetime.date(2021, 11, 30)
    circulated = review.audit_events.get(action="review.transition.circulate_draft")
    assert circulated.payload["occurred_on"] == "2021-11-23"
    with translation.override("en"):
        report = review_compliance(review)
    assert report.compliant
    assert report.finding("draft_notice").message == (
        "The draft was circulated on 23/11/2021, 7 days before the conference on 30/11/2021 (at least 3 required)."
    )
    # Every assumed day keeps the rules: in order, and the conference before the superior's deadline.
    order = ["draft", "circulate_draft", "opinions", "guidance", "give_guidance", "responses", "final_report"]
    order += ["submit_assessment", "decision", "approve", "notification", "remedial_plan", "close"]
    days = [DATES[key] for key in order]
    assert days == sorted(days)
    assert (CONFERENCE_AT.date() - DATES["circulate_draft"]).days >= review.regime.draft_notice_days
    assert DATES["leader_decision"] > DATES["decision"]


def test_the_demo_carries_a_decided_round_of_the_cells_and_the_secretarys_individual_review():
    call_command("seed_demo", "--through", "approved", stdout=io.StringIO())
    cells = RatingRound.objects.get(organization__code="LB-DG", year=2021, subject="organizations")
    assert cells.state == "decided" and cells.entries.count() == 7
    assert cells.vote["for"] * 2 > cells.vote["members"]
    leader = Review.objects.get(organization__code="LB-DG", year=2021, kind="individual")
    collective = Review.objects.get(organization__code="LB-DG", year=2021, kind="collective")
    assert (leader.subject.username, leader.state) == ("pvhung", "approved")
    assert leader.ballot.cast == 14 and leader.ballot.counting_board
    assert rank(leader.decision.final_rating) <= rank(collective.decision.final_rating)
    assert leader.decision.occurred_on > collective.decision.occurred_on
    assert leader.opinions.filter(channel="residence").exists()
    assert verify_chain().intact


def test_seed_demo_refuses_a_database_with_data_of_its_own_and_never_resets_a_password():
    from django.core.management.base import CommandError

    from permissions.models import User
    from tests.factories import OrganizationFactory

    call_command("seed_demo", stdout=io.StringIO())
    hung = User.objects.get(username="pvhung")
    hung.set_password("a-real-password-42")
    hung.save()
    OrganizationFactory(code="HCM", name="Thành ủy TP. Hồ Chí Minh", kind="city")
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert User.objects.get(username="pvhung").check_password("a-real-password-42")
