"""The records of a directory document, how errors name them, and the errors found in them.

Every problem is an ``Issue``: the record (its place in the document, ``organizations[3]`` in JSON or
``sheet organizations, row 5`` in a workbook, followed by its key when it has one), the field, and what is
wrong; an element of a list field is named after the record, ``superiors[1].to``, or after the row of the
``superiors`` sheet it was read from (``RecordNames.element``). ``Issues`` collects them while the document is
checked and hands them out in the order of the document (top level first, then each section record by record,
each record field by field); ``DirectoryError`` carries them to the caller. Nothing here touches the database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _


def json_type(value: Any) -> str:
    """The JSON name of the type of ``value`` (what an error says it got)."""
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


def quoted(value: Any) -> str:
    return f'"{value}"'


def wrong_type(expected: str, value: Any) -> str:
    return _("expected %(expected)s, got %(got)s") % {"expected": expected, "got": json_type(value)}


class RecordNames:
    """How errors name a record of a JSON document: its index in its array, ``people[4]``.

    An element of a list field (``superiors``) is named within its record, ``superiors[1]``: ``element``
    gives it no place of its own.
    """

    def record(self, section: str, index: int) -> str:
        return f"{section}[{index}]"

    def element(self, section: str, index: int, field: str, position: int) -> tuple[str, str] | None:
        """Where element ``position`` of the list ``field`` of a record is, and its name, when it has a place
        of its own (a row of another sheet); None when it is named within its record."""
        return None


# An element of a record read from a row of another sheet: (sheet, row, the identity shown, e.g. 'organization "LB"').
ElementRow = tuple[str, int, str]


class SheetRowNames(RecordNames):
    """How errors name a record read from a workbook: its sheet and row, ``sheet people, row 6``.

    ``elements`` maps (section, index, field, position) to the row of another sheet the element was read from
    (the ``superiors`` sheet): its errors name that row, ``sheet superiors, row 4 (organization "LB-DG")``.
    """

    def __init__(
        self, rows: Mapping[str, Sequence[int]], elements: Mapping[tuple[str, int, str, int], ElementRow] | None = None
    ):
        self.rows = rows  # section -> the sheet row of each record, in order
        self.elements = elements or {}

    def record(self, section: str, index: int) -> str:
        return _("sheet %(sheet)s, row %(row)s") % {"sheet": section, "row": self.rows[section][index]}

    def element(self, section: str, index: int, field: str, position: int) -> tuple[str, str] | None:
        found = self.elements.get((section, index, field, position))
        if found is None:
            return None
        sheet, row, identity = found
        place = _("sheet %(sheet)s, row %(row)s") % {"sheet": sheet, "row": row}
        return place, f"{place} ({identity})"


@dataclasses.dataclass
class Record:
    """One record of a section: as given (``raw``), and the fields of it that passed their own validation."""

    section: str
    index: int
    place: str  # where it is, e.g. "organizations[3]" (how other records' errors refer to it)
    name: str  # how its own errors name it: its place and its key, e.g. 'organizations[3] (code "HN")'
    raw: Any
    values: dict[str, Any]
    # (field, position) -> (place, name) of an element of a list field that has a place of its own (a sheet row)
    elements: dict[tuple[str, int], tuple[str, str]] = dataclasses.field(default_factory=dict)

    def given(self, field: str) -> bool:
        """Whether the record gives ``field`` at all (even as null), rather than leaving it to its default."""
        return isinstance(self.raw, Mapping) and field in self.raw

    def element_place(self, field: str, position: int) -> str:
        """How other errors refer to element ``position`` of the list ``field``: ``superiors[1]`` or its row."""
        element = self.elements.get((field, position))
        return element[0] if element else f"{field}[{position}]"

    def key(self, field: str) -> str | None:
        """The field as given when it is a non-blank string: a key other records may refer to, valid or not."""
        value = self.raw.get(field) if isinstance(self.raw, Mapping) else None
        return value if isinstance(value, str) and value.strip() else None


@dataclasses.dataclass(frozen=True)
class Issue:
    """One problem: ``record: field: message`` (``record: message`` when it is not about one field)."""

    record: str
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.message}" if self.field else f"{self.record}: {self.message}"


class DirectoryError(Exception):
    """The document cannot be imported; ``errors`` lists every problem found (nothing was written).

    ``errors`` are the lines to show; ``issues`` the same problems, structured, where they came from an ``Issue``.
    """

    def __init__(self, errors: Iterable[Issue | str]):
        found = list(errors)
        self.issues = [error for error in found if isinstance(error, Issue)]
        self.errors = [str(error) for error in found]
        super().__init__("\n".join(self.errors))


class Issues:
    """The problems found so far, and which records and fields they touch.

    ``sections`` gives the order of the sections and, for each, the order of its fields: issues are reported
    in document order, and within a record: its identity (a duplicate key), the record itself, unknown fields,
    then the fields in their declared order (insertion order where all of that is equal).
    """

    def __init__(self, *, sections: Mapping[str, Sequence[str]]):
        self._sections = list(sections)
        self._fields = {section: list(fields) for section, fields in sections.items()}
        self._found: list[tuple[tuple[int, int, int], Issue]] = []
        self._records: set[tuple[str, int]] = set()
        self._record_fields: set[tuple[str, int, str | None]] = set()

    def __bool__(self) -> bool:
        return bool(self._found)

    def add_document(self, name: str, message: str) -> None:
        """A problem with the document itself or one of its sections (``name`` is what it is about)."""
        self._found.append(((0, 0, 0), Issue(name, None, message)))

    def add(self, record: Record, field: str | None, message: str, *, identity: bool = False) -> None:
        """A problem in ``record`` (in its ``field``); ``identity``: with its key, reported before anything else."""
        self._add(record, field, Issue(record.name, field, message), identity=identity)

    def add_element(self, record: Record, field: str, position: int, subfield: str | None, message: str) -> None:
        """A problem in element ``position`` of the list ``field`` of ``record`` (in its ``subfield``).

        Named ``record: superiors[1].to: message``, or after the element's own row when it has one
        (``sheet superiors, row 4 (organization "LB-DG"): to: message``); it counts as a problem in ``field``.
        """
        element = record.elements.get((field, position))
        if element is not None:
            issue = Issue(element[1], subfield, message)
        else:
            name = f"{field}[{position}]"
            issue = Issue(record.name, f"{name}.{subfield}" if subfield else name, message)
        self._add(record, field, issue)

    def _add(self, record: Record, field: str | None, issue: Issue, *, identity: bool = False) -> None:
        fields = self._fields[record.section]
        position = -3 if identity else -2 if field is None else fields.index(field) if field in fields else -1
        place = (self._sections.index(record.section) + 1, record.index, position)
        self._found.append((place, issue))
        self._records.add((record.section, record.index))
        self._record_fields.add((record.section, record.index, field))

    def on(self, record: Record, field: str | None = None) -> bool:
        """Whether a problem was found in ``record`` (in its ``field``, when one is given)."""
        if field is None:
            return (record.section, record.index) in self._records
        return (record.section, record.index, field) in self._record_fields

    def raise_if_any(self) -> None:
        if self._found:
            raise DirectoryError([issue for _place, issue in sorted(self._found, key=lambda found: found[0])])
