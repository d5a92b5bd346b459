"""The review page says what ``review_process.availability`` says: a step a blocking compliance rule refuses
is shown disabled with that rule's message (not offered, then refused by the service with a 409)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.conf import settings

from review_process.availability import transition_verdict
from review_process.models import Review
from tests.compliance.conftest import SCHEDULE, open_review, record_conference, walk

pytestmark = pytest.mark.django_db

NO_REPRESENTATIVE = "No representative of the superior committee is recorded at the conference."


@pytest.fixture
def as_(client, people):
    """Log the client in as a persona, reading pages in English."""

    def login(name: str):
        client.force_login(getattr(people, name))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


@pytest.fixture
def review_without_representative(walker, people):
    """The reference case at `collecting_opinions`, its conference held with no superior representative."""
    review = walk(walker, open_review(walker), "collecting_opinions")
    with time_machine.travel(SCHEDULE["collecting_opinions"], tick=True):
        record_conference(people, review, representatives=())
    return Review.objects.get(pk=review.pk)


def close_opinions_form(body: str) -> str:
    match = re.search(r'<form id="form-t-close_opinions".*?</form>', body, re.S)
    assert match, "the secretary is offered the close_opinions form"
    return match.group(0)


def test_close_opinions_is_shown_disabled_with_the_blocking_rules_message(as_, people, review_without_representative):
    review = review_without_representative
    verdict = transition_verdict(people.secretary, review, "close_opinions")
    assert (verdict.code, verdict.message) == ("superior_representative", NO_REPRESENTATIVE)

    with time_machine.travel(SCHEDULE["collecting_opinions"], tick=True):
        response = as_("secretary").get(f"/reviews/{review.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    form = close_opinions_form(body)
    assert re.search(r"<button[^>]*disabled", form)
    assert 'data-testid="transition-close_opinions"' not in form  # no live button
    # The rule's message is the "what is still missing" of the next step, which the button refers to.
    next_blockers = re.search(r'data-testid="next-blockers">.*?</div>', body, re.S).group(0)
    assert NO_REPRESENTATIVE in next_blockers
    assert "See what is still missing, above." in form
    (offered,) = [t for t in response.context["transitions"] if t["name"] == "close_opinions"]
    assert offered["blockers"] == [NO_REPRESENTATIVE]


def test_the_service_refuses_what_the_page_shows_disabled(as_, review_without_representative):
    review = review_without_representative
    with time_machine.travel(SCHEDULE["collecting_opinions"], tick=True):
        response = as_("secretary").post(
            f"/reviews/{review.pk}/transitions/close_opinions/",
            {"t-close_opinions-state": "collecting_opinions", "t-close_opinions-reason": ""},
        )
    assert response.status_code == 409
    assert NO_REPRESENTATIVE in response.content.decode()
    assert Review.objects.get(pk=review.pk).state == "collecting_opinions"


def test_who_may_not_take_the_next_step_is_not_told_it_can_be_taken(as_, walker):
    """The member may not close the opinions: the page names who may, and claims nothing about readiness."""
    review = walker.to_state("collecting_opinions", prepared=True)
    secretary = as_("secretary").get(f"/reviews/{review.pk}/").content.decode()
    assert "Nothing is missing: this step can be taken now." in secretary
    assert 'data-testid="transition-close_opinions"' in secretary
    member = as_("member").get(f"/reviews/{review.pk}/").content.decode()
    assert "Nothing is missing: this step can be taken now." not in member
    assert "to be taken by" in member
