"""The rating forms of the review page (review_process.ratings through web.forms): the decision's vote, reason,
score and grounds, and the self-assessment's score and grounds under each regime; every error of the service
lands on its field, and the recorded decision shows its tally and reason."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from review_process import regimes
from review_process.models import Review, SelfAssessment
from tests.web.test_actions import VOTE_FIELDS, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(client, people):
    """Log the client in as a persona, reading pages in English (stable strings to assert on)."""

    def login(name: str):
        client.force_login(getattr(people, name))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def invalid(body: str, name: str) -> bool:
    """Is the field ``name`` marked invalid on the page?"""
    return bool(re.search(rf'name="{name}"[^>]*aria-invalid="true"', body))


@pytest.mark.parametrize(
    ("fields", "status", "field", "message"),
    [
        (
            {**VOTE_FIELDS, "vote_for": 7, "vote_against": 5},
            409,
            "decision-vote_for",
            "The decision is not valid: 7 of 15 members voted for it; more than half (8) are needed.",
        ),
        ({**VOTE_FIELDS, "vote_present": 16}, 400, "decision-vote_present", "The vote does not add up"),
        ({**VOTE_FIELDS, "vote_present": 10}, 400, "decision-vote_for", "The vote does not add up"),
        ({**VOTE_FIELDS, "final_rating": "complete"}, 400, "decision-reason", "give the reason"),
        (
            {**VOTE_FIELDS, "triggers": ["discipline"]},
            400,
            "decision-final_rating",
            "“Disciplined during the year” forces the rating “not complete”.",
        ),
    ],
)
def test_each_error_of_the_decision_lands_on_its_field(as_, walker, fields, status, field, message):
    review = walker.to_state("submitted")
    data = {"final_rating": "good", "reason": "", **fields}
    response = post(as_("standing"), review, "decision/", "decision", **data)
    assert response.status_code == status
    body = response.content.decode()
    assert message in body
    assert invalid(body, field), field
    assert not Review.objects.filter(pk=review.pk, decision__isnull=False).exists()


def test_the_recorded_decision_shows_its_reason(as_, walker):
    review = walker.to_state("submitted")
    reason = "Chưa hoàn thành chỉ tiêu cải cách hành chính."
    response = post(
        as_("standing"), review, "decision/", "decision", final_rating="complete", reason=reason, **VOTE_FIELDS
    )
    assert response.status_code == 302
    body = as_("member").get(f"/reviews/{review.pk}/").content.decode()
    assert re.search(r'data-testid="decision-reason">Chưa hoàn thành', body)
    assert "15 members, 13 present: 11 for, 1 against, 1 abstained" in body


def pin(review, code: str) -> Review:
    review = Review.objects.get(pk=review.pk)
    review.pin_regime(regimes.regime_by_code(code))
    Review.objects.filter(pk=review.pk).update(regime_code=review.regime_code, regime_rules=review.regime_rules)
    return Review.objects.get(pk=review.pk)


def test_under_a_score_regime_the_forms_ask_for_the_score(as_, walker):
    review = pin(walker.to_state("finalizing"), "2025+")
    secretary = as_("secretary")
    page = secretary.get(f"/reviews/{review.pk}/").content.decode()
    assert 'name="assessment-score"' in page
    assert 'value="subordinates_disciplined"' in page  # the grounds of the 2025+ rules
    basis = "Hoàn thành các chỉ tiêu chính."  # the basis is required (the form and the service: basis_required)
    response = post(secretary, review, "self-assessment/", "assessment", proposed_rating="good", justification=basis)
    assert response.status_code == 400
    assert invalid(response.content.decode(), "assessment-score")
    assert "From 2025 the rating is based on a score" in response.content.decode()
    response = post(
        secretary, review, "self-assessment/", "assessment", proposed_rating="good", score=69, justification=basis
    )
    assert response.status_code == 400
    assert invalid(response.content.decode(), "assessment-proposed_rating")
    response = post(
        secretary,
        review,
        "self-assessment/",
        "assessment",
        proposed_rating="good",
        score=75,
        justification=basis,
        triggers=["targets_missed"],
    )
    assert invalid(response.content.decode(), "assessment-proposed_rating")
    response = post(
        secretary, review, "self-assessment/", "assessment", proposed_rating="good", score=75, justification=basis
    )
    assert response.status_code == 302
    assert SelfAssessment.objects.get(review=review).score == 75
    page = secretary.get(f"/reviews/{review.pk}/").content.decode()
    assert re.search(r'data-testid="proposed-score">75<', page)


def test_under_a_score_regime_the_decision_needs_a_matching_score(as_, walker):
    review = walker.to_state("submitted")
    SelfAssessment.objects.filter(review=review).update(score=75)
    review = pin(review, "2025+")
    standing = as_("standing")
    assert 'name="decision-score"' in standing.get(f"/reviews/{review.pk}/").content.decode()
    response = post(standing, review, "decision/", "decision", final_rating="good", reason="", **VOTE_FIELDS)
    assert response.status_code == 400
    assert invalid(response.content.decode(), "decision-score")
    response = post(standing, review, "decision/", "decision", final_rating="good", score=95, reason="", **VOTE_FIELDS)
    assert response.status_code == 400
    assert invalid(response.content.decode(), "decision-final_rating")
    response = post(standing, review, "decision/", "decision", final_rating="good", score=80, reason="", **VOTE_FIELDS)
    assert response.status_code == 302
    assert re.search(r'data-testid="final-score">80<', standing.get(f"/reviews/{review.pk}/").content.decode())


def test_a_score_is_not_asked_before_2025(as_, walker):
    review = walker.to_state("finalizing")
    page = as_("secretary").get(f"/reviews/{review.pk}/").content.decode()
    assert 'name="assessment-score"' not in page
    assert 'value="discipline"' in page and 'value="subordinates_disciplined"' not in page  # 2019-2022's grounds
