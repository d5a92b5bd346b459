"""Writes to the directory: organisations, their dated superiors, and positions.

Each keeps the guardian grants in step and reports the change (before and after, and who made it) to
``permissions.journal``, which appends it to the audit trail.  Import, reorganisation and the admin all
write through here.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from permissions import grants, journal
from permissions.models import Organization, Position, SuperiorPeriod, User


def _path_for(organization: Organization) -> str:
    prefix = organization.superior.path if organization.superior_id else "/"
    return f"{prefix}{organization.pk}/"


@transaction.atomic
def organization_save(*, organization: Organization, by=None) -> Organization:
    """Save an organisation and refresh the materialised paths of it and everything below it."""
    before = journal.snapshot(Organization.objects.filter(pk=organization.pk).first()) if organization.pk else None
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
    after = journal.snapshot(organization)
    if before is not None:
        before.pop("path", None)
    after.pop("path", None)
    if before != after:
        action = "organization.created" if before is None else "organization.changed"
        journal.record(actor=by, action=action, subject=organization.code, before=before, after=after)
    return organization


@transaction.atomic
def superior_periods_set(*, organization: Organization, periods: list[tuple], by=None) -> list[SuperiorPeriod]:
    """Replace the dated superiors of ``organization`` with ``periods`` [(superior, from, to), ...]."""
    existing = list(SuperiorPeriod.objects.filter(organization=organization).order_by("valid_from", "pk"))
    before = [_period_dict(p) for p in existing]
    wanted = [
        SuperiorPeriod(organization=organization, superior=superior, valid_from=start, valid_to=end)
        for superior, start, end in periods
    ]
    after = [_period_dict(p) for p in wanted]
    if before == after:
        return existing
    SuperiorPeriod.objects.filter(organization=organization).delete()
    for period in wanted:
        period.full_clean()
        period.save()
    journal.record(
        actor=by, action="organization.superiors_changed", subject=organization.code, before=before, after=after
    )
    return wanted


def _period_dict(period: SuperiorPeriod) -> dict:
    return {
        "superior": period.superior.code,
        "from": period.valid_from.isoformat() if period.valid_from else None,
        "to": period.valid_to.isoformat() if period.valid_to else None,
    }


def _position_subject(position: Position) -> str:
    return f"{position.person.username}@{position.organization.code}:{position.role}"


@transaction.atomic
def position_start(
    *,
    person: User,
    organization: Organization,
    role: str,
    start: datetime.date,
    end: datetime.date | None = None,
    title: str = "",
    by=None,
) -> Position:
    position = Position(person=person, organization=organization, role=role, start=start, end=end, title=title)
    position.full_clean()
    position.save()
    journal.record(
        actor=by,
        action="position.started",
        subject=_position_subject(position),
        before=None,
        after=journal.snapshot(position),
    )
    grants.sync_user_grants(person.pk)
    return position


@transaction.atomic
def position_end(*, position: Position, end: datetime.date, by=None) -> Position:
    """End a position (the last day it holds); grants that no other position justifies are removed."""
    before = journal.snapshot(Position.objects.get(pk=position.pk))
    position.end = end
    position.full_clean()
    position.save(update_fields=["end"])
    journal.record(
        actor=by,
        action="position.ended",
        subject=_position_subject(position),
        before=before,
        after=journal.snapshot(position),
    )
    grants.sync_user_grants(position.person_id)
    return position
