"""Loading the directory (organisations, people, positions) from a JSON document.

``directory_import`` validates the whole document first and reports every problem at once; only a
document without errors is written, in one transaction, through the services that keep the materialised
paths (``organization_save``) and the guardian grants (``position_start`` / ``position_end``) right.
Importing the same document twice changes nothing. The format is described in ``docs/directory-format.md``.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from permissions import grants
from permissions.models import Organization, OrganizationKind, Position, User
from permissions.roles import POSITION_ROLES, Role
from permissions.services import organization_save, position_end, position_start

TOP_LEVEL_KEYS = ("organizations", "people", "positions")
ORGANIZATION_FIELDS = ("code", "name", "kind", "superior")
PERSON_FIELDS = ("username", "full_name", "email")
POSITION_FIELDS = ("person", "organization", "role", "title", "start", "end")

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RECORD_RE = re.compile(r"(organizations|people|positions)\[([0-9]+)\]")
_INVALID = object()  # a field whose value was rejected (its error is already recorded)


class DirectoryError(Exception):
    """The document cannot be imported; ``errors`` lists every problem found (nothing was written)."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


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


# --- Validated rows ------------------------------------------------------------------------------------


@dataclasses.dataclass
class _OrganizationRow:
    index: int
    label: str
    code: str
    name: str
    kind: str
    superior: str | None


@dataclasses.dataclass
class _PersonRow:
    index: int
    label: str
    username: str
    full_name: str
    email: str


@dataclasses.dataclass
class _PositionRow:
    index: int
    label: str
    person: str
    organization: str
    role: str
    title: str
    start: datetime.date
    end: datetime.date | None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.person, self.organization, self.role)


@dataclasses.dataclass
class _Plan:
    organizations: list[_OrganizationRow]
    people: list[_PersonRow]
    positions: list[_PositionRow]


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# --- Entry point ---------------------------------------------------------------------------------------


