"""The bulk compliance page shows the last verification of the audit trail and lets auditors verify now.

The page no longer re-hashes every event on each load: it reads the last ``AuditVerification`` (written hourly
by the ``workflows.verify_audit_trail`` task), and "verify now" runs the task (inline here: no broker).
"""

import pytest
from django.conf import settings
from django.urls import reverse

from review_process.models import AuditEvent
from workflows.models import AuditVerification
from workflows.verification import verify_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def bulk(client, **params):
    return client.get(reverse("compliance:bulk"), params or None).content.decode()


def test_the_page_shows_the_last_verification_without_re_hashing_the_trail(as_user, people, walker, monkeypatch):
    walker.to_state("collecting_opinions")
    verify_now()
    client = as_user(people.auditor)
    bulk(client)  # every module the page uses is imported before the check below is replaced

    def re_hash(*args, **kwargs):
        raise AssertionError("the page re-hashed the audit trail")

    for name in ("review_process.audit.verify_chain", "workflows.verification.verify_chain"):
        monkeypatch.setattr(name, re_hash)
    page = bulk(client, year=2021, organization="HN")
    count = AuditEvent.objects.count()
    assert f"{count} events, intact." in page
    assert "Verify now" in page


def test_a_broken_trail_is_shown_as_broken(as_user, people, walker, settings):
    walker.open()
    settings.AUDIT_HMAC_KEY = "another-key"
    verify_now()
    page = bulk(as_user(people.auditor))
    assert "the audit trail is NOT intact" in page


def test_verify_now_runs_a_verification_and_returns_to_the_page(as_user, people, walker):
    walker.open()
    client = as_user(people.auditor)
    response = client.post(reverse("compliance:verify"), {"year": "2021", "organization": "HN"})
    assert response.status_code == 302
    assert response["Location"] == reverse("compliance:bulk") + "?year=2021&organization=HN"
    verification = AuditVerification.objects.get()
    assert verification.ok and verification.requested_by == people.auditor
    page = client.get(response["Location"]).content.decode()
    assert "The audit trail is being verified." in page and "events, intact." in page


def test_only_those_who_audit_a_review_may_verify_now(as_user, people, walker):
    walker.open()
    client = as_user(people.member)  # sees the bulk page, audits no review
    assert "Verify now" not in bulk(client)
    assert client.post(reverse("compliance:verify")).status_code == 403
    assert not AuditVerification.objects.exists()
    client.logout()
    assert client.post(reverse("compliance:verify")).status_code == 302  # to the login page
    assert as_user(people.auditor).get(reverse("compliance:verify")).status_code == 405
    assert not AuditVerification.objects.exists()


def test_verify_now_does_not_start_a_second_verification_while_one_runs(as_user, people, walker):
    walker.open()
    AuditVerification.objects.create()  # started, not finished
    client = as_user(people.auditor)
    response = client.post(reverse("compliance:verify"), follow=True)
    assert "A verification is already running." in response.content.decode()
    assert AuditVerification.objects.count() == 1
