"""One answer to "what may I do now": the page, the API and the service agree for every role x state.

The page's enabled transition buttons, the API's ``available_transitions`` and what the transition service
lets through (tried for real, then rolled back) are the same set, for every persona of the reference case at
every stage, including a transition that only a blocking compliance rule forbids.
"""

import re

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from review_process.availability import available_actions
from review_process.errors import ReviewError
from review_process.machine import TRANSITION_NAMES
from review_process.models import Review, ReviewState
from review_process.services import records
from tests.conftest import CONFERENCE_AT, PERSONAS, Rollback
from workflows.services import review_transition

pytestmark = pytest.mark.django_db

ENABLED_BUTTON = re.compile(r'data-testid="transition-([a-z_]+)"')


def service_allows(review, user) -> set[str]:
    allowed = set()
    for name in TRANSITION_NAMES:
        try:
            with transaction.atomic():
                review_transition(review=review.pk, name=name, by=user, reason="Lý do")
                allowed.add(name)
                raise Rollback()
        except (Rollback, ReviewError):
            pass
    return allowed


def api_allows(review, user) -> set[str]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/reviews/{review.pk}/")
    if response.status_code == 404:
        return set()
    body = response.json()
    listed = {a["name"] for a in body["actions"] if a["allowed"] and a["name"] in TRANSITION_NAMES}
    assert listed == set(body["available_transitions"])
    return set(body["available_transitions"])


def page_allows(review, user) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(f"/reviews/{review.pk}/")
    if response.status_code == 404:
        return set()
    assert response.status_code == 200
    return set(ENABLED_BUTTON.findall(response.content.decode()))


@pytest.mark.parametrize("state", [s.value for s in ReviewState])
def test_page_api_and_service_agree_for_every_persona(state, walker, people):
    review = walker.ready_at(state)
    for persona in PERSONAS:
        user = getattr(people, persona)
        fresh = Review.objects.get(pk=review.pk)
        by_service = service_allows(fresh, user)
        assert api_allows(fresh, user) == by_service, (state, persona)
        assert page_allows(fresh, user) == by_service, (state, persona)
        verdicts = available_actions(user, Review.objects.get(pk=review.pk))
        assert {n for n in TRANSITION_NAMES if verdicts[n].allowed} == by_service


def test_a_blocking_rule_is_shown_the_same_everywhere(walker, people):
    """The conference is held but no superior representative is recorded: close_opinions is refused by the
    blocking compliance rule, and the page and the API say so before anyone tries."""
    review = walker.to_state("collecting_opinions")
    records.conference_record(
        review=review,
        by=people.secretary,
        held_at=CONFERENCE_AT,
        location="Phòng 305",
        chair_username="pvhung",
        attendees=[{"person": "pvhung", "present": True}],
        superior_representatives=[],
    )
    review = Review.objects.get(pk=review.pk)
    verdict = available_actions(people.secretary, review)["close_opinions"]
    assert (verdict.allowed, verdict.code, verdict.status) == (False, "superior_representative", 409)
    assert "close_opinions" not in service_allows(review, people.secretary)
    assert "close_opinions" not in api_allows(review, people.secretary)
    client = Client()
    client.force_login(people.secretary)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "close_opinions" not in set(ENABLED_BUTTON.findall(page))
    assert verdict.message in page