def directory_import(data: dict, *, dry_run: bool = False) -> ImportReport:
    """Create or update the organisations, people and positions of ``data``; all or nothing.

    Raises ``DirectoryError`` with every problem found, before anything is written.
    With ``dry_run`` the import runs in full (so the counts are exact) and is then rolled back.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            plan = _Validator(data).validate()
            _apply(plan, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


# --- Validation ----------------------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _quoted(value: Any) -> str:
    return f'"{value}"'


def _period(start: datetime.date, end: datetime.date | None) -> str:
    return _("%(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat() if end else _("no end")}


def _overlap_message(other: str, start: datetime.date, end: datetime.date | None) -> str:
    return _(
        "overlaps %(other)s (%(period)s): a person cannot hold the same role in the same organisation twice at once"
    ) % {"other": other, "period": _period(start, end)}


class _Validator:
    def __init__(self, data: Any):
        self.data = data
        self.errors: list[str] = []
        # Every code and username named in the file (even on an otherwise faulty record) may be referred to:
        # code -> index of its first record.
        self.file_codes: dict[str, int] = {}
        self.file_usernames: dict[str, int] = {}
        self.org_labels: dict[str, str] = {}
        # code -> superior code, for the records whose code and superior are valid (for the cycle check).
        self.file_superiors: dict[str, str | None] = {}

    def add(self, record: str, field: str | None, message: str) -> None:
        self.errors.append(f"{record}: {field}: {message}" if field else f"{record}: {message}")

    def fail_if_errors(self) -> None:
        """Raise the errors found, in the order of the file (top level, then each section record by record)."""

        def place(error: str) -> tuple[int, int]:
            match = _RECORD_RE.match(error)
            return (TOP_LEVEL_KEYS.index(match[1]) + 1, int(match[2])) if match else (0, 0)

        if self.errors:
            raise DirectoryError(sorted(self.errors, key=place))

    # Generic field checks.

    def wrong_type(self, record: str, field: str | None, expected: str, value: Any) -> None:
        self.add(
            record, field, _("expected %(expected)s, got %(got)s") % {"expected": expected, "got": _json_type(value)}
        )

    def text(
        self,
        label: str,
        record: dict,
        field: str,
        *,
        required: bool = True,
        nullable: bool = False,
        blank: bool = False,
        max_length: int | None = None,
    ) -> Any:
        """A string field: its value, ``None``/``""`` when optional and absent, or ``_INVALID``."""
        if field not in record:
            if required:
                self.add(label, field, _("required field is missing"))
                return _INVALID
            return None if nullable else ""
        value = record[field]
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            self.wrong_type(label, field, "string", value)
            return _INVALID
        if not blank and not value.strip():
            self.add(label, field, _("must not be blank"))
            return _INVALID
        if max_length is not None and len(value) > max_length:
            self.add(
                label,
                field,
                _("must be at most %(max)s characters long (it has %(length)s)")
                % {"max": max_length, "length": len(value)},
            )
            return _INVALID
        return value

    def date(self, label: str, record: dict, field: str, *, required: bool) -> Any:
        value = self.text(label, record, field, required=required, nullable=not required)
        if value is None or value is _INVALID:
            return value
        try:
            if not _DATE_RE.fullmatch(value):
                raise ValueError
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.add(label, field, _("not a date in the form YYYY-MM-DD: %(value)s") % {"value": _quoted(value)})
            return _INVALID

    def unknown_fields(self, label: str, record: dict, allowed: tuple[str, ...]) -> None:
        for field in record:
            if field not in allowed:
                self.add(
                    label, str(field), _("unknown field (expected one of: %(fields)s)") % {"fields": ", ".join(allowed)}
                )

    def records(self, section: str) -> list[tuple[int, dict]]:
        objects = []
        for index, record in enumerate(self.data[section]):
            if isinstance(record, dict):
                objects.append((index, record))
            else:
                self.wrong_type(f"{section}[{index}]", None, "object", record)
        return objects

    # The document.

    def validate(self) -> _Plan:
        if not self.check_top_level():
            self.fail_if_errors()  # nothing more can be said about a document of the wrong shape
        organization_records = self.records("organizations")
        person_records = self.records("people")
        position_records = self.records("positions")

        organizations = self.check_organizations(organization_records)
        people = self.check_people(person_records)
        positions = self.check_positions(position_records)
        self.check_overlaps(positions)
        self.fail_if_errors()
        return _Plan(organizations=organizations, people=people, positions=positions)

    def check_top_level(self) -> bool:
        """Whether the document has the right shape (an unknown key is an error, but not a blocking one)."""
        if not isinstance(self.data, dict):
            self.add(
                _("document"),
                None,
                _("expected a JSON object with the keys %(keys)s, got %(got)s")
                % {"keys": ", ".join(TOP_LEVEL_KEYS), "got": _json_type(self.data)},
            )
            return False
        shape_ok = True
        for key in TOP_LEVEL_KEYS:
            if key not in self.data:
                self.add(key, None, _("required key is missing (use an empty array if there is nothing to import)"))
                shape_ok = False
            elif not isinstance(self.data[key], list):
                self.wrong_type(key, None, "array", self.data[key])
                shape_ok = False
        for key in self.data:
            if key not in TOP_LEVEL_KEYS:
                self.add(
                    str(key), None, _("unknown key (expected one of: %(keys)s)") % {"keys": ", ".join(TOP_LEVEL_KEYS)}
                )
        return shape_ok

    def check_organizations(self, records: list[tuple[int, dict]]) -> list[_OrganizationRow]:
        max_code = Organization._meta.get_field("code").max_length
        max_name = Organization._meta.get_field("name").max_length
        labelled = []
        for index, record in records:
            code = record.get("code")
            has_code = isinstance(code, str) and code.strip() != ""
            label = f'organizations[{index}] (code "{code}")' if has_code else f"organizations[{index}]"
            labelled.append((index, label, record))
            if not has_code:
                continue
            self.org_labels.setdefault(code, label)
            if code in self.file_codes:
                first = self.file_codes[code]
                self.add(
                    label,
                    "code",
                    _("duplicate code %(code)s (already used by %(other)s)")
                    % {"code": _quoted(code), "other": f"organizations[{first}]"},
                )
            else:
                self.file_codes[code] = index

        # The organisations already in the database, with their superiors (for references and cycles).
        self.db_superiors: dict[str, str | None] = dict(Organization.objects.values_list("code", "superior__code"))
        self.known_codes = set(self.file_codes) | set(self.db_superiors)

        rows = []
        for index, label, record in labelled:
            self.unknown_fields(label, record, ORGANIZATION_FIELDS)
            code = self.text(label, record, "code", max_length=max_code)
            name = self.text(label, record, "name", max_length=max_name)
            kind = self.text(label, record, "kind")
            if kind is not _INVALID and kind not in OrganizationKind.values:
                self.add(
                    label,
                    "kind",
                    _("unknown kind %(value)s (expected one of: %(choices)s)")
                    % {"value": _quoted(kind), "choices": ", ".join(OrganizationKind.values)},
                )
                kind = _INVALID
            superior = self.text(label, record, "superior", required=False, nullable=True)
            if superior not in (None, _INVALID) and superior not in self.known_codes:
                self.add(label, "superior", self.unknown_organization(superior))
                superior = _INVALID
            if code is not _INVALID and superior is not _INVALID and self.file_codes.get(code) == index:
                self.file_superiors[code] = superior
            if _INVALID in (code, name, kind, superior) or self.file_codes.get(code) != index:
                continue
            rows.append(_OrganizationRow(index, label, code, name, kind, superior))
        self.check_cycles()
        return rows

    def unknown_organization(self, code: str) -> str:
        return _("unknown organisation code %(code)s (neither in the file nor in the database)") % {
            "code": _quoted(code)
        }

    def check_cycles(self) -> None:
        """Report every cycle of the superior relation as it would be after the import."""
        superiors = dict(self.db_superiors)
        superiors.update(self.file_superiors)
        done: set[str] = set()
        for code in sorted(self.file_superiors, key=lambda c: self.file_codes[c]):
            chain: list[str] = []
            place: dict[str, int] = {}
            current: str | None = code
            while current is not None and current not in done:
                if current in place:
                    cycle = chain[place[current] :]
                    # Report it on its first record in the file, listing the codes from there.
                    in_file = [c for c in cycle if c in self.file_superiors]
                    first = min(in_file, key=lambda c: self.file_codes[c]) if in_file else code
                    start = cycle.index(first) if first in cycle else 0
                    ordered = [*cycle[start:], *cycle[:start], cycle[start]]
                    self.add(
                        self.org_labels[first],
                        "superior",
                        _("the superior relation has a cycle: %(cycle)s") % {"cycle": " → ".join(ordered)},
                    )
                    break
                place[current] = len(chain)
                chain.append(current)
                current = superiors.get(current)
            done.update(chain)

    def check_people(self, records: list[tuple[int, dict]]) -> list[_PersonRow]:
        max_username = User._meta.get_field("username").max_length
        max_full_name = User._meta.get_field("full_name").max_length
        max_email = User._meta.get_field("email").max_length
        rows = []
        for index, record in records:
            username = record.get("username")
            has_username = isinstance(username, str) and username.strip() != ""
            label = f'people[{index}] (username "{username}")' if has_username else f"people[{index}]"
            if has_username:
                if username in self.file_usernames:
                    self.add(
                        label,
                        "username",
                        _("duplicate username %(username)s (already used by %(other)s)")
                        % {"username": _quoted(username), "other": f"people[{self.file_usernames[username]}]"},
                    )
                else:
                    self.file_usernames[username] = index
            self.unknown_fields(label, record, PERSON_FIELDS)
            username = self.text(label, record, "username", max_length=max_username)
            if username is not _INVALID:
                try:
                    User.username_validator(username)
                except ValidationError as error:
                    self.add(label, "username", " ".join(error.messages))
                    username = _INVALID
            full_name = self.text(label, record, "full_name", max_length=max_full_name)
            email = self.text(label, record, "email", required=False, blank=True, max_length=max_email)
            if email not in ("", _INVALID):
                try:
                    validate_email(email)
                except ValidationError as error:
                    self.add(label, "email", " ".join(error.messages))
                    email = _INVALID
            if _INVALID in (username, full_name, email) or self.file_usernames.get(username) != index:
                continue
            rows.append(_PersonRow(index, label, username, full_name, email))
        return rows

    def check_positions(self, records: list[tuple[int, dict]]) -> list[_PositionRow]:
        max_title = Position._meta.get_field("title").max_length
        named = {record["person"] for _index, record in records if isinstance(record.get("person"), str)}
        named -= set(self.file_usernames)
        db_usernames = set(User.objects.filter(username__in=named).values_list("username", flat=True))
        known_usernames = set(self.file_usernames) | db_usernames
        position_roles = sorted(role.value for role in POSITION_ROLES)
        rows = []
        for index, record in records:
            parts = [
                f'{field} "{record[field]}"'
                for field in ("person", "organization")
                if isinstance(record.get(field), str)
            ]
            label = f"positions[{index}] ({', '.join(parts)})" if parts else f"positions[{index}]"
            self.unknown_fields(label, record, POSITION_FIELDS)
            person = self.text(label, record, "person")
            if person is not _INVALID and person not in known_usernames:
                self.add(
                    label,
                    "person",
                    _("unknown person %(username)s (neither in the file nor in the database)")
                    % {"username": _quoted(person)},
                )
                person = _INVALID
            organization = self.text(label, record, "organization")
            if organization is not _INVALID and organization not in self.known_codes:
                self.add(label, "organization", self.unknown_organization(organization))
                organization = _INVALID
            role = self.text(label, record, "role")
            if role is not _INVALID and role not in position_roles:
                if role == Role.PARTICIPANT:
                    message = _("%(value)s is granted per review by invitation; it is not held as a position") % {
                        "value": _quoted(role)
                    }
                else:
                    message = _("unknown role %(value)s (expected one of: %(choices)s)") % {
                        "value": _quoted(role),
                        "choices": ", ".join(position_roles),
                    }
                self.add(label, "role", message)
                role = _INVALID
            title = self.text(label, record, "title", required=False, blank=True, max_length=max_title)
            start = self.date(label, record, "start", required=True)
            end = self.date(label, record, "end", required=False)
            if start not in (None, _INVALID) and end not in (None, _INVALID) and end < start:
                self.add(
                    label,
                    "end",
                    _("ends on %(end)s, before it starts (%(start)s)")
                    % {"end": end.isoformat(), "start": start.isoformat()},
                )
                end = _INVALID
            if _INVALID in (person, organization, role, title, start, end):
                continue
            rows.append(_PositionRow(index, label, person, organization, role, title, start, end))
        return rows

    def check_overlaps(self, rows: list[_PositionRow]) -> None:
        """No person may hold the same role in the same organisation twice at once (file and database)."""
        by_key: dict[tuple[str, str, str], list[_PositionRow]] = defaultdict(list)
        seen: dict[tuple[str, str, str, datetime.date], _PositionRow] = {}
        for row in rows:
            identity = (*row.key, row.start)
            if identity in seen:
                self.add(
                    row.label,
                    "start",
                    _("same person, organisation, role and start as %(other)s")
                    % {"other": f"positions[{seen[identity].index}]"},
                )
                continue
            seen[identity] = row
            by_key[row.key].append(row)

        existing: dict[tuple[str, str, str], list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
        in_db = Position.objects.filter(
            person__username__in={row.person for row in rows}, organization__code__in={row.organization for row in rows}
        ).values_list("person__username", "organization__code", "role", "start", "end")
        for username, code, role, start, end in in_db:
            if (username, code, role, start) not in seen:  # a position of the file replaces its stored self
                existing[(username, code, role)].append((start, end))

        def overlap(a_start, a_end, b_start, b_end) -> bool:
            return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)

        for key, file_rows in by_key.items():
            for i, row in enumerate(file_rows):
                for other in file_rows[:i]:
                    if overlap(row.start, row.end, other.start, other.end):
                        self.add(
                            row.label,
                            "start",
                            _overlap_message(f"positions[{other.index}]", other.start, other.end),
                        )
                for start, end in existing.get(key, []):
                    if overlap(row.start, row.end, start, end):
                        self.add(
                            row.label,
                            "start",
                            _overlap_message(_("a position already in the database"), start, end),
                        )


# --- Writing -------------------------------------------------------------------------------------------


def _apply(plan: _Plan, report: ImportReport) -> None:
    label = ""
    try:
        for row in _superiors_first(plan.organizations):
            label = row.label
            _apply_organization(row, report.organizations)
        for row in plan.people:
            label = row.label
            _apply_person(row, report.people)
        for row in plan.positions:
            label = row.label
            _apply_position(row, report.positions)
    except ValidationError as error:  # validation above should have caught it; still, nothing is written
        raise DirectoryError([f"{label}: {message}" for message in error.messages])


def _superiors_first(rows: list[_OrganizationRow]) -> list[_OrganizationRow]:
    """The rows in an order where a superior listed in the file comes before its subordinates."""
    by_code = {row.code: row for row in rows}
    ordered: list[_OrganizationRow] = []
    placed: set[str] = set()
    for row in rows:
        chain = []
        current: _OrganizationRow | None = row
        while current is not None and current.code not in placed:
            chain.append(current)
            current = by_code.get(current.superior) if current.superior else None
        for item in reversed(chain):
            placed.add(item.code)
            ordered.append(item)
    return ordered


def _apply_organization(row: _OrganizationRow, counts: Counts) -> None:
    # Always read afresh: saving a superior may have rewritten this organisation's path.
    superior = Organization.objects.get(code=row.superior) if row.superior else None
    organization = Organization.objects.filter(code=row.code).first()
    if organization is None:
        organization_save(organization=Organization(code=row.code, name=row.name, kind=row.kind, superior=superior))
        counts.created += 1
        return
    superior_id = superior.pk if superior else None
    if (organization.name, organization.kind, organization.superior_id) == (row.name, row.kind, superior_id):
        counts.unchanged += 1
        return
    organization.name, organization.kind, organization.superior = row.name, row.kind, superior
    organization_save(organization=organization)
    counts.updated += 1


def _apply_person(row: _PersonRow, counts: Counts) -> None:
    person = User.objects.filter(username=row.username).first()
    if person is None:
        person = User(username=row.username, full_name=row.full_name, email=row.email)
        person.set_unusable_password()
        person.full_clean()
        person.save()
        counts.created += 1
        return
    if (person.full_name, person.email) == (row.full_name, row.email):
        counts.unchanged += 1
        return
    person.full_name, person.email = row.full_name, row.email  # both checked above; the rest is not ours to judge
    person.save(update_fields=["full_name", "email"])
    counts.updated += 1


def _apply_position(row: _PositionRow, counts: Counts) -> None:
    person = User.objects.get(username=row.person)
    organization = Organization.objects.get(code=row.organization)
    position = Position.objects.filter(person=person, organization=organization, role=row.role, start=row.start).first()
    if position is None:
        position_start(
            person=person, organization=organization, role=row.role, start=row.start, end=row.end, title=row.title
        )
        counts.created += 1
        return
    if (position.title, position.end) == (row.title, row.end):
        counts.unchanged += 1
        return
    if position.title != row.title:
        position.title = row.title
        position.full_clean()
        position.save(update_fields=["title"])
    if position.end != row.end:
        if row.end is not None:
            position_end(position=position, end=row.end)
        else:  # reopened: the same as position_end, with no last day
            position.end = None
            position.full_clean()
            position.save(update_fields=["end"])
            grants.sync_user_grants(position.person_id)
    counts.updated += 1
