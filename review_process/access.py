"""Object-level permission checks on reviews, read from guardian (never a model-wide fallback).

Guardian's rows are an index derived from positions; before reading them for a person, the check re-derives
that person's rows when one of their positions started or ended since (``permissions.grants.refresh_if_stale``),
so the check honours the positions' dates whether or not the daily ``sync_grants`` has run."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from guardian.models import UserObjectPermission

from permissions.grants import refresh_if_stale
from permissions.roles import review_codename
from permissions.statements import Compiled

#: One person's object permissions on one review (the transition's case), compiled once.
_ONE_REVIEW = Compiled(
    lambda user_id, content_type_id, object_pk: UserObjectPermission.objects.filter(
        user_id=user_id, content_type_id=content_type_id, object_pk__in=[object_pk]
    ).values_list("object_pk", "permission__codename"),
    int,
    int,
    str,
)


def _granted(user, reviews: list) -> dict[str, set[str]]:
    """The person's own object permissions on ``reviews`` (one query; for one review a statement compiled once,
    ``permissions.statements``).  Guardian's checker is not used: it
    gives a superuser every permission, and superuser and staff flags give no power over reviews."""
    content_type = ContentType.objects.get_by_natural_key("review_process", "review")
    if len(reviews) == 1:
        rows = _ONE_REVIEW.rows(user.pk, content_type.pk, str(reviews[0].pk))
    else:
        rows = UserObjectPermission.objects.filter(
            user_id=user.pk, content_type=content_type, object_pk__in=[str(r.pk) for r in reviews]
        ).values_list("object_pk", "permission__codename")
    granted: dict[str, set[str]] = {str(r.pk): set() for r in reviews}
    for object_pk, codename in rows:
        granted[object_pk].add(codename)
    return granted


def review_perms(user, review) -> frozenset[str]:
    """Codenames ``user`` holds on ``review``, cached on the review instance for this request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = review.__dict__.setdefault("_perm_cache", {})
    if user.pk not in cache:
        refresh_if_stale(user)  # a position that started or ended since the grants were derived
        cache[user.pk] = frozenset(_granted(user, [review])[str(review.pk)])
    return cache[user.pk]


def prefetch_review_perms(user, reviews: Iterable) -> None:
    """Load ``user``'s permissions on many reviews in one query."""
    reviews = list(reviews)
    if not reviews or not user.is_authenticated or not user.is_active:
        return
    refresh_if_stale(user)
    granted = _granted(user, reviews)
    for review in reviews:
        review.__dict__.setdefault("_perm_cache", {})[user.pk] = frozenset(granted[str(review.pk)])


def forget_review_perms(review) -> None:
    review.__dict__.pop("_perm_cache", None)


def may(user, review, action: str) -> bool:
    """May ``user`` take ``action`` on ``review``, by their roles alone?"""
    return review_codename(action) in review_perms(user, review)


def may_view(user, review) -> bool:
    return may(user, review, "view")
