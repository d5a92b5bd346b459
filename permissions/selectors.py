"""Reads about who may see and do what, outside a single review."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from permissions.models import Organization, Position, User
from permissions.roles import LOCAL_ROLES, OPEN_REVIEW_ROLES, SUPERIOR_ROLES
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


def held_position_in(*, user, organization: Organization, year: int, roles=None) -> bool:
    """Did ``user`` hold a position (one of ``roles``, or any) in ``organization`` at some time during ``year``?"""
    positions = Position.objects.held_in_year(year).filter(person_id=user.pk, organization_id=organization.pk)
    if roles is not None:
        positions = positions.filter(role__in=list(roles))
    return positions.exists()
