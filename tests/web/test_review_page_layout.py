"""The review page built for the work: the current stage's sections first and open, earlier ones folded with a
summary line; every error at the top (linked to its field) and at the field, its section open; length limits and
dates on the forms; long texts folded; the auditor links' place."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from review_process.limits import TEXT_LIMITS
from review_process.models import Guidance, Review
from review_process.services import records
from tests.web.test_actions import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(login, client, settings):
    """The persona's client reading pages in English, the source language the assertions are written in."""

    def as_(name: str):
        logged_in = login(name)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return logged_in

    return as_


def sections(body: str) -> list[tuple[str, str]]:
    """(section id, status) in the order drawn."""
    return re.findall(r'data-section="(\w+)" data-status="(\w+)"', body)


def test_the_current_stage_comes_first_and_earlier_stages_are_folded(login, walker):
    review = walker.to_state("awaiting_guidance")
    body = login("board").get(f"/reviews/{review.pk}/").content.decode()
    order = sections(body)
    assert order[0] == ("guidance", "current")
    assert ("conference", "earlier") in order and ("participants", "earlier") in order
    assert [status for _id, status in order] == sorted(
        (s for _i, s in order), key=["current", "earlier", "later"].index
    )
    # A folded section is a <details> whose summary line says what was recorded.
    assert re.search(r'<details class="panel stage-section stage-section-earlier" id="conference"', body)
    assert re.search(r'data-testid="section-summary-conference">— held on 30/11/2021, Phòng 305', body)
    assert re.search(r'<section class="panel stage-section stage-section-current" id="guidance"', body)


def test_at_approval_the_results_come_first(login, walker):
    review = walker.to_state("approved")
    order = sections(login("secretary").get(f"/reviews/{review.pk}/").content.decode())
    assert order[0] == ("results", "current") and all(status == "earlier" for _i, status in order[1:])


def test_a_refused_post_lists_each_error_at_the_top_and_at_its_field_with_its_section_open(login, walker):
    review = walker.to_state("approved")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    response = post(login("board"), review, "notification/", "notification", notified_on=tomorrow, note="")
    assert response.status_code == 400
    body = response.content.decode()
    summary = body.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'tabindex="-1"' in body.split('id="error-summary"', 1)[0][-200:]  # focusable (the script focuses it)
    assert 'href="#id_notification-notified_on"' in summary and "after today" in summary  # date_in_future
    field = body.split('id="id_notification-notified_on"', 1)[0][-1500:]
    assert "after today" in field  # … and next to the field
    assert body.index('id="error-summary"') < body.index('id="next-step"')  # at the top, not 3,000 px below


def test_an_error_in_an_earlier_stage_opens_its_section(login, walker):
    review = walker.to_state("awaiting_guidance")  # the conference is an earlier stage: folded
    response = post(
        login("secretary"),
        review,
        "conference/",
        "conference",
        held_on="30/11/2021",
        held_time="08:00",
        location="x" * (TEXT_LIMITS["location"] + 1),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert ("conference", "current") in sections(body)
    assert f"at most {TEXT_LIMITS['location']} characters are allowed" in body
    assert 'href="#id_conference-location"' in body


@pytest.mark.parametrize(
    ("path", "prefix", "field", "kind", "state", "persona"),
    [
        ("guidance/", "guidance", "text", "guidance_text", "awaiting_guidance", "board"),
        ("opinions/", "opinion", "text", "opinion_text", "collecting_opinions", "member"),
        ("report/", "report", "text", "report_text", "draft", "secretary"),
    ],
)
def test_every_text_has_its_limit_in_the_page_and_a_clear_error(
    login, walker, path, prefix, field, kind, state, persona
):
    review = walker.to_state(state)
    client = login(persona)
    limit = TEXT_LIMITS[kind]
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert re.search(rf'name="{prefix}-{field}"[^>]*maxlength="{limit}"', page)
    extra = {"channel": "written"} if prefix == "opinion" else {}
    response = post(client, review, path, prefix, **{field: "x" * (limit + 1)}, **extra)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"Too long: at most {limit} characters are allowed; this text has {limit + 1}." in body
    assert f'href="#id_{prefix}-{field}"' in body


def test_record_forms_and_dated_transitions_carry_the_day_with_today_as_default_and_maximum(login, walker):
    review = walker.to_state("draft", prepared=True)
    page = login("secretary").get(f"/reviews/{review.pk}/").content.decode()
    today = timezone.localdate().isoformat()
    for name in ("report-occurred_on", "t-circulate_draft-occurred_on"):
        assert re.search(rf'type="date" name="{name}" value="{today}"[^>]*max="{today}"', page), name
    assert 'name="t-cancel-occurred_on"' not in page  # cancel records no day


def test_a_transition_keeps_the_day_given(login, walker):
    review = walker.to_state("draft", prepared=True)
    response = post(
        login("secretary"),
        review,
        "transitions/circulate_draft/",
        "t-circulate_draft",
        occurred_on="2021-11-20",
        reason="",
    )
    assert response.status_code == 302
    assert Review.objects.get(pk=review.pk).circulated_on == datetime.date(2021, 11, 20)


def test_each_form_says_whether_it_replaces_or_adds(login, walker):
    review = walker.to_state("approved")
    page = login("secretary").get(f"/reviews/{review.pk}/").content.decode()
    plan_form = page.split('id="form-plan"', 1)[1].split("</form>", 1)[0]
    assert 'data-mode="replace"' in plan_form


def test_the_guidance_form_says_it_adds(login, walker):
    review = walker.to_state("awaiting_guidance")
    page = login("board").get(f"/reviews/{review.pk}/").content.decode()
    form = page.split('id="form-guidance"', 1)[1].split("</form>", 1)[0]
    assert 'data-mode="add"' in form


def test_long_texts_are_folded_with_show_all(login, walker, people):
    review = walker.to_state("awaiting_guidance")
    records.guidance_add(review=review, by=people.board, text="Đoạn dài. " * 200)
    body = login("member").get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-testid="long-text"' in body and 'class="long-text-all"' in body
    assert Guidance.objects.filter(review=review).count() == 1


def test_the_self_assessment_needs_its_basis(login, walker):
    review = walker.to_state("finalizing")
    response = post(
        login("secretary"), review, "self-assessment/", "assessment", proposed_rating="good", justification=""
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'name="assessment-justification"[^>]*aria-invalid="true"', body)
    assert 'href="#id_assessment-justification"' in body


def test_the_auditor_links_sit_at_the_top(login, walker):
    review = walker.to_state("approved")
    body = login("auditor").get(f"/reviews/{review.pk}/").content.decode()
    # drawn by templates/review_process/includes/auditor_links.html, above the stage's work
    assert body.index('data-testid="auditor-links"') < body.index('id="next-step"')
