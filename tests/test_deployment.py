"""Accounts and deployment settings: password reset by e-mail, password rules, login throttling, sessions,
the production security settings (`check --deploy`, HTTPS behind the proxy, content security policy), and
that Django's superuser and staff flags give no power over reviews."""

from __future__ import annotations

import base64
import pickle
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import password_validation
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from config import throttling
from review_process.models import Review
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Trống-đồng-Đông-Sơn-2024"  # noqa: S105 - a test password that passes every validator


# --- Password reset and password rules ------------------------------------------------------------------


def test_password_reset_sends_a_link_that_sets_a_new_password(client, people):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in page
    form = client.get("/accounts/password_reset/")
    assert form.status_code == 200
    assert 'class="site-header"' in form.content.decode()  # the site's layout, not viewflow's
    response = client.post("/accounts/password_reset/", {"email": "pvhung@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pvhung@example.org"]
    assert "\n" not in message.subject
    assert "pvhung" in message.body
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)

    confirm = client.get(link, follow=True)
    assert confirm.status_code == 200 and confirm.context["validlink"]
    set_password_url = confirm.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    people.secretary.refresh_from_db()
    assert people.secretary.check_password(NEW_PASSWORD)
    # The link works once.
    assert not client.get(link, follow=True).context["validlink"]


def test_an_unknown_address_sends_nothing_and_says_the_same(client, people):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


@pytest.mark.parametrize(
    "password",
    ["Ab1-short", "1234567890123", "password1234", "pvhung2021x"],
    ids=["too-short", "numeric", "common", "like-the-login-name"],
)
def test_a_weak_password_is_refused(people, password):
    with pytest.raises(ValidationError):
        password_validation.validate_password(password, people.secretary)


