"""The auditors' pages: who may see them, what they show, and the downloads."""

import csv
import io
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from review_process.compliance.rules import RULES
from review_process.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the pages follow the chosen language only
        return client

    return login


def test_an_auditor_sees_the_report_the_chain_verdict_and_the_downloads(as_user, people, clean_review):
    response = as_user(people.auditor).get(reverse("compliance:review", args=[clean_review.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Compliant" in page
    assert f"Audit trail intact: {AuditEvent.objects.filter(review=clean_review).count()} events checked." in page
    for rule in ("draft_notice", "competent_body", "superior_representative"):
        assert f'data-rule="{rule}"' in page  # the rule's row; its code is not shown as text
    assert reverse("compliance:evidence-archive", args=[clean_review.pk]) in page
    assert reverse("compliance:document", args=[clean_review.pk, "minutes", "pdf"]) in page
    assert reverse("compliance:document", args=[clean_review.pk, "final-report", "docx"]) in page


def test_a_failing_rule_is_shown_with_its_message(as_user, people, clean_review):
    clean_review.conference.superior_representatives.clear()
    page = as_user(people.inspection).get(reverse("compliance:review", args=[clean_review.pk])).content.decode()
    assert "Not compliant: 2 rules failed" in page  # the rule, and records_intact: the row was edited directly
    assert "No representative of the superior committee is recorded at the conference." in page


def test_who_may_not_see_the_report(as_user, people, clean_review):
    url = reverse("compliance:review", args=[clean_review.pk])
    assert as_user(people.outsider).get(url).status_code == 404  # cannot see the review at all
    assert as_user(people.member).get(url).status_code == 403  # sees it, may not read its audit trail
    assert as_user(people.member).get(reverse("compliance:evidence-archive", args=[clean_review.pk])).status_code == 403
    assert as_user(people.auditor).get(reverse("compliance:review", args=[999999])).status_code == 404


def test_anonymous_people_are_sent_to_log_in(client, clean_review):
    response = client.get(reverse("compliance:review", args=[clean_review.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_downloads(as_user, people, clean_review):
    client = as_user(people.auditor)
    archive = client.get(reverse("compliance:evidence-archive", args=[clean_review.pk]))
    assert archive["Content-Type"] == "application/zip"
    assert 'filename="ho-so-kiem-diem-lb-dg-2021.zip"' in archive["Content-Disposition"]
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    pdf = client.get(reverse("compliance:document", args=[clean_review.pk, "minutes", "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(reverse("compliance:document", args=[clean_review.pk, "final-report", "docx"]))
    assert docx.content.startswith(b"PK")
    assert client.get(reverse("compliance:document", args=[clean_review.pk, "other", "pdf"])).status_code == 404


def test_documents_that_do_not_exist_yet_are_404(as_user, people, walker):
    review = walker.open()
    url = reverse("compliance:document", args=[review.pk, "minutes", "docx"])
    assert as_user(people.auditor).get(url).status_code == 404


def test_the_bulk_page_counts_and_lists_the_reviews_one_may_audit(as_user, people, clean_review):
    client = as_user(people.auditor)
    page = client.get(reverse("compliance:bulk"), {"year": 2021, "organization": "HN"}).content.decode()
    assert "1 reviews audited: 1 compliant, 0 not compliant." in page
    assert reverse("compliance:review", args=[clean_review.pk]) in page
    # The last scheduled verification, not a re-hash (tests/compliance/test_audit_verification_page.py).
    assert "The audit trail has not been verified yet." in page
    # An organisation outside what the person may see is not found; the form alone renders.
    assert (
        as_user(people.outsider).get(reverse("compliance:bulk"), {"year": 2021, "organization": "LB"}).status_code
        == 404
    )
    assert as_user(people.outsider).get(reverse("compliance:bulk")).status_code == 200


def test_a_committee_member_audits_nothing(as_user, people, clean_review):
    page = as_user(people.member).get(reverse("compliance:bulk"), {"year": 2021, "organization": "LB-DG"})
    assert "0 reviews audited" in page.content.decode()


def test_the_bulk_exports(as_user, people, clean_review):
    client = as_user(people.auditor)
    params = {"year": 2021, "organization": "LB"}
    response = client.get(reverse("compliance:bulk-export", args=["csv"]), params)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == len(RULES) and {r["review"] for r in rows} == {str(clean_review.pk)}
    response = client.get(reverse("compliance:bulk-export", args=["xlsx"]), params)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook["summary"]["B1"].value == 1
    assert client.get(reverse("compliance:bulk-export", args=["pdf"]), params).status_code == 404
