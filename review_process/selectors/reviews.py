"""Reads of reviews with visibility built in: what a person may see, and the records of one review.

``reviews_visible_to`` is the one answer to "which reviews may this person see": the reviews on which they (or one
of their groups) hold the view permission in guardian's index (``permissions.grants``), never a model-wide grant.
It asks the same rows guardian's ``get_objects_for_user`` asks (the person's object permissions whose permission
is the review's ``view``, matched by the review's key as text), written as one ``IN`` over a ``UNION`` of the
person's and their groups' rows instead of guardian's two ``IN``s joined by ``OR`` (each with a redundant pass over
every review): PostgreSQL can then start from the person's permissions (a semi-join) instead of testing every
review against two hashed subplans. ``tests/review_process/test_visibility_equivalence.py`` holds it equal to
guardian's answer for every persona and stage.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Prefetch, QuerySet
from django.db.models.functions import Cast
from guardian.models import GroupObjectPermission, UserObjectPermission

from permissions.grants import refresh_if_stale
from permissions.models import User
from permissions.roles import review_codename
from review_process.access import may_view
from review_process.errors import NotFound
from review_process.models import (
    Attendance,
    Conference,
    Decision,
    Notification,
    OpinionResponse,
    RemedialPlan,
    Review,
    SelfAssessment,
)

VIEW_CODENAME = review_codename("view")
VIEW_PERM = f"review_process.{VIEW_CODENAME}"


def visible_review_keys(*, user) -> QuerySet:
    """The keys (as text, guardian's ``object_pk``) of the reviews ``user`` holds the view permission on, directly
    or through a group: one ``UNION`` the database evaluates once per statement."""
    review = ContentType.objects.get_for_model(Review)
    wanted = {"permission__content_type": review, "permission__codename": VIEW_CODENAME}
    own = UserObjectPermission.objects.filter(user_id=user.pk, **wanted).values("object_pk")
    groups = GroupObjectPermission.objects.filter(group__user=user.pk, **wanted).values("object_pk")
    return own.union(groups)


def reviews_visible_to(*, user) -> QuerySet[Review]:
    """Every review ``user`` may see: strictly by object permission, never by a model-wide grant (the module's
    docstring says how it is asked)."""
    if not user.is_authenticated:
        return Review.objects.none()
    refresh_if_stale(user)
    return (
        Review.objects.select_related("organization")
        .alias(key=Cast("pk", CharField()))
        .filter(key__in=visible_review_keys(user=user))
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


def review_years_visible_to(*, user) -> list[int]:
    """The years of the reviews ``user`` may see, latest first (the database answers with one row a year)."""
    years = reviews_visible_to(user=user).order_by().values_list("year", flat=True).distinct()
    return sorted(set(years), reverse=True)


def review_records(*, review: Review) -> dict:
    """Everything a review's stages recorded, loaded with a fixed number of queries."""

    def one(model, **related):
        return model.objects.filter(review=review).select_related(*related.get("sr", ())).first()

    conference = (
        Conference.objects.filter(review=review)
        .select_related("chair", "recorded_by")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("person")),
            "superior_representatives",
        )
        .first()
    )
    plan = RemedialPlan.objects.filter(review=review).select_related("filed_by").prefetch_related("items").first()
    return {
        "report_versions": list(review.report_versions.select_related("created_by").order_by("number")),
        "opinions": list(
            review.opinions.select_related("author", "recorded_by").prefetch_related(
                Prefetch("response", queryset=OpinionResponse.objects.select_related("responded_by"))
            )
        ),
        "participants": list(review.participants.select_related("person", "invited_by")),
        "conference": conference,
        "guidance": list(review.guidance.select_related("given_by")),
        "self_assessment": one(SelfAssessment, sr=("set_by",)),
        "decision": one(Decision, sr=("decided_by",)),
        "notification": one(Notification, sr=("recorded_by",)),
        "remedial_plan": plan,
    }


def audit_trail(*, review: Review):
    """The review's audit events, oldest first (callers check VIEW_AUDIT_TRAIL first)."""
    return review.audit_events.select_related("actor").order_by("sequence")


def report_versions(*, review: Review):
    return review.report_versions.select_related("created_by").order_by("number")


def people_named_in(events) -> dict[str, str]:
    """Full names of the people an audit trail's payloads name by login (one query)."""
    usernames = set()
    for event in events:
        payload = event.payload or {}
        for key in ("person", "author", "chair"):
            if isinstance(payload.get(key), str):
                usernames.add(payload[key])
    if not usernames:
        return {}
    return {u.username: u.get_full_name() for u in User.objects.filter(username__in=usernames)}
