"""Checking a whole document before anything is written: its shape, each record, then the records together.

``validate_document`` collects every problem (not just the first) and raises them all in one
``DirectoryError``, in the order of the document; without errors it returns the ``Plan``: the records of
each section, validated. The order of the steps matters (see ``checks``): the shape, then each record through
its serializer, then the rules across records, organisations first (positions refer to them): their codes,
their dated superiors (``history``), today's superior, then the cycles, today and on any date.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings

from permissions.directory import checks, history
from permissions.directory.records import Issues, Record, RecordNames, json_type, wrong_type
from permissions.directory.serializers import SERIALIZERS, TOP_LEVEL_KEYS
from permissions.models import Organization, Position, SuperiorPeriod, User


@dataclasses.dataclass
class Plan:
    """The records to write, valid, in the order of the document."""

    organizations: list[Record]
    people: list[Record]
    positions: list[Record]


def validate_document(data: Any, *, names: RecordNames | None = None) -> Plan:
    """Check ``data`` (the JSON structure); raise ``DirectoryError`` with every problem, or return the plan."""
    names = names or RecordNames()
    issues = Issues(sections={section: serializer.field_names() for section, serializer in SERIALIZERS.items()})
    if not _check_shape(data, issues):
        issues.raise_if_any()  # nothing more can be said about a document of the wrong shape
    records = {
        section: [
            _validated(section, index, raw, names=names, issues=issues) for index, raw in enumerate(data[section])
        ]
        for section in TOP_LEVEL_KEYS
    }
    organizations, people, positions = records["organizations"], records["people"], records["positions"]

    checks.duplicate_codes(organizations, issues=issues)
    stored_superiors: dict[str, str | None] = {}
    stored_successors: dict[str, str | None] = {}
    for code, superior, successor in Organization.objects.values_list("code", "superior__code", "successor__code"):
        stored_superiors[code], stored_successors[code] = superior, successor
    stored_periods = history.stored_periods_by_code(
        SuperiorPeriod.objects.values_list("organization__code", "superior__code", "valid_from", "valid_to")
    )
    known_codes = set(checks.first_uses(organizations, "code")) | set(stored_superiors)
    today = timezone.localdate()
    history.superior_periods(organizations, known_codes=known_codes, issues=issues)
    history.superior_of_today(organizations, today=today, stored=stored_periods, issues=issues)
    checks.unknown_superiors(organizations, known_codes=known_codes, issues=issues)
    history.unknown_successors(organizations, known_codes=known_codes, issues=issues)
    checks.superior_cycles(organizations, stored=stored_superiors, issues=issues)
    history.dated_superior_cycles(
        organizations,
        stored_superiors=stored_superiors,
        stored_periods=stored_periods,
        today=today,
        issues=issues,
    )
    history.successor_cycles(organizations, stored=stored_successors, issues=issues)

    checks.duplicate_usernames(people, issues=issues)

    file_usernames = set(checks.first_uses(people, "username"))
    named = {record.values["person"] for record in positions if "person" in record.values} - file_usernames
    known_usernames = file_usernames | set(User.objects.filter(username__in=named).values_list("username", flat=True))
    checks.unknown_people(positions, known_usernames=known_usernames, issues=issues)
    checks.unknown_organizations(positions, known_codes=known_codes, issues=issues)
    valid = [record for record in positions if not issues.on(record)]
    checks.duplicate_positions(valid, issues=issues)
    distinct = [record for record in valid if not issues.on(record)]
    checks.overlapping_positions(distinct, stored=_stored_positions(distinct), issues=issues)

    issues.raise_if_any()
    return Plan(organizations=organizations, people=people, positions=positions)


def _check_shape(data: Any, issues: Issues) -> bool:
    """Whether the document has the right shape (an unknown key is an error, but not a blocking one)."""
    if not isinstance(data, dict):
        issues.add_document(
            _("document"),
            _("expected a JSON object with the keys %(keys)s, got %(got)s")
            % {"keys": ", ".join(TOP_LEVEL_KEYS), "got": json_type(data)},
        )
        return False
    shape_ok = True
    for key in TOP_LEVEL_KEYS:
        if key not in data:
            issues.add_document(key, _("required key is missing (use an empty array if there is nothing to import)"))
            shape_ok = False
        elif not isinstance(data[key], list):
            issues.add_document(key, wrong_type("array", data[key]))
            shape_ok = False
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            issues.add_document(
                str(key), _("unknown key (expected one of: %(keys)s)") % {"keys": ", ".join(TOP_LEVEL_KEYS)}
            )
    return shape_ok


def _validated(section: str, index: int, raw: Any, *, names: RecordNames, issues: Issues) -> Record:
    """One record through its serializer; its errors become issues naming the record and the field."""
    serializer_class = SERIALIZERS[section]
    serializer = serializer_class(data=raw)
    serializer.is_valid()
    place = names.record(section, index)
    record = Record(
        section=section,
        index=index,
        place=place,
        name=place + serializer_class.identity_of(raw),
        raw=raw,
        values=serializer.valid_fields,
        elements=_element_names(section, index, raw, names),
    )
    for field, messages in serializer.errors.items():
        if any(isinstance(message, Mapping) for message in messages):  # a list field: errors by element
            for position, element_errors in enumerate(messages):
                for subfield, sub_messages in element_errors.items():
                    subfield = None if subfield == api_settings.NON_FIELD_ERRORS_KEY else subfield
                    for message in sub_messages:
                        issues.add_element(record, field, position, subfield, str(message))
            continue
        for message in messages:
            issues.add(record, None if field == api_settings.NON_FIELD_ERRORS_KEY else field, str(message))
    return record


def _element_names(section: str, index: int, raw: Any, names: RecordNames) -> dict[tuple[str, int], tuple[str, str]]:
    """The elements of the record's list fields that have a place of their own (rows of another sheet)."""
    if not isinstance(raw, Mapping):
        return {}
    found = {}
    for field, value in raw.items():
        if isinstance(value, list):
            for position in range(len(value)):
                element = names.element(section, index, str(field), position)
                if element is not None:
                    found[(str(field), position)] = element
    return found


def _stored_positions(positions: list[Record]) -> list[checks.StoredPosition]:
    """The positions in the database that may overlap ``positions`` (same people, same organisations)."""
    return list(
        Position.objects.filter(
            person__username__in={record.values["person"] for record in positions},
            organization__code__in={record.values["organization"] for record in positions},
        ).values_list("person__username", "organization__code", "role", "start", "end")
    )
