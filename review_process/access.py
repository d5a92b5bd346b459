"""Object-level permission checks on reviews, read from guardian (never a model-wide fallback).

Guardian's rows are an index derived from positions; before reading them for a person, the check re-derives
that person's rows when one of their positions started or ended since (``permissions.grants.refresh_if_stale``),
so the check honours the positions' dates whether or not the daily ``sync_grants`` has run."""

from __future__ import annotations

from collections.abc import Iterable

from guardian.core import ObjectPermissionChecker

from permissions.grants import refresh_if_stale
from permissions.roles import review_codename


def review_perms(user, review) -> frozenset[str]:
    """Codenames ``user`` holds on ``review``, cached on the review instance for this request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = review.__dict__.setdefault("_perm_cache", {})
    if user.pk not in cache:
        refresh_if_stale(user)  # a position that started or ended since the grants were derived
        cache[user.pk] = frozenset(ObjectPermissionChecker(user).get_perms(review))
    return cache[user.pk]


def prefetch_review_perms(user, reviews: Iterable) -> None:
    """Load ``user``'s permissions on many reviews in two queries."""
    reviews = list(reviews)
    if not reviews or not user.is_authenticated:
        return
    refresh_if_stale(user)
    checker = ObjectPermissionChecker(user)
    checker.prefetch_perms(reviews)
    for review in reviews:
        review.__dict__.setdefault("_perm_cache", {})[user.pk] = frozenset(checker.get_perms(review))


def forget_review_perms(review) -> None:
    review.__dict__.pop("_perm_cache", None)


def may(user, review, action: str) -> bool:
    """May ``user`` take ``action`` on ``review``, by their roles alone?"""
    return review_codename(action) in review_perms(user, review)


def may_view(user, review) -> bool:
    return may(user, review, "view")
