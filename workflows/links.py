"""Links in e-mails: absolute, on ``settings.SITE_URL`` (the path alone when it is empty)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from review_process.models import Review


def review_link(review: Review) -> str:
    """The review page's address, for e-mails."""
    path = reverse("review_process:review-detail", args=[review.pk])
    site = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return f"{site}{path}"
