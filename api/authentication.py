"""API tokens that expire: DRF's token authentication, refusing a token older than API_TOKEN_TTL_DAYS.

A token's age counts from its creation (``Token.created``); asking for a new one (``POST /api/v1/auth/token/``)
replaces it, revoking it (``DELETE``) deletes it. An expired token is refused with 401 ``token_expired`` in
the API's error shape (api/errors.py), a deleted or unknown one with 401 ``authentication_failed``, as before.
No model of our own: DRF's ``authtoken`` table holds the one token a person has.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("The API token has expired; ask for a new one with POST /api/v1/auth/token/.")
    default_code = "token_expired"


def token_expires_at(token: Token) -> datetime:
    return token.created + timedelta(days=settings.API_TOKEN_TTL_DAYS)


def token_is_expired(token: Token) -> bool:
    return timezone.now() >= token_expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, valid for API_TOKEN_TTL_DAYS days after the token was created."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            raise TokenExpired()
        return user, token