def test_the_reset_form_refuses_a_weak_password(client, people):
    client.post("/accounts/password_reset/", {"email": "pvhung@example.org"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": "1234567890", "new_password2": "1234567890"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    people.secretary.refresh_from_db()
    assert people.secretary.check_password("pw")


def test_password_change_uses_the_sites_layout_and_the_rules(client, people):
    client.force_login(people.secretary)
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200 and 'class="site-header"' in page.content.decode()
    weak = {"old_password": "pw", "new_password1": "abcdefghij", "new_password2": "abcdefghij"}
    assert client.post("/accounts/password_change/", weak).status_code == 200
    good = {"old_password": "pw", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post("/accounts/password_change/", good)["Location"] == "/accounts/password_change/done/"


# --- Login throttling ----------------------------------------------------------------------------------


def test_the_sixth_failed_login_is_locked_out_with_a_translated_page(client, people):
    """AXES_FAILURE_LIMIT (5) failures for one login name from one address lock it out for 15 minutes."""
    wrong = {"username": "pvhung", "password": "wrong"}
    for _ in range(4):
        response = client.post("/accounts/login/", wrong)
        assert response.status_code == 200 and response.context["form"].errors
    assert client.post("/accounts/login/", wrong).status_code == 429  # the fifth failure locks
    response = client.post("/accounts/login/", {"username": "pvhung", "password": "pw"})
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert 'data-testid="locked-out"' in page and 'lang="vi"' in page
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session
    client.cookies["django_language"] = "en"  # the language chosen with the switch (Accept-Language is ignored)
    english = client.post("/accounts/login/", {"username": "pvhung", "password": "pw"})
    assert "Try again in 15 minutes." in english.content.decode()
    # Another login name from the same address still logs in.
    assert client.post("/accounts/login/", {"username": "ntlan", "password": "pw"}).status_code == 302


def test_a_successful_login_resets_the_count(client, people):
    wrong = {"username": "pvhung", "password": "wrong"}
    for _ in range(4):
        client.post("/accounts/login/", wrong)
    assert client.post("/accounts/login/", {"username": "pvhung", "password": "pw"}).status_code == 302
    client.logout()
    for _ in range(4):
        assert client.post("/accounts/login/", wrong).status_code == 200


def test_the_test_clients_login_still_works(client, people):
    assert client.login(username="pvhung", password="pw")
    assert not client.login(username="pvhung", password="wrong")


@override_settings(TRUST_X_FORWARDED_FOR=True)
def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert throttling.client_ip(request) == "203.0.113.7"
    assert throttling.client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    with override_settings(TRUST_X_FORWARDED_FOR=False):
        assert throttling.client_ip(request) == "10.0.0.2"


# --- Production settings -------------------------------------------------------------------------------

SECURITY_SETTINGS = re.compile(
    r"^(DEBUG|SECRET_KEY|ALLOWED_HOSTS|SECURE_.*|SESSION_.*|CSRF_.*|CONTENT_SECURITY_POLICY.*)$"
)
DUMP = """
import base64, pickle, re, sys
import config.settings as s
names = [n for n in dir(s) if re.match(sys.argv[1], n)]
sys.stdout.write(base64.b64encode(pickle.dumps({n: getattr(s, n) for n in names})).decode())
"""


def production_settings(**env) -> dict:
    """config.settings' security settings as the production environment makes them (read in a fresh process)."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "example.org",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", DUMP, SECURITY_SETTINGS.pattern],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return pickle.loads(base64.b64decode(result.stdout))  # noqa: S301 - our own subprocess


@pytest.fixture(scope="module")
def production():
    return production_settings(CSRF_TRUSTED_ORIGINS="https://example.org")


def test_production_settings_are_secure(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert production["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production["CSRF_TRUSTED_ORIGINS"] == ["https://example.org"]
    assert production["SESSION_COOKIE_AGE"] == 8 * 60 * 60 and production["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert "CONTENT_SECURITY_POLICY_REPORT_ONLY" not in production
    directives = production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert directives["default-src"] == ["'self'"] and "'unsafe-inline'" not in directives["script-src"]


def test_the_environment_tunes_the_production_settings():
    tuned = production_settings(
        TRUST_X_FORWARDED_PROTO="false", SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="60", SESSION_COOKIE_AGE="600"
    )
    assert "SECURE_PROXY_SSL_HEADER" not in tuned
    assert tuned["SECURE_SSL_REDIRECT"] is False and tuned["SECURE_HSTS_SECONDS"] == 60
    assert tuned["SESSION_COOKIE_AGE"] == 600


def test_the_deploy_check_passes_with_the_production_settings(production):
    with override_settings(**production):
        call_command("check", deploy=True, fail_level="WARNING")


def test_https_is_required_behind_the_proxy(client, production, people):
    with override_settings(**{**production, "ALLOWED_HOSTS": ["testserver"]}):
        response = client.get("/accounts/login/")
        assert response.status_code == 301 and response["Location"] == "https://testserver/accounts/login/"
        secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert secure.cookies["csrftoken"]["secure"]
        client.post(
            "/accounts/login/",
            {"username": "pvhung", "password": "pw", "csrfmiddlewaretoken": secure.cookies["csrftoken"].value},
            HTTP_X_FORWARDED_PROTO="https",
        )
        session = client.cookies["sessionid"]
        assert session["secure"] and session["httponly"] and not session["max-age"]  # ends with the browser


def test_the_content_security_policy_allows_only_nonced_inline_code(client, production, people):
    with override_settings(**{**production, "ALLOWED_HOSTS": ["testserver"]}):
        client.force_login(people.secretary)
        page = client.get("/accounts/password_change/", HTTP_X_FORWARDED_PROTO="https")
        policy = page["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy.split("style-src-attr")[0]
        docs = client.get("/api/v1/docs/", HTTP_X_FORWARDED_PROTO="https")
        nonce = re.search(r"'nonce-([^']+)'", docs["Content-Security-Policy"]).group(1)
        html = docs.content.decode()
        assert html.count(f'nonce="{nonce}"') == 2  # Swagger UI's inline style and script
        assert "<script>" not in html and "<style>" not in html


# --- Superuser and staff flags -------------------------------------------------------------------------


def test_a_superuser_without_a_position_has_no_power_over_reviews(client, walker):
    review = walker.open()
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(f"/reviews/{review.pk}/").status_code == 404
    assert client.get(f"/reviews/{review.pk}/audit-trail/").status_code == 404
    api = APIClient()
    api.force_authenticate(root)
    assert api.get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert api.get("/api/v1/reviews/").json()["count"] == 0
    response = api.post(f"/api/v1/reviews/{review.pk}/transitions/circulate_draft/", {}, format="json")
    assert response.status_code == 404
    for organization in ("LB-TT", "LB-DG"):  # no review yet; its review already open
        opened = api.post("/api/v1/reviews/", {"organization": organization, "year": 2021}, format="json")
        assert opened.status_code in (403, 404), opened.json()
    # The page's form offers no organisation to a person without a position: any choice is refused.
    assert client.post("/reviews/open/", {"organization": "LB-TT", "year": 2021}).status_code in (400, 403, 404)
    assert Review.objects.count() == 1
