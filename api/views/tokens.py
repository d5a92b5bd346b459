"""API tokens: ask for one with a login name and password, revoke your own.

``POST /api/v1/auth/token/`` checks the password like the login page does, through django-axes: failed
attempts count towards the same lockout (429 ``locked_out``), and a success counts as a login. It replaces the
person's token with a new one (a person has one token, valid API_TOKEN_TTL_DAYS days: api/authentication.py);
it reads no ``Authorization`` header, so a client whose token has expired renews it the same way.
``DELETE`` deletes the caller's token: it is refused from then on.
"""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import ExpiringTokenAuthentication, token_expires_at
from api.errors import ErrorSerializer
from config.throttling import LOCKED_OUT_STATUS, locked_out_message


class TokenCredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="Login name.")
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField(help_text="After this instant the token is refused (401 `token_expired`).")


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_detail = _("Invalid username/password.")
    default_code = "invalid_credentials"


class LockedOut(exceptions.APIException):
    status_code = LOCKED_OUT_STATUS
    default_code = "locked_out"


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


class TokenView(APIView):
    def _is_post(self) -> bool:
        request = getattr(self, "request", None)  # None while drf-spectacular builds the schema
        return request is not None and request.method == "POST"

    def get_authenticators(self):
        # POST authenticates by the password in its body and ignores any (possibly expired) token sent with it.
        return [] if self._is_post() else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self._is_post() else super().get_permissions()

    def get_authenticate_header(self, request):
        return ExpiringTokenAuthentication.keyword  # 401, not 403, for a wrong password too

    @extend_schema(
        tags=["auth"],
        auth=[],
        request=TokenCredentialsSerializer,
        responses={
            201: TokenSerializer,
            400: _error("Malformed input; `field` names the field at fault."),
            401: _error("Wrong login name or password, or the account is inactive (`invalid_credentials`)."),
            415: _error("The request body's media type is not accepted here."),
            429: _error("Too many failed logins for this login name from this address (`locked_out`)."),
        },
        description="A new API token for this login name and password, replacing the person's previous one.",
    )
    def post(self, request):
        data = TokenCredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        http_request = request._request  # django-axes records the attempt on Django's request
        user = authenticate(http_request, **data.validated_data)
        if getattr(http_request, "axes_locked_out", False):
            raise LockedOut(locked_out_message())
        if user is None:
            raise InvalidCredentials()
        with transaction.atomic():
            Token.objects.filter(user=user).delete()
            token = Token.objects.create(user=user)
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        body = {"token": token.key, "created": token.created, "expires": token_expires_at(token)}
        return Response(TokenSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["auth"],
        request=None,
        responses={
            204: None,
            401: _error("Not authenticated."),
            403: _error("CSRF check failed (session authentication only)."),
        },
        description="Revoke the caller's API token (it is refused from then on).",
    )
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
