"""The rules of the dated tree across records: superior periods, today's superior, successors, cycles on any date.

An organisation of the file may give ``superiors``, its dated direct superiors (``SuperiorPeriod``), and a
``successor``. Absent, its dated superiors in the database are left as they are; given, they replace them.
``Organization.superior`` is today's tree (it keeps the materialised path): it must be the period covering
today, so ``superior_of_today`` fills it in from ``superiors`` when the record leaves it out, and refuses it when
it disagrees with them (or, without ``superiors``, with the periods already in the database).

Like ``checks``, each rule reads ``Record.values`` (the fields that passed their serializer) and what the
database holds (passed in by ``validation``), skips fields that already have an issue, and adds what it finds
to ``issues``. The order matters: periods first (unknown codes make them invalid), then today's superior (from
valid periods only), then the cycles.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from permissions.directory.checks import cycles, unknown_organization
from permissions.directory.records import Issues, Record, quoted

Period = tuple[str, datetime.date | None, datetime.date | None]  # (superior code, from, to): inclusive, open if None
StoredPeriod = tuple[str, str, datetime.date | None, datetime.date | None]  # (organisation code, *Period)


def stored_periods_by_code(rows: Iterable[StoredPeriod]) -> dict[str, list[Period]]:
    periods: dict[str, list[Period]] = defaultdict(list)
    for code, superior, start, end in rows:
        periods[code].append((superior, start, end))
    return dict(periods)


def file_periods(record: Record) -> list[Period] | None:
    """The record's ``superiors`` as periods (None when it gives none, or they are not valid on their own)."""
    given = record.values.get("superiors")
    if given is None:
        return None
    return [(period["code"], period["from"], period["to"]) for period in given]


def covering(periods: Iterable[Period], day: datetime.date) -> str | None:
    """The superior of the period covering ``day`` (None if none does)."""
    for superior, start, end in periods:
        if (start is None or start <= day) and (end is None or end >= day):
            return superior
    return None


def _span(start: datetime.date | None, end: datetime.date | None) -> str:
    return _("%(start)s to %(end)s") % {
        "start": start.isoformat() if start else _("no start"),
        "end": end.isoformat() if end else _("no end"),
    }


def _overlap(a: Period, b: Period) -> bool:
    _a, a_start, a_end = a
    _b, b_start, b_end = b
    return (a_start is None or b_end is None or a_start <= b_end) and (
        b_start is None or a_end is None or b_start <= a_end
    )


def superior_periods(organizations: list[Record], *, known_codes: set[str], issues: Issues) -> None:
    """Each period's superior is another organisation, known; the periods of one organisation do not overlap."""
    for record in organizations:
        periods = file_periods(record)
        if periods is None or issues.on(record, "superiors"):
            continue
        code = record.values.get("code")
        for position, (superior, _start, _end) in enumerate(periods):
            if superior == code:
                issues.add_element(
                    record, "superiors", position, "code", _("an organisation cannot be its own superior")
                )
            elif superior not in known_codes:
                issues.add_element(record, "superiors", position, "code", unknown_organization(superior))
        for position, period in enumerate(periods):
            for other, earlier in enumerate(periods[:position]):
                if _overlap(period, earlier):
                    issues.add_element(
                        record,
                        "superiors",
                        position,
                        "from",
                        _("overlaps %(other)s (%(period)s): an organisation has one direct superior at a time")
                        % {"other": record.element_place("superiors", other), "period": _span(*earlier[1:])},
                    )


def _no_superior_or(code: str | None) -> str:
    return quoted(code) if code is not None else _("no superior")


