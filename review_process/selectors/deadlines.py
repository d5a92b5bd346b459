"""Deadlines of a review by its regime and the configured working rules (domain-rules.md §2), and what is overdue."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy

from review_process.models import Review, ReviewState

# The deadline that applies while a review sits at a stage (keys of ``review_deadlines``).
DEADLINE_BY_STATE = {
    ReviewState.DRAFT: "circulate_draft_by",
    ReviewState.COLLECTING_OPINIONS: "conference_by",
    ReviewState.AWAITING_GUIDANCE: "submit_assessment_by",
    ReviewState.FINALIZING: "submit_assessment_by",
    ReviewState.APPROVED: "notify_by",
}


DEADLINE_LABELS = {
    "circulate_draft_by": gettext_lazy("Circulate the draft by"),
    "conference_by": gettext_lazy("Hold the conference by"),
    "submit_assessment_by": gettext_lazy("Submit the final report by"),
    "notify_by": gettext_lazy("Notify the results by"),
}


def deadline_label(key: str) -> str:
    return str(DEADLINE_LABELS.get(key, key))


def review_deadlines(review: Review) -> dict[str, datetime.date | None]:
    """Deadlines by the review's regime and the configured working rules (domain-rules.md §2)."""
    regime = review.regime
    if regime is None:
        return {}
    conference_by = regime.conference_deadline(review.year)
    conference = getattr(review, "conference", None) if _has_conference(review) else None
    held_on = conference.held_at.date() if conference else None
    finalize_from = held_on or conference_by
    return {
        "circulate_draft_by": conference_by - datetime.timedelta(days=regime.draft_notice_days),
        "conference_by": conference_by,
        "submit_assessment_by": finalize_from + datetime.timedelta(days=regime.finalize_days),
        "notify_by": None
        if review.approved_at is None
        else review.approved_at.date() + datetime.timedelta(days=regime.notify_days),
    }


def _has_conference(review: Review) -> bool:
    try:
        review.conference  # noqa: B018
    except Review.conference.RelatedObjectDoesNotExist:
        return False
    return True


def review_overdue(review: Review, today: datetime.date | None = None) -> tuple[str, datetime.date] | None:
    """(deadline key, date) when the deadline of the review's current stage has passed; else None."""
    key = DEADLINE_BY_STATE.get(review.state)
    if key is None:
        return None
    day = review_deadlines(review).get(key)
    today = today or timezone.localdate()
    if day is not None and day < today:
        return key, day
    return None
