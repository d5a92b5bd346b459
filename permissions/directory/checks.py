"""The rules across records: what a record cannot tell about itself.

Each rule is a function that reads the records of the document (``Record.values``: the fields that passed
their serializer) and, where it matters, what the database already holds, and adds what it finds to
``issues``. A rule looks only at fields without an issue so far, so that one mistake is reported once; the
order in which ``validation`` calls them matters for that (a reference to an unknown code makes the field
invalid, so the cycle check does not follow it). Nothing here queries the database: the callers pass in what
it holds.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from permissions.directory.records import Issues, Record, quoted

PositionKey = tuple[str, str, str]  # (person, organization, role)
StoredPosition = tuple[str, str, str, datetime.date, datetime.date | None]  # (*key, start, end)


def first_uses(records: Iterable[Record], field: str) -> dict[str, Record]:
    """Each key given in ``field`` -> the first record giving it.

    The key counts as given even on a record that is faulty otherwise (or whose key is itself invalid, e.g.
    too long), so that records referring to it are not reported a second time.
    """
    first: dict[str, Record] = {}
    for record in records:
        key = record.key(field)
        if key is not None:
            first.setdefault(key, record)
    return first


def _duplicates(records: list[Record], field: str, message: str, issues: Issues) -> None:
    first = first_uses(records, field)
    for record in records:
        key = record.key(field)
        if key is not None and first[key] is not record:
            # The message names the key by the field: %(code)s, %(username)s.
            issues.add(record, field, message % {field: quoted(key), "other": first[key].place}, identity=True)


def duplicate_codes(organizations: list[Record], *, issues: Issues) -> None:
    _duplicates(organizations, "code", _("duplicate code %(code)s (already used by %(other)s)"), issues)


def duplicate_usernames(people: list[Record], *, issues: Issues) -> None:
    _duplicates(people, "username", _("duplicate username %(username)s (already used by %(other)s)"), issues)


def unknown_organization(code: str) -> str:
    return _("unknown organisation code %(code)s (neither in the file nor in the database)") % {"code": quoted(code)}


def unknown_superiors(organizations: list[Record], *, known_codes: set[str], issues: Issues) -> None:
    for record in organizations:
        superior = record.values.get("superior")
        if superior is not None and not issues.on(record, "superior") and superior not in known_codes:
            issues.add(record, "superior", unknown_organization(superior))


def cycles(
    starts: Iterable[str], parents: Mapping[str, str | None], order: Mapping[str, int]
) -> list[tuple[str, list[str]]]:
    """Every cycle reached by following ``parents`` from ``starts``: (the code to report it on, the cycle).

    The cycle is listed from its first code in ``order`` (the records of the file) back to it, ``A → B → A``,
    and reported on that code (on the start it was reached from when none of its codes is in the file).
    """
    found: list[tuple[str, list[str]]] = []
    done: set[str] = set()
    for code in starts:
        chain: list[str] = []
        place: dict[str, int] = {}
        current: str | None = code
        while current is not None and current not in done:
            if current in place:
                cycle = chain[place[current] :]
                in_order = [c for c in cycle if c in order]
                first = min(in_order, key=lambda c: order[c]) if in_order else code
                start = cycle.index(first) if first in cycle else 0
                found.append((first, [*cycle[start:], *cycle[:start], cycle[start]]))
                break
            place[current] = len(chain)
            chain.append(current)
            current = parents.get(current)
        done.update(chain)
    return found


def superior_cycles(organizations: list[Record], *, stored: Mapping[str, str | None], issues: Issues) -> None:
    """Every cycle of the superior relation as it would be after the import (``stored``: code -> superior code).

    A cycle is reported once, on the first of its organisations in the file, listing the codes from there.
    """
    in_file: dict[str, Record] = {}
    for record in organizations:
        if "code" in record.values and "superior" in record.values:
            if not issues.on(record, "code") and not issues.on(record, "superior"):
                in_file[record.values["code"]] = record
    superiors = dict(stored)
    superiors.update({code: record.values["superior"] for code, record in in_file.items()})
    order = {code: record.index for code, record in in_file.items()}
    for first, cycle in cycles(sorted(in_file, key=order.__getitem__), superiors, order):
        issues.add(
            in_file[first], "superior", _("the superior relation has a cycle: %(cycle)s") % {"cycle": " → ".join(cycle)}
        )


def unknown_people(positions: list[Record], *, known_usernames: set[str], issues: Issues) -> None:
    for record in positions:
        person = record.values.get("person")
        if person is not None and not issues.on(record, "person") and person not in known_usernames:
            issues.add(
                record,
                "person",
                _("unknown person %(username)s (neither in the file nor in the database)")
                % {"username": quoted(person)},
            )


def unknown_organizations(positions: list[Record], *, known_codes: set[str], issues: Issues) -> None:
    for record in positions:
        organization = record.values.get("organization")
        if organization is not None and not issues.on(record, "organization") and organization not in known_codes:
            issues.add(record, "organization", unknown_organization(organization))


def position_key(record: Record) -> PositionKey:
    return (record.values["person"], record.values["organization"], record.values["role"])


def duplicate_positions(positions: list[Record], *, issues: Issues) -> None:
    """The same position (person, organisation, role and start) twice in the file; ``positions`` are valid."""
    seen: dict[tuple[str, str, str, datetime.date], Record] = {}
    for record in positions:
        identity = (*position_key(record), record.values["start"])
        if identity in seen:
            issues.add(
                record,
                "start",
                _("same person, organisation, role and start as %(other)s") % {"other": seen[identity].place},
            )
        else:
            seen[identity] = record


def _period(start: datetime.date, end: datetime.date | None) -> str:
    return _("%(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat() if end else _("no end")}


def _overlap_message(other: str, start: datetime.date, end: datetime.date | None) -> str:
    return _(
        "overlaps %(other)s (%(period)s): a person cannot hold the same role in the same organisation twice at once"
    ) % {"other": other, "period": _period(start, end)}


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def overlapping_positions(positions: list[Record], *, stored: Iterable[StoredPosition], issues: Issues) -> None:
    """No person may hold the same role in the same organisation twice at once (in the file or the database).

    ``positions`` are valid and distinct; a stored position with the identity of one of them is replaced by it.
    """
    by_key: dict[PositionKey, list[Record]] = defaultdict(list)
    for record in positions:
        by_key[position_key(record)].append(record)
    in_file = {(*position_key(record), record.values["start"]) for record in positions}
    existing: dict[PositionKey, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
    for username, code, role, start, end in stored:
        if (username, code, role, start) not in in_file:
            existing[(username, code, role)].append((start, end))

    for key, records in by_key.items():
        for i, record in enumerate(records):
            start, end = record.values["start"], record.values["end"]
            for other in records[:i]:
                if _overlap(start, end, other.values["start"], other.values["end"]):
                    issues.add(
                        record, "start", _overlap_message(other.place, other.values["start"], other.values["end"])
                    )
            for stored_start, stored_end in existing.get(key, []):
                if _overlap(start, end, stored_start, stored_end):
                    issues.add(
                        record,
                        "start",
                        _overlap_message(_("a position already in the database"), stored_start, stored_end),
                    )
