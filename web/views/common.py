"""Small helpers every page shares: the review or a 404, the review page's URL, and the person's saved drafts.

"Save draft" on the long forms (report text, self-assessment) keeps the text in the person's session only:
nothing is recorded, audited or shown to anyone else until they submit (see docs/web.md).
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from review_process.errors import NotFound
from review_process.models import Review
from review_process.selectors import review_get_for_user

SESSION_DRAFTS = "review_form_drafts"


def review_or_404(request, pk) -> Review:
    """The review ``request.user`` may see, or 404 (a review they may not see does not exist for them)."""
    try:
        return review_get_for_user(user=request.user, review_id=pk)
    except NotFound:
        raise Http404() from None


def review_url(review: Review, anchor: str = "") -> str:
    url = reverse("review_process:review-detail", args=[review.pk])
    return f"{url}#{anchor}" if anchor else url


def _drafts(request) -> dict:
    return request.session.get(SESSION_DRAFTS, {})


def draft_get(request, review, key) -> dict | None:
    return _drafts(request).get(f"{review.pk}:{key}")


def draft_set(request, review, key, data: dict) -> None:
    drafts = _drafts(request)
    drafts[f"{review.pk}:{key}"] = {**data, "saved_at": timezone.now().isoformat()}
    request.session[SESSION_DRAFTS] = drafts


def draft_clear(request, review, key) -> None:
    drafts = _drafts(request)
    if drafts.pop(f"{review.pk}:{key}", None) is not None:
        request.session[SESSION_DRAFTS] = drafts


def has_related(instance, name: str) -> bool:
    """Does the one-to-one relation ``name`` of ``instance`` exist (without raising)?"""
    try:
        getattr(instance, name)
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
        return False
    return True
