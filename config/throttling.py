"""Login throttling with django-axes: the backend, the client address and the lockout response.

- ``LoginThrottleBackend``: django-axes' standalone backend, first in AUTHENTICATION_BACKENDS, refusing a
  locked-out login name and address before any backend checks the password. Every way in passes the request
  (the login page, the admin's, ``POST /api/v1/auth/token/``); a call to ``authenticate()`` without one
  (Django's test client ``login()``, a shell) has no address to key a lockout on and is not throttled, where
  django-axes would raise an error.
- ``client_ip``: the address a lockout is keyed on. Behind the documented reverse proxy (TRUST_X_FORWARDED_FOR)
  it is the right-most X-Forwarded-For entry, the one the proxy appended; a client cannot forge it, while
  anything it sent itself stays to the left. Otherwise REMOTE_ADDR.
- ``lockout_response``: under /api/ the API's error shape (429 ``locked_out``), elsewhere the translated page
  ``registration/locked_out.html``, both with status 429.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

LOCKED_OUT_STATUS = 429


class LoginThrottleBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out_message() -> str:
    minutes = cooloff_minutes()
    return ngettext(
        "Too many failed logins with this login name from this address. Try again in %(minutes)s minute.",
        "Too many failed logins with this login name from this address. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "locked_out", "detail": locked_out_message()}, status=LOCKED_OUT_STATUS)
    else:
        context = {"minutes": cooloff_minutes(), "failure_limit": settings.AXES_FAILURE_LIMIT}
        response = render(request, "registration/locked_out.html", context, status=LOCKED_OUT_STATUS)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
