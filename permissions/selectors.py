"""Reads about who may see and do what, outside a single review."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from permissions.models import Organization, Position, User
from permissions.roles import LOCAL_ROLES, OPEN_REVIEW_ROLES, SUPERIOR_ROLES


def organizations_visible_to(*, user: User) -> QuerySet[Organization]:
    """Organisations where the person holds a position, and every organisation below a superior role."""
    if user.is_superuser:
        return Organization.objects.all()
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
