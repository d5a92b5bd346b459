"""Writes to the directory: organisations and positions. Each keeps the guardian grants in step."""

from __future__ import annotations

import datetime

from django.db import transaction

from permissions import grants
from permissions.models import Organization, Position, User


def _path_for(organization: Organization) -> str:
    prefix = organization.superior.path if organization.superior_id else "/"
    return f"{prefix}{organization.pk}/"


@transaction.atomic
def organization_save(*, organization: Organization) -> Organization:
    """Save an organisation and refresh the materialised paths of it and everything below it."""
    old_path = organization.path
    organization.save()
    new_path = _path_for(organization)
    if new_path != old_path:
        Organization.objects.filter(pk=organization.pk).update(path=new_path)
        organization.path = new_path
        if old_path:
            for sub in Organization.objects.filter(path__startswith=old_path).exclude(pk=organization.pk):
                sub.path = new_path + sub.path[len(old_path) :]
                sub.save(update_fields=["path"])
    return organization


@transaction.atomic
def position_start(
    *,
    person: User,
    organization: Organization,
    role: str,
    start: datetime.date,
    end: datetime.date | None = None,
    title: str = "",
) -> Position:
    position = Position(person=person, organization=organization, role=role, start=start, end=end, title=title)
    position.full_clean()
    position.save()
    grants.sync_user_grants(person.pk)
    return position


@transaction.atomic
def position_end(*, position: Position, end: datetime.date) -> Position:
    """End a position (the last day it holds); grants that no other position justifies are removed."""
    position.end = end
    position.full_clean()
    position.save(update_fields=["end"])
    grants.sync_user_grants(position.person_id)
    return position
