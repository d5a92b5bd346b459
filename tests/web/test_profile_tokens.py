"""The profile page: my name and positions, and my own API token: created there (its key shown once, in full),
then only its first four characters, creation and expiry dates; revoked there. Nothing is audited."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from review_process.models import AuditEvent

pytestmark = pytest.mark.django_db

PROFILE = reverse("review_process:profile")
CREATE = reverse("review_process:profile-token-create")
REVOKE = reverse("review_process:profile-token-revoke")


@pytest.fixture
def me(client, people):
    client.force_login(people.secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def api_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/reviews/").status_code


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(PROFILE)
    assert response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL)
    assert client.post(CREATE).status_code == 302
    assert not Token.objects.exists()


def test_the_page_shows_my_name_my_positions_and_a_link_in_the_menu(me, people):
    page = me.get(PROFILE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phan Việt Hưng" in html and "pvhung" in html
    assert 'data-testid="profile-positions"' in html and people.secretary.positions.first().organization.name in html
    assert 'data-testid="no-token"' in html
    assert 'data-testid="profile-link"' in me.get("/").content.decode()


def test_a_token_is_created_shown_once_and_then_only_its_first_four_characters(me, people):
    audited = AuditEvent.objects.count()
    created = me.post(CREATE)
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    token = Token.objects.get(user=people.secretary)
    html = created.content.decode()
    assert f'value="{token.key}"' in html and "shown only this once" in html
    assert api_status(token.key) == 200

    later = me.get(PROFILE).content.decode()
    assert token.key not in later
    assert f"{token.key[:4]}…" in later
    expires = timezone.localtime(token.created + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS))
    assert expires.strftime("%d/%m/%Y") in later
    assert AuditEvent.objects.count() == audited  # credentials, not review records


def test_a_new_token_replaces_the_old_one(me, people):
    old = Token.objects.create(user=people.secretary)
    me.post(CREATE)
    new = Token.objects.get(user=people.secretary)
    assert new.key != old.key
    assert api_status(old.key) == 401 and api_status(new.key) == 200


def test_revoking_deletes_my_token_only(me, people):
    mine = Token.objects.create(user=people.secretary)
    theirs = Token.objects.create(user=people.deputy)
    response = me.post(REVOKE)
    assert response.status_code == 302 and response["Location"] == PROFILE
    assert not Token.objects.filter(pk=mine.pk).exists() and Token.objects.filter(pk=theirs.pk).exists()
    assert api_status(mine.key) == 401
    assert 'data-testid="no-token"' in me.get(PROFILE).content.decode()


def test_an_expired_token_is_marked_expired(me, people):
    token = Token.objects.create(user=people.secretary)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=91))
    assert "badge-overdue" in me.get(PROFILE).content.decode()


def test_the_actions_are_post_only_and_need_the_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.secretary)
    assert client.get(CREATE).status_code == 405
    assert client.get(REVOKE).status_code == 405
    assert client.post(CREATE).status_code == 403
    assert not Token.objects.exists()
