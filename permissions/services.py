"""Writes to the directory: organisations, their dated superiors, people and positions.

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
    existing = list(SuperiorPeriod.objects.filter(organization=organization))
    wanted = [
        SuperiorPeriod(organization=organization, superior=superior, valid_from=start, valid_to=end)
        for superior, start, end in periods
    ]
    # Compared in date order (an open start first), whatever the database's ordering of nulls.
    before = sorted((_period_dict(p) for p in existing), key=_period_key)
    after = sorted((_period_dict(p) for p in wanted), key=_period_key)
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


def _period_key(period: dict) -> tuple:
    return (period["from"] or "", period["to"] or "9999-12-31", period["superior"])


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


# What the audit trail records of a person (never the password, nor the login timestamps).
PERSON_AUDITED_FIELDS = (
    "username",
    "full_name",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
)


def _person_snapshot(person: User | None) -> dict | None:
    if person is None or person.pk is None:
        return None
    return {"id": person.pk, **{field: getattr(person, field) for field in PERSON_AUDITED_FIELDS}}


@transaction.atomic
def person_save(*, person: User, by=None) -> User:
    """Create ``person``, or save what changed of their audited fields (username, names, e-mail, is_active…).

    A new person is validated in full; for an existing one only the changed fields are validated and written
    (the rest of the row, the password above all, is left as it is). Nothing changed: no write, no event.
    """
    stored = User.objects.filter(pk=person.pk).first() if person.pk else None
    before = _person_snapshot(stored)
    if stored is None:
        person.full_clean()
        person.save()
        journal.record(
            actor=by, action="person.created", subject=person.username, before=None, after=_person_snapshot(person)
        )
        return person
    changed = [field for field in PERSON_AUDITED_FIELDS if getattr(person, field) != getattr(stored, field)]
    if not changed:
        return person
    person.full_clean(exclude=[f.name for f in User._meta.concrete_fields if f.name not in changed])
    person.save(update_fields=changed)
    journal.record(
        actor=by, action="person.changed", subject=person.username, before=before, after=_person_snapshot(person)
    )
    return person


POSITION_UPDATABLE_FIELDS = ("title", "end")


@transaction.atomic
def position_update(*, position: Position, by=None, **fields) -> Position:
    """Change a position's ``title`` and/or ``end`` (``end=None`` reopens an ended position).

    Grants are re-derived when ``end`` changes. Nothing changed: no write, no event. The action recorded is
    ``position.reopened`` when the position loses its end, ``position.changed`` otherwise (``position_end``
    is the usual way to end one).
    """
    unknown = set(fields) - set(POSITION_UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"position_update() cannot change {', '.join(sorted(unknown))}")
    stored = Position.objects.get(pk=position.pk)
    changed = [field for field, value in fields.items() if getattr(stored, field) != value]
    if not changed:
        return position
    for field in changed:
        setattr(position, field, fields[field])
    position.full_clean()
    position.save(update_fields=changed)
    reopened = "end" in changed and position.end is None
    journal.record(
        actor=by,
        action="position.reopened" if reopened else "position.changed",
        subject=_position_subject(position),
        before=journal.snapshot(stored),
        after=journal.snapshot(position),
    )
    if "end" in changed:
        grants.sync_user_grants(position.person_id)
    return position
