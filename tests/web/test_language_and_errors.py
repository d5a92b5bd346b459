"""Vietnamese unless the person chose English (the browser's Accept-Language is ignored on pages, kept for the
API); the site's own translated 403/404/500 pages (the API keeps its JSON errors); one log line, without a
traceback, for an ordinary refusal."""

from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from config import urls as site_urls
from config.log_filters import NoTracebackBelow500

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.web.test_language_and_errors")]


def _forbidden(request):
    raise PermissionDenied


def _boom(request):
    raise RuntimeError("boom")


# This module is also the URLconf of its tests: the site's URLs plus a page that refuses and one that fails.
urlpatterns = [path("test-forbidden/", _forbidden), path("test-boom/", _boom), *site_urls.urlpatterns]
handler404 = site_urls.handler404
handler500 = site_urls.handler500


def test_an_english_browser_still_gets_vietnamese(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert 'lang="vi"' in page.content.decode()
    assert page["Content-Language"] == "vi"


def test_after_choosing_english_the_pages_are_in_english_and_the_choice_is_remembered(client):
    chosen = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert chosen.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    for _ in range(2):
        page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="vi")
        assert 'lang="en"' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert 'lang="vi"' in client.get("/accounts/login/").content.decode()


def test_an_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert 'lang="vi"' in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_api_still_follows_accept_language(client):
    english = client.get("/api/v1/reviews/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code in (401, 403)
    assert english["Content-Language"] == "en"
    assert client.get("/api/v1/reviews/")["Content-Language"] == "vi"


def test_a_bad_url_shows_the_sites_translated_404_page(client, people):
    assert not settings.DEBUG  # as `make run` serves: never Django's technical 404 page
    client.force_login(people.secretary)
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    html = page.content.decode()
    assert 'data-testid="error-404"' in html and 'lang="vi"' in html and "Không tìm thấy" in html
    assert 'href="/"' in html and "site-header" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Not found" in client.get("/no-such-page/").content.decode()


def test_the_api_keeps_its_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_refusal_shows_the_sites_403_page(client, people):
    client.force_login(people.secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/test-forbidden/")
    assert page.status_code == 403
    html = page.content.decode()
    assert 'data-testid="error-403"' in html and "Not allowed" in html and "site-header" in html


def test_an_error_shows_the_sites_500_page():
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/test-boom/")
    assert page.status_code == 500
    html = page.content.decode()
    assert 'data-testid="error-500"' in html and "Something went wrong" in html and "site-header" in html
    assert 'lang="en"' in html


def test_a_refusal_is_logged_once_without_a_traceback(client, people):
    consoles = [h for h in logging.getLogger().handlers if any(isinstance(f, NoTracebackBelow500) for f in h.filters)]
    assert len(consoles) == 1
    client.force_login(people.secretary)
    out = io.StringIO()
    previous = consoles[0].setStream(out)
    try:
        client.get("/test-forbidden/")
    finally:
        consoles[0].setStream(previous)
    assert out.getvalue() == "Forbidden (Permission denied): /test-forbidden/\n"


def test_one_console_handler_on_the_root_logger():
    assert settings.LOGGING["root"]["handlers"] == ["console"]
    assert settings.LOGGING["loggers"]["django"]["handlers"] == []
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate


def test_the_filter_keeps_the_traceback_of_a_500_only():
    def record(status):
        try:
            raise ValueError("x")
        except ValueError as exc:
            made = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "m", (), (type(exc), exc, None))
        made.status_code = status
        return made

    refused, failed = record(403), record(500)
    assert NoTracebackBelow500().filter(refused) and refused.exc_info is None
    assert NoTracebackBelow500().filter(failed) and failed.exc_info is not None


def test_a_refused_csrf_check_shows_the_sites_own_page(people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.secretary)
    response = client.post("/profile/token/", {})
    assert response.status_code == 403
    assert 'data-testid="error-403"' in response.content.decode()
