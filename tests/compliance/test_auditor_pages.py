"""Auditors find and read what they need (issue 13, item 7).

* The compliance report, the documents and the evidence file are linked from the review page's include
  (``review_process/includes/auditor_links.html``), the audit trail page and the top menu, for those who may open
  them, and for nobody else.
* No code is shown as text on the auditors' pages or in the evidence archive's index: no stage, result, rule or
  audit-action code; every evidence reference is a link to the event or the record.
* Every date is dd/mm/yyyy in Hà Nội time: an event recorded at 20:00 UTC shows on the next day.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from review_process.compliance.rules import RULES, Status
from review_process.models import AuditEvent, ReviewState
from tests.compliance.conftest import open_review
from web.templatetags.auditor_ui import hanoi_date, hanoi_datetime
from workflows.services import review_open

pytestmark = pytest.mark.django_db

UTC_EVENING = datetime.datetime(2021, 11, 18, 20, 0, tzinfo=datetime.UTC)  # 19/11/2021 03:00 in Hà Nội


class _Text(HTMLParser):
    """The text a reader sees: everything outside tags, except <style> and <script>."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def codes_shown(text: str, review) -> list[str]:
    """Every state, result, rule or audit-action code of ``review`` that appears in ``text`` as a word."""
    actions = set(AuditEvent.objects.filter(review=review).values_list("action", flat=True))
    codes = {*ReviewState.values, *Status.values, *(r.code for r in RULES), "records_intact", *actions}
    codes |= {"audit_event", "evidence_item", "report_version", "opinion_response", "self_assessment", "remedial_plan"}
    return sorted(c for c in codes if re.search(rf"(?<![\w.]){re.escape(c)}(?![\w.])", text))


@pytest.fixture
def vi_client(client):
    def login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
        return client

    return login


def test_dates_are_shown_in_hanoi_time_as_day_month_year():
    assert hanoi_datetime(UTC_EVENING) == "19/11/2021 03:00"
    assert hanoi_date(UTC_EVENING) == "19/11/2021"  # the next day in Hà Nội
    assert hanoi_datetime("2021-11-18T20:00:00+00:00") == "19/11/2021 03:00"
    assert hanoi_date("2021-11-30") == "30/11/2021"
    assert hanoi_date(datetime.date(2021, 12, 8)) == "08/12/2021"
    assert hanoi_date(None) == ""


def test_the_links_include_lists_what_the_person_may_open(people, clean_review):
    review = clean_review
    html = render_to_string("review_process/includes/auditor_links.html", {"review": review, "user": people.auditor})
    for url in (
        reverse("compliance:review", args=[review.pk]),
        reverse("compliance:evidence-archive", args=[review.pk]),
        reverse("review_process:audit-trail", args=[review.pk]),
        reverse("compliance:document", args=[review.pk, "minutes", "docx"]),
        reverse("compliance:document", args=[review.pk, "minutes", "pdf"]),
        reverse("compliance:document", args=[review.pk, "final-report", "pdf"]),
    ):
        assert f'href="{url}"' in html, url
    assert "ballot-minutes" not in html  # a collective review has no ballot
    for person in (people.member, people.outsider):  # sees the review without its audit trail; sees nothing
        html = render_to_string("review_process/includes/auditor_links.html", {"review": review, "user": person})
        assert "/compliance/" not in html and "audit-trail" not in html


def test_documents_that_cannot_be_generated_yet_are_not_linked(walker, people):
    review = open_review(walker)
    html = render_to_string("review_process/includes/auditor_links.html", {"review": review, "user": people.auditor})
    assert reverse("compliance:review", args=[review.pk]) in html
    assert "minutes" not in html and "final-report" not in html


def test_the_audit_trail_page_links_the_auditors_files(vi_client, people, clean_review):
    html = vi_client(people.auditor).get(reverse("review_process:audit-trail", args=[clean_review.pk])).content.decode()
    assert 'data-testid="auditor-links"' in html
    assert reverse("compliance:evidence-archive", args=[clean_review.pk]) in html
    assert 'data-testid="breadcrumbs"' in html


def test_the_top_menu_links_the_bulk_compliance_page_for_those_who_may_audit(vi_client, people, clean_review):
    bulk = reverse("compliance:bulk")
    for person in (people.auditor, people.inspection, people.standing):
        assert f'href="{bulk}"' in vi_client(person).get("/").content.decode(), person
    for person in (people.member, people.outsider):
        assert f'href="{bulk}"' not in vi_client(person).get("/").content.decode(), person


def test_the_compliance_report_shows_no_code_and_links_every_piece_of_evidence(vi_client, people, clean_review):
    review = clean_review
    html = vi_client(people.auditor).get(reverse("compliance:review", args=[review.pk])).content.decode()
    text = visible_text(html)
    assert codes_shown(text, review) == []
    assert "N ngày" not in text and f"ít nhất {review.regime.draft_notice_days} ngày" in text  # filled in
    event_links = re.findall(rf'href="/reviews/{review.pk}/audit-trail/#audit-event-(\d+)"', html)
    assert event_links  # the findings cite audit events: each is a link to the event
    trail = vi_client(people.auditor).get(reverse("review_process:audit-trail", args=[review.pk])).content.decode()
    for pk in set(event_links):
        assert f'id="audit-event-{pk}"' in trail
    assert f'href="/reviews/{review.pk}/#conference"' in html  # a record: its place on the review page


def test_the_audit_trail_shows_stages_and_dates_in_words_and_hanoi_time(vi_client, people):
    with time_machine.travel(UTC_EVENING, tick=False):
        review = review_open(organization_code="LB-DG", year=2021, kind="collective", by=people.secretary)
    assert AuditEvent.objects.get(review=review).occurred_at == UTC_EVENING  # recorded at 20:00 UTC
    html = vi_client(people.secretary).get(reverse("review_process:audit-trail", args=[review.pk])).content.decode()
    text = visible_text(html)
    assert "19/11/2021 03:00" in text and "18/11/2021" not in text
    assert codes_shown(text, review) == []


def test_the_bulk_page_shows_no_code(vi_client, people, clean_review):
    response = vi_client(people.auditor).get(reverse("compliance:bulk"), {"year": 2021, "organization": "LB"})
    text = visible_text(response.content.decode())
    assert "Đức Giang" in text
    assert codes_shown(text, clean_review) == []
    assert "N ngày" not in text


def test_the_evidence_index_shows_no_code_and_dates_in_hanoi_time(vi_client, people, clean_review):
    response = vi_client(people.auditor).get(reverse("compliance:evidence-archive", args=[clean_review.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    name = next(n for n in archive.namelist() if n.endswith("index.html"))
    text = visible_text(archive.read(name).decode())
    assert codes_shown(text, clean_review) == []
    assert "N ngày" not in text and f"ít nhất {clean_review.regime.draft_notice_days} ngày" in text
    assert re.search(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b", text)  # when it was generated
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO date
