"""Writing a validated plan: create what is new, update what changed, leave the rest alone; count each.

Runs inside the caller's transaction (``directory_import``), so it is all or nothing. Every write goes through
``permissions.services``, so that each change is an event of the directory's audit trail (recorded as made by
``by``): ``organization_save`` keeps the materialised paths right, ``superior_periods_set`` replaces the dated
superiors, ``person_save`` writes people, ``position_start``, ``position_end`` and ``position_update`` positions
and the guardian grants. A record whose rows already have the file's values is not written at all: importing
the same document twice changes nothing, not even the grants, and records no event.

Organisations are written in two passes: first each one's own fields, superiors before subordinates (a successor
not created yet is left for later), then the successors still missing and the dated superiors, which may name
organisations listed further down the file.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from permissions.directory.records import DirectoryError, Record
from permissions.directory.validation import Plan
from permissions.models import Organization, Position, SuperiorPeriod, User
from permissions.services import (
    organization_save,
    person_save,
    position_end,
    position_start,
    position_update,
    superior_periods_set,
)


@dataclasses.dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclasses.dataclass
class ImportReport:
    organizations: Counts = dataclasses.field(default_factory=Counts)
    people: Counts = dataclasses.field(default_factory=Counts)
    positions: Counts = dataclasses.field(default_factory=Counts)
    dry_run: bool = False

    def summary(self) -> str:
        params = {}
        for section in ("organizations", "people", "positions"):
            counts = getattr(self, section)
            for name, value in dataclasses.asdict(counts).items():
                params[f"{section}_{name}"] = value
        line = (
            _(
                "Organisations: %(organizations_created)s created, %(organizations_updated)s updated, "
                "%(organizations_unchanged)s unchanged; "
                "people: %(people_created)s created, %(people_updated)s updated, %(people_unchanged)s unchanged; "
                "positions: %(positions_created)s created, %(positions_updated)s updated, "
                "%(positions_unchanged)s unchanged."
            )
            % params
        )
        if self.dry_run:
            line = _("Dry run, nothing written. %(summary)s") % {"summary": line}
        return line


def apply_plan(plan: Plan, *, report: ImportReport, by: User | None = None) -> None:
    """Write ``plan``, counting into ``report``; ``by`` is who the services record as making the changes.

    Call inside a transaction.
    """
    name = ""
    try:
        changed: dict[str, str] = {}  # organisation code -> "created" / "updated"
        for record in _superiors_first(plan.organizations):
            name = record.name
            _apply_organization(record.values, changed, by=by)
        for record in plan.organizations:
            name = record.name
            _apply_successor_and_periods(record.values, changed, by=by)
        for record in plan.organizations:
            status = changed.get(record.values["code"], "unchanged")
            setattr(report.organizations, status, getattr(report.organizations, status) + 1)
        for record in plan.people:
            name = record.name
            _apply_person(record.values, report.people, by=by)
        for record in plan.positions:
            name = record.name
            _apply_position(record.values, report.positions, by=by)
    except ValidationError as error:  # validation should have caught it; still, nothing is written
        raise DirectoryError([f"{name}: {message}" for message in error.messages])


def _superiors_first(records: list[Record]) -> list[Record]:
    """The records in an order where a superior listed in the file comes before its subordinates."""
    by_code = {record.values["code"]: record for record in records}
    ordered: list[Record] = []
    placed: set[str] = set()
    for record in records:
        chain = []
        current: Record | None = record
        while current is not None and current.values["code"] not in placed:
            chain.append(current)
            superior = current.values["superior"]
            current = by_code.get(superior) if superior else None
        for item in reversed(chain):
            placed.add(item.values["code"])
            ordered.append(item)
    return ordered


def _mark(changed: dict[str, str], code: str) -> None:
    changed.setdefault(code, "updated")


def _apply_organization(values: dict, changed: dict[str, str], *, by: User | None) -> None:
    """The organisation's own fields; its successor too when that exists already."""
    code = values["code"]
    # Always read afresh: saving a superior may have rewritten this organisation's path.
    superior = Organization.objects.get(code=values["superior"]) if values["superior"] else None
    organization = Organization.objects.filter(code=code).first()
    wanted = {
        "name": values["name"],
        "kind": values["kind"],
        "superior_id": superior.pk if superior else None,
        "valid_from": values["valid_from"],
        "valid_to": values["valid_to"],
    }
    successor_code = values["successor"]
    successor = Organization.objects.filter(code=successor_code).first() if successor_code else None
    if successor is not None or successor_code is None:
        wanted["successor_id"] = successor.pk if successor else None
    if organization is None:
        organization_save(organization=Organization(code=code, **wanted), by=by)
        changed[code] = "created"
        return
    if all(getattr(organization, field) == value for field, value in wanted.items()):
        return
    for field, value in wanted.items():
        setattr(organization, field, value)
    organization_save(organization=organization, by=by)
    _mark(changed, code)


def _apply_successor_and_periods(values: dict, changed: dict[str, str], *, by: User | None) -> None:
    """The successor left for later by ``_apply_organization``, and the dated superiors when the file gives them."""
    organization = Organization.objects.get(code=values["code"])
    if values["successor"] is not None:
        successor = Organization.objects.get(code=values["successor"])
        if organization.successor_id != successor.pk:
            organization.successor = successor
            organization_save(organization=organization, by=by)
            _mark(changed, organization.code)
    if values["superiors"] is None:
        return
    wanted = [(period["code"], period["from"], period["to"]) for period in values["superiors"]]
    stored = SuperiorPeriod.objects.filter(organization=organization).values_list(
        "superior__code", "valid_from", "valid_to"
    )
    if _chronological(stored) == _chronological(wanted):
        return
    superiors = Organization.objects.in_bulk({code for code, _start, _end in wanted}, field_name="code")
    periods = [(superiors[code], start, end) for code, start, end in _chronological(wanted)]
    superior_periods_set(organization=organization, periods=periods, by=by)
    _mark(changed, organization.code)


def _chronological(periods) -> list[tuple]:
    """Periods in date order (the one without a start first), so that equal sets compare equal."""
    return sorted(periods, key=lambda period: (period[1] is not None, period[1] or 0, period[0]))


def _apply_person(values: dict, counts: Counts, *, by: User | None) -> None:
    username, full_name, email = values["username"], values["full_name"], values["email"]
    person = User.objects.filter(username=username).first()
    if person is None:
        person = User(username=username, full_name=full_name, email=email)
        person.set_unusable_password()
        person_save(person=person, by=by)
        counts.created += 1
        return
    if (person.full_name, person.email) == (full_name, email):
        counts.unchanged += 1
        return
    person.full_name, person.email = full_name, email  # the rest is not ours to touch
    person_save(person=person, by=by)
    counts.updated += 1


def _apply_position(values: dict, counts: Counts, *, by: User | None) -> None:
    person = User.objects.get(username=values["person"])
    organization = Organization.objects.get(code=values["organization"])
    role, title, start, end = values["role"], values["title"], values["start"], values["end"]
    position = Position.objects.filter(person=person, organization=organization, role=role, start=start).first()
    if position is None:
        position_start(person=person, organization=organization, role=role, start=start, end=end, title=title, by=by)
        counts.created += 1
        return
    if (position.title, position.end) == (title, end):
        counts.unchanged += 1
        return
    if end is None:  # the title, and reopening an ended position, in one change
        position_update(position=position, title=title, end=None, by=by)
    else:
        if position.title != title:
            position_update(position=position, title=title, by=by)
        if position.end != end:
            position_end(position=position, end=end, by=by)
    counts.updated += 1
