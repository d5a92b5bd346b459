"""Reads about who may see and do what, outside a single review.

``positions_read_once()`` opens a block (one transition of ``workflows.services.review_transition``) in which
each person's positions are read once, in one query, and the questions asked about them in that block
(``held_position_in``, ``permissions.grants.refresh_if_stale``, ``permissions.grants.HeldRoles``) are answered
from that read by ``HeldPosition``'s predicates, which say what ``PositionQuerySet.active_on`` / ``held_during``
say (``tests/permissions/test_positions_read_once.py`` holds them to it).  Outside such a block each question
is its own query, as always.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from permissions.models import Organization, Position, User
from permissions.roles import LOCAL_ROLES, OPEN_REVIEW_ROLES, SUPERIOR_ROLES
from permissions.statements import Compiled
from permissions.tree import descendant_ids_on


def organizations_visible_to(*, user: User) -> QuerySet[Organization]:
    """Organisations where the person holds a position, and every organisation below a superior role.
    Superuser and staff flags give no power here: the role table alone decides."""
    positions = Position.objects.active_on().filter(person=user).select_related("organization")
    condition = Q(pk__in=[])
    for position in positions:
        condition |= Q(pk=position.organization_id)
        if position.role in SUPERIOR_ROLES:
            condition |= Q(path__startswith=position.organization.path)
    return Organization.objects.filter(condition).select_related("superior")


def open_review_role(*, user: User, organization: Organization) -> str | None:
    """The role by which ``user`` may open a review of ``organization`` (None if they may not)."""
    positions = Position.objects.active_on().filter(
        Q(person=user)
        & (
            Q(organization_id=organization.pk, role__in=LOCAL_ROLES & OPEN_REVIEW_ROLES)
            | Q(organization_id__in=organization.ancestor_ids, role__in=SUPERIOR_ROLES & OPEN_REVIEW_ROLES)
        )
    )
    return positions.values_list("role", flat=True).first()


def superior_scope(*, user, day: datetime.date | None = None) -> QuerySet[Organization]:
    """Organisations below those where ``user`` holds a superior role today (the overview's rows).

    With ``day``, the organisations below them in the tree of that day (``permissions.tree``): the overview
    of 2021 lists the wards that were below the district in 2021, whatever the tree is today.
    """
    positions = Position.objects.active_on().filter(person=user, role__in=SUPERIOR_ROLES).select_related("organization")
    if day is not None:
        below = descendant_ids_on([p.organization_id for p in positions], day)
        return Organization.objects.filter(pk__in=below).select_related("superior").order_by("path")
    condition = Q(pk__in=[])
    for position in positions:
        condition |= Q(path__startswith=position.organization.path) & ~Q(pk=position.organization_id)
    return Organization.objects.filter(condition).select_related("superior").order_by("path")


def holds_superior_role(*, user) -> bool:
    """Does ``user`` hold a role in a superior organisation today (and so has an overview)?"""
    if not user.is_authenticated:
        return False
    return Position.objects.active_on().filter(person=user, role__in=SUPERIOR_ROLES).exists()


def organizations_user_may_open(*, user) -> list[Organization]:
    """Organisations whose review ``user`` may open: their own (secretary) or those below (organisation board)."""
    positions = (
        Position.objects.active_on().filter(person=user, role__in=OPEN_REVIEW_ROLES).select_related("organization")
    )
    condition = Q(pk__in=[])
    for position in positions:
        if position.role in LOCAL_ROLES:
            condition |= Q(pk=position.organization_id)
        else:
            condition |= Q(path__startswith=position.organization.path) & ~Q(pk=position.organization_id)
    if not positions:
        return []
    return list(Organization.objects.filter(condition).order_by("path"))


@dataclass(frozen=True)
class HeldPosition:
    """One position of a person, as read by ``person_positions``; the predicates are the querysets' own."""

    role: str
    organization_id: int
    start: datetime.date
    end: datetime.date | None

    def active_on(self, day: datetime.date | None = None) -> bool:
        """``PositionQuerySet.active_on``: started on or before ``day`` (today), not ended before it."""
        day = day or timezone.localdate()
        return self.start <= day and (self.end is None or self.end >= day)

    def held_during(self, first: datetime.date, last: datetime.date) -> bool:
        """``PositionQuerySet.held_during``: held on at least one day from ``first`` to ``last``."""
        return self.start <= last and (self.end is None or self.end >= first)


@dataclass(frozen=True)
class PersonPositions:
    """Every position of one person, and the day their grants were last derived (``User.grants_synced_on``;
    None when they hold no position: nothing then depends on it)."""

    positions: tuple[HeldPosition, ...]
    grants_synced_on: datetime.date | None


_read_once: ContextVar[dict[int, PersonPositions] | None] = ContextVar("positions_read_once", default=None)


@contextmanager
def positions_read_once() -> Iterator[None]:
    """Within the block, each person's positions are read once (see the module docstring)."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


_POSITIONS = Compiled(
    lambda user_id: (
        Position.objects.filter(person_id=user_id)
        .order_by()
        .values_list("role", "organization_id", "start", "end", "person__grants_synced_on")
    ),
    int,
)


def person_positions(user_id: int) -> PersonPositions | None:
    """The person's positions read once in a ``positions_read_once`` block (one query, compiled once:
    ``permissions.statements``), None outside one."""
    memo = _read_once.get()
    if memo is None:
        return None
    if user_id not in memo:
        rows = _POSITIONS.rows(user_id)
        memo[user_id] = PersonPositions(
            positions=tuple(HeldPosition(*row[:4]) for row in rows),
            grants_synced_on=rows[0][4] if rows else None,
        )
    return memo[user_id]


def held_position_in(*, user, organization: Organization, year: int, roles=None) -> bool:
    """Did ``user`` hold a position (one of ``roles``, or any) in ``organization`` at some time during ``year``?"""
    known = person_positions(user.pk)
    if known is not None:
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        return any(
            p.organization_id == organization.pk and p.held_during(first, last) and (roles is None or p.role in roles)
            for p in known.positions
        )
    positions = Position.objects.held_in_year(year).filter(person_id=user.pk, organization_id=organization.pk)
    if roles is not None:
        positions = positions.filter(role__in=list(roles))
    return positions.exists()
