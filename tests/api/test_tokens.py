"""API tokens: created with a password, refused once API_TOKEN_TTL_DAYS old (401 token_expired), revocable."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_login_name_and_password_give_a_new_token_that_replaces_the_old_one(people):
    old = Token.objects.create(user=people.secretary)
    response = APIClient().post(TOKEN_URL, {"username": "pvhung", "password": "pw"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["token"] != old.key
    assert not Token.objects.filter(key=old.key).exists()
    created = datetime.datetime.fromisoformat(body["created"])
    assert datetime.datetime.fromisoformat(body["expires"]) - created == datetime.timedelta(days=90)
    assert with_token(body["token"]).get("/api/v1/reviews/").status_code == 200
    assert with_token(old.key).get("/api/v1/reviews/").json()["code"] == "authentication_failed"


def test_an_expired_token_may_still_ask_for_a_new_one(people):
    """POST reads no Authorization header: a client whose token expired renews it with its password."""
    old = Token.objects.create(user=people.secretary)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - datetime.timedelta(days=91))
    response = with_token(old.key).post(TOKEN_URL, {"username": "pvhung", "password": "pw"}, format="json")
    assert response.status_code == 201


def test_a_wrong_password_is_401_in_the_api_error_shape(people):
    response = APIClient().post(TOKEN_URL, {"username": "pvhung", "password": "wrong"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert response["WWW-Authenticate"] == "Token"
    assert not Token.objects.filter(user=people.secretary).exists()


def test_missing_fields_are_400_naming_the_field(people):
    response = APIClient().post(TOKEN_URL, {"username": "pvhung"}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "password"


@override_settings(API_TOKEN_TTL_DAYS=30)
def test_a_token_older_than_the_ttl_is_refused_with_token_expired(people):
    token = Token.objects.create(user=people.secretary)
    client = with_token(token.key)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=29, hours=23))
    assert client.get("/api/v1/reviews/").status_code == 200
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=30, minutes=1))
    response = client.get("/api/v1/reviews/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert "POST /api/v1/auth/token/" in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_revoking_a_token_makes_it_fail(people):
    token = Token.objects.create(user=people.secretary)
    client = with_token(token.key)
    assert client.delete(TOKEN_URL).status_code == 204
    assert not Token.objects.filter(user=people.secretary).exists()
    response = client.get("/api/v1/reviews/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert client.delete(TOKEN_URL).status_code == 401


def test_revoking_needs_authentication():
    response = APIClient().delete(TOKEN_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_failed_token_requests_count_towards_the_login_lockout(people):
    client = APIClient()
    codes = [client.post(TOKEN_URL, {"username": "pvhung", "password": "wrong"}).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    response = client.post(TOKEN_URL, {"username": "pvhung", "password": "pw"}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert response["Retry-After"] == str(15 * 60)
    # The login page is locked for the same login name from the same address.
    page = client.post("/accounts/login/", {"username": "pvhung", "password": "pw"})
    assert page.status_code == 429
    # Another person from the same address is not.
    assert client.post(TOKEN_URL, {"username": "ntlan", "password": "pw"}).status_code == 201
