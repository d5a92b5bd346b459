"""Reading a directory file into what ``directory_import`` takes: JSON as it is, an XLSX workbook sheet by sheet.

``read_file`` picks the reader by the file's extension: ``.xlsx`` is a workbook, anything else JSON (as the
command always read it). Both give a ``Document``: the JSON structure (``{"organizations": [...], "people":
[...], "positions": [...]}``) and how errors name its records (an index in JSON, a sheet row in a workbook),
so the same serializers and checks judge both.

A workbook has one sheet per section, named like the JSON keys; row 1 holds the field names, each following
row that is not empty is one record. An empty cell is an absent field (it takes its default); a number cell is
taken as its digits, a date cell as ``YYYY-MM-DD``; text is taken as it is. An optional sheet ``superiors``
(columns organization, code, from, to) holds the dated superiors: each row becomes an element of the
``superiors`` of the organisation named in its ``organization`` column, which must be in the organizations
sheet (errors in the element then name its row of the superiors sheet). A workbook whose sheets, header rows or
superiors rows' organisations are wrong raises ``DirectoryError`` before any record is looked at. A file that
cannot be read at all raises ``ReadError``, whose message names the file.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from permissions.directory.records import DirectoryError, ElementRow, Issue, RecordNames, SheetRowNames, quoted
from permissions.directory.serializers import TOP_LEVEL_KEYS

XLSX_SUFFIX = ".xlsx"
SUPERIORS_SHEET = "superiors"  # optional: the dated superiors of the organisations, one period a row
SUPERIOR_OWNER = "organization"  # its column naming the organisation (of the organizations sheet) of a period
SHEETS = (*TOP_LEVEL_KEYS, SUPERIORS_SHEET)


class ReadError(Exception):
    """The file cannot be read as a directory document (not found, not UTF-8, not JSON, not a workbook)."""


@dataclasses.dataclass(frozen=True)
class Document:
    data: Any  # the JSON structure, to be validated
    names: RecordNames  # how errors name its records


def read_file(path: str | Path) -> Document:
    """The document in the file at ``path``: a workbook if it ends in ``.xlsx``, JSON otherwise."""
    if Path(path).suffix.lower() == XLSX_SUFFIX:
        return read_xlsx(path)
    return read_json(path)


def read_json(path: str | Path) -> Document:
    """A UTF-8 JSON file (a byte-order mark is accepted)."""
    try:
        with open(path, encoding="utf-8-sig") as stream:
            text = stream.read()
    except OSError as error:
        raise ReadError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror or error})
    except UnicodeDecodeError as error:
        raise ReadError(_("%(file)s is not UTF-8 text (byte %(position)s).") % {"file": path, "position": error.start})
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReadError(
            _("%(file)s is not valid JSON: line %(line)s, column %(column)s: %(message)s")
            % {"file": path, "line": error.lineno, "column": error.colno, "message": error.msg}
        )
    return Document(data=data, names=RecordNames())


def read_xlsx(path: str | Path) -> Document:
    """A workbook with one sheet per section; raises ``DirectoryError`` if its sheets or headers are wrong."""
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)  # data_only: a formula counts as its value
    except OSError as error:
        raise ReadError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror or error})
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as error:
        raise ReadError(_("%(file)s is not an XLSX workbook: %(error)s") % {"file": path, "error": error})
    try:
        problems: list[Issue] = []
        data: dict[str, list[dict]] = {}
        rows: dict[str, list[int]] = {}
        for key in TOP_LEVEL_KEYS:
            if key not in workbook.sheetnames:
                message = _(
                    "required sheet is missing (add one with just the header row if there is nothing to import)"
                )
                problems.append(Issue(key, None, message))
            else:
                data[key], rows[key] = _read_sheet(workbook[key], problems)
        for name in workbook.sheetnames:
            if name not in SHEETS:
                message = _("unknown sheet (expected one of: %(sheets)s)") % {"sheets": ", ".join(SHEETS)}
                problems.append(Issue(name, None, message))
        elements: dict[tuple[str, int, str, int], ElementRow] = {}
        if SUPERIORS_SHEET in workbook.sheetnames and "organizations" in data:
            periods, numbers = _read_sheet(workbook[SUPERIORS_SHEET], problems)
            elements = _attach_superiors(periods, numbers, data["organizations"], problems)
    finally:
        workbook.close()
    if problems:
        raise DirectoryError(problems)
    return Document(data=data, names=SheetRowNames(rows, elements))


def _attach_superiors(
    periods: list[dict], numbers: list[int], organizations: list[dict], problems: list[Issue]
) -> dict[tuple[str, int, str, int], ElementRow]:
    """Each row of the superiors sheet, as an element of the ``superiors`` of its organisation's record.

    Returns where each element was read from, so that its errors name its row.
    """
    index: dict[Any, int] = {}
    for position, record in enumerate(organizations):
        index.setdefault(record.get("code"), position)
    elements: dict[tuple[str, int, str, int], ElementRow] = {}
    for period, number in zip(periods, numbers, strict=True):
        place = _("sheet %(sheet)s, row %(row)s") % {"sheet": SUPERIORS_SHEET, "row": number}
        code = period.pop(SUPERIOR_OWNER, None)
        if code is None:
            problems.append(Issue(place, SUPERIOR_OWNER, _("required field is missing")))
            continue
        if code not in index:
            message = _("organisation %(code)s is not in the organizations sheet") % {"code": quoted(code)}
            problems.append(Issue(place, SUPERIOR_OWNER, message))
            continue
        superiors = organizations[index[code]].setdefault("superiors", [])
        elements[("organizations", index[code], "superiors", len(superiors))] = (
            SUPERIORS_SHEET,
            number,
            f"{SUPERIOR_OWNER} {quoted(code)}",
        )
        superiors.append(period)
    return elements


def _read_sheet(sheet: Worksheet, problems: list[Issue]) -> tuple[list[dict], list[int]]:
    """The records of one sheet, and the row number of each."""
    lines = sheet.iter_rows(values_only=True)
    header = [_field_name(cell) for cell in next(lines, ())]
    columns: dict[str, int] = {}
    for column, field in enumerate(header, start=1):
        if field is None:
            continue
        if field in columns:
            problems.append(
                Issue(
                    sheet.title,
                    None,
                    _("column %(column)s: the field name %(field)s is already used by column %(other)s")
                    % {
                        "column": get_column_letter(column),
                        "field": quoted(field),
                        "other": get_column_letter(columns[field]),
                    },
                )
            )
        else:
            columns[field] = column
    records: list[dict] = []
    numbers: list[int] = []
    unnamed: set[int] = set()
    for number, line in enumerate(lines, start=2):
        record: dict[str, Any] = {}
        filled = False
        for column, value in enumerate(line, start=1):
            if value is None or value == "":
                continue
            filled = True
            field = header[column - 1] if column <= len(header) else None
            if field is None:
                unnamed.add(column)
            elif columns[field] == column:
                record[field] = _cell_value(value)
        if filled:
            records.append(record)
            numbers.append(number)
    for column in sorted(unnamed):
        problems.append(
            Issue(
                sheet.title,
                None,
                _("column %(column)s has values but no field name in row 1") % {"column": get_column_letter(column)},
            )
        )
    return records, numbers


def _field_name(cell: Any) -> str | None:
    if cell is None:
        return None
    name = str(cell).strip()
    return name or None


def _cell_value(value: Any) -> Any:
    """A cell as the JSON value it stands for: text as it is, numbers as their digits, dates as YYYY-MM-DD."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bool):
        return value  # "expected string, got boolean"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value