def superior_of_today(
    organizations: list[Record], *, today: datetime.date, stored: Mapping[str, list[Period]], issues: Issues
) -> None:
    """``superior`` is the period covering ``today``: filled in from ``superiors`` when the record leaves it out,
    refused when it disagrees with them, or (without ``superiors``) with the periods in the database.

    ``superiors: []`` (no dated superiors: the organisation has always had its ``superior``) constrains nothing.
    """
    for record in organizations:
        if issues.on(record, "superiors") or "code" not in record.values:
            continue
        periods = file_periods(record)
        if periods == []:  # no dated superiors: it has always had its superior
            continue
        if periods is not None:
            today_superior = covering(periods, today)
            if not record.given("superior"):
                record.values["superior"] = today_superior
            elif "superior" in record.values and record.values["superior"] != today_superior:
                issues.add(
                    record,
                    "superior",
                    _("does not agree with superiors, which give %(other)s on %(day)s (today)")
                    % {"other": _no_superior_or(today_superior), "day": today.isoformat()},
                )
        elif record.values["code"] in stored and "superior" in record.values and not issues.on(record, "superior"):
            today_superior = covering(stored[record.values["code"]], today)
            if record.values["superior"] != today_superior:
                issues.add(
                    record,
                    "superior",
                    _(
                        "does not agree with the superior periods in the database, which give %(other)s on %(day)s "
                        "(today); give superiors as well"
                    )
                    % {"other": _no_superior_or(today_superior), "day": today.isoformat()},
                )


def unknown_successors(organizations: list[Record], *, known_codes: set[str], issues: Issues) -> None:
    for record in organizations:
        successor = record.values.get("successor")
        if successor is not None and not issues.on(record, "successor") and successor not in known_codes:
            issues.add(record, "successor", unknown_organization(successor))


def _valid(organizations: list[Record], issues: Issues, *fields: str) -> dict[str, Record]:
    """The records of the file by code whose code and ``fields`` passed every check so far."""
    return {
        record.values["code"]: record
        for record in organizations
        if "code" in record.values
        and not issues.on(record, "code")
        and all(field in record.values and not issues.on(record, field) for field in fields)
    }


def dated_superior_cycles(
    organizations: list[Record],
    *,
    stored_superiors: Mapping[str, str | None],
    stored_periods: Mapping[str, list[Period]],
    today: datetime.date,
    issues: Issues,
) -> None:
    """No cycle in the dated tree on any date, as it would be after the import.

    The tree changes only where a period starts or the day after one ends: it is checked on each such day, on
    the day before the first of them, and today. A cycle without dated superiors is the same on every day and
    is ``checks.superior_cycles``'s; each cycle is reported once, on its first organisation in the file.
    """
    in_file = _valid(organizations, issues, "superior", "superiors")
    order = {code: record.index for code, record in in_file.items()}
    plain = dict(stored_superiors)
    plain.update({code: record.values["superior"] for code, record in in_file.items()})
    periods = dict(stored_periods)
    for code, record in in_file.items():
        given = file_periods(record)
        if given:
            periods[code] = given
        elif given is not None:  # none: it has always had its superior
            periods.pop(code, None)
    bounds = {
        day
        for dated in periods.values()
        for _superior, start, end in dated
        for day in (start, end + datetime.timedelta(days=1) if end and end < datetime.date.max else None)
        if day is not None
    }
    days = sorted(bounds | {today})
    days.insert(0, days[0] - datetime.timedelta(days=1))
    reported: set[frozenset[str]] = set()
    for day in days:
        parents = {code: covering(periods[code], day) if code in periods else plain.get(code) for code in plain}
        for first, cycle in cycles(sorted(in_file, key=order.__getitem__), parents, order):
            members = frozenset(cycle)
            if members in reported or not members & periods.keys():
                continue
            reported.add(members)
            if any(issues.on(in_file[code], "superior") for code in members if code in in_file):
                continue  # already reported as a cycle of today's superiors
            record = in_file[first]
            issues.add(
                record,
                "superiors" if record.values["superiors"] is not None else "superior",
                _("the dated superior relation has a cycle on %(day)s: %(cycle)s")
                % {"day": day.isoformat(), "cycle": " → ".join(cycle)},
            )


def successor_cycles(organizations: list[Record], *, stored: Mapping[str, str | None], issues: Issues) -> None:
    """No organisation is, through its successors, its own successor (``stored``: code -> successor code)."""
    in_file = _valid(organizations, issues, "successor")
    order = {code: record.index for code, record in in_file.items()}
    successors = dict(stored)
    successors.update({code: record.values["successor"] for code, record in in_file.items()})
    for first, cycle in cycles(sorted(in_file, key=order.__getitem__), successors, order):
        issues.add(
            in_file[first],
            "successor",
            _("the successor relation has a cycle: %(cycle)s") % {"cycle": " → ".join(cycle)},
        )
