"""The profile page (``/profile/``): who I am, my positions, and my own API token.

A person has at most one API token (DRF's ``authtoken`` table, as for ``POST /api/v1/auth/token/``). Creating one
replaces the previous one and shows the new key once, in full, in the answer to that POST (never cached, never
stored in the session); afterwards the page shows only that a token exists, its first four characters, when it
was created and when it expires (``API_TOKEN_TTL_DAYS`` after its creation, the rule the API's authentication
applies). Revoking deletes it. Tokens are credentials, not review records: nothing is written to the audit trail.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authtoken.models import Token

from permissions.models import Position

TEMPLATE = "review_process/profile.html"
KEY_PREFIX_LENGTH = 4


def _token_facts(token: Token | None) -> dict | None:
    if token is None:
        return None
    expires = token.created + timedelta(days=settings.API_TOKEN_TTL_DAYS)
    return {
        "prefix": token.key[:KEY_PREFIX_LENGTH],
        "created": token.created,
        "expires": expires,
        "expired": timezone.now() >= expires,
    }


def _page(request, *, new_key: str | None = None):
    token = Token.objects.filter(user=request.user).first()
    positions = (
        Position.objects.active_on().filter(person=request.user).select_related("organization").order_by("start")
    )
    context = {
        "nav": "profile",
        "positions": positions,
        "token": _token_facts(token),
        "new_key": new_key,
        "ttl_days": settings.API_TOKEN_TTL_DAYS,
    }
    return render(request, TEMPLATE, context)


@require_GET
@login_required
@never_cache
def profile(request):
    return _page(request)


@require_POST
@login_required
@never_cache
def token_create(request):
    """A new token replacing the person's previous one; its key is in this answer only."""
    with transaction.atomic():
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
    messages.success(request, _("Your new API token was created. Copy it now: it will not be shown again."))
    return _page(request, new_key=token.key)


@require_POST
@login_required
def token_revoke(request):
    deleted, _rows = Token.objects.filter(user=request.user).delete()
    if deleted:
        messages.success(request, _("Your API token was revoked: it is refused from now on."))
    return redirect("review_process:profile")
