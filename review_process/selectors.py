"""Reads: which reviews a person may see, what they may do now, what the deadlines are."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm
from guardian.shortcuts import get_objects_for_user

from permissions import grants
from permissions.models import Organization
from permissions.roles import ROLE_ACTIONS, Role, review_codename
from review_process.access import may_view
from review_process.errors import NotFound
from review_process.models import TRANSITION_NAMES, Review, ReviewState

VIEW_PERM = f"review_process.{review_codename('view')}"


class ReviewGrantTarget:
    """How guardian grants are derived for reviews (see permissions.grants)."""

    model = Review

    def objects_in(self, organizations: QuerySet[Organization]) -> QuerySet[Review]:
        return Review.objects.filter(organization__in=organizations)

    def organization_of(self, obj: Review) -> Organization:
        return obj.organization

    def extra_roles(self, obj: Review) -> grants.RolesByUser:
        return {pid: {Role.PARTICIPANT} for pid in obj.participants.values_list("person_id", flat=True)}

    def codename(self, action: str) -> str:
        return review_codename(action)


def reviews_visible_to(*, user) -> QuerySet[Review]:
    """Every review ``user`` may see: strictly by object permission, never by a model-wide grant."""
    if not user.is_authenticated:
        return Review.objects.none()
    return get_objects_for_user(
        user, VIEW_PERM, klass=Review.objects.select_related("organization"), accept_global_perms=False
    )


def review_get_for_user(*, user, review_id) -> Review:
    """The review, or NotFound when it does not exist or ``user`` may not see it (never reveal which)."""
    try:
        review = Review.objects.select_related("organization").get(pk=int(review_id))
    except (Review.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None
    if not may_view(user, review):
        raise NotFound()
    return review


def acting_role(*, user, review: Review, action: str) -> str:
    """The role under which ``user`` takes ``action`` on ``review`` (recorded in the audit trail)."""
    extra = ReviewGrantTarget().extra_roles(review)
    roles = grants.roles_of(user.pk, review.organization, extra)
    for role in Role:
        if role in roles and action in ROLE_ACTIONS[role]:
            return role.value
    return "superuser" if user.is_superuser else ""


def available_transitions(*, review: Review, user) -> list[str]:
    """Names of the transitions ``user`` may run now (state, guards and role all allow it)."""
    return [name for name in TRANSITION_NAMES if has_transition_perm(getattr(review, name), user)]


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
        "submit_assessment_by": finalize_from + datetime.timedelta(days=settings.REVIEW_FINALIZE_DAYS),
        "notify_by": None
        if review.approved_at is None
        else review.approved_at.date() + datetime.timedelta(days=settings.REVIEW_NOTIFY_DAYS),
    }


def _has_conference(review: Review) -> bool:
    try:
        review.conference  # noqa: B018
    except Review.conference.RelatedObjectDoesNotExist:
        return False
    return True


STAGE_ORDER = [
    ReviewState.DRAFT,
    ReviewState.COLLECTING_OPINIONS,
    ReviewState.AWAITING_GUIDANCE,
    ReviewState.FINALIZING,
    ReviewState.SUBMITTED,
    ReviewState.APPROVED,
    ReviewState.CLOSED,
]


def stage_label(state: str) -> str:
    return str(ReviewState(state).label) if state in ReviewState.values else _("Unknown")
