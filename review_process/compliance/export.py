"""Writers for the bulk audit: JSON, CSV and XLSX, one row per (review, rule), streamed.

Each writer consumes an iterator of ``ComplianceReport`` and writes as it goes, so memory stays bounded
whatever the number of reviews (XLSX uses openpyxl's write-only mode, which spools rows to a temp file).
They return the ``ComplianceSummary`` of what they wrote.

Every text cell of the CSV and XLSX files goes through ``spreadsheet_safe``: a text that a spreadsheet program
would read as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return; opinion texts
and names are typed by users) gets a leading single quote, so it is shown as text and never evaluated.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, TextIO

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from review_process.compliance.report import REVIEW_COLUMNS, ROW_COLUMNS, ComplianceReport, ComplianceSummary

COLUMNS = ROW_COLUMNS
FORMATS = ("json", "csv", "xlsx")
BINARY_FORMATS = ("xlsx",)
#: The media type each format is served with (the bulk page's downloads, the background exports, the API).
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download_name(*, organization: str, year: int | str, fmt: str) -> str:
    """The name an export of ``organization``'s subtree for ``year`` is downloaded as, in the person's language."""
    return f"{gettext('compliance')}-{slugify(organization)}-{year}.{fmt}"


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Evidence link types seen so far whose JSON is the text itself (letters, digits and underscores).
_PLAIN_TYPES: set[str] = set()


def spreadsheet_safe(value):
    """``value``, with a leading single quote if it is a text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable) -> list:
    return [spreadsheet_safe(v) for v in values]


def evidence_json(evidence: list) -> str:
    """``json.dumps(evidence, ensure_ascii=False)``, written directly for the usual links ``{"type", "id"}``."""
    parts = []
    for item in evidence:
        if type(item) is dict and len(item) == 2 and type(item.get("id")) is int and _plain_type(item.get("type")):
            keys = iter(item)
            if next(keys) == "type":
                parts.append(f'{{"type": "{item["type"]}", "id": {item["id"]}}}')
                continue
        return json.dumps(evidence, ensure_ascii=False)
    return "[" + ", ".join(parts) + "]"


def _plain_type(value) -> bool:
    if value in _PLAIN_TYPES:
        return True
    if type(value) is str and value.isascii() and value.replace("_", "a").isalnum():
        _PLAIN_TYPES.add(value)
        return True
    return False


def sheet_rows(report: ComplianceReport) -> Iterator[tuple]:
    """The report's rows as spreadsheet cells (CSV, XLSX): formula-safe texts, the evidence as JSON text."""
    head = None
    for values in report.row_values():
        if head is None:
            head = tuple(spreadsheet_safe(v) for v in values[:REVIEW_COLUMNS])
        yield (
            *head,
            *[spreadsheet_safe(v) for v in values[REVIEW_COLUMNS:-1]],
            spreadsheet_safe(evidence_json(values[-1])),
        )


def write_csv(reports: Iterable[ComplianceReport], out: TextIO, *, on_report: Callable | None = None):
    summary = ComplianceSummary()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for report in reports:
        summary.add(report)
        writer.writerows(sheet_rows(report))
        if on_report:
            on_report(report)
    return summary


def json_rows(report: ComplianceReport) -> Iterator[str]:
    """``json.dumps(row, ensure_ascii=False)`` for each of the report's rows; the review's part is encoded once."""
    head = None
    for values in report.row_values():
        if head is None:
            head = json.dumps(
                dict(zip(COLUMNS[:REVIEW_COLUMNS], values[:REVIEW_COLUMNS], strict=True)), ensure_ascii=False
            )[:-1]
        rest = dict(zip(COLUMNS[REVIEW_COLUMNS:], values[REVIEW_COLUMNS:], strict=True))
        yield head + ", " + json.dumps(rest, ensure_ascii=False)[1:]


def write_json(
    reports: Iterable[ComplianceReport],
    out: TextIO,
    *,
    year: int,
    organization: str,
    on_report: Callable | None = None,
):
    """``{"year", "organization", "generated_at", "rows": [one object per (review, rule)], "summary"}``."""
    summary = ComplianceSummary()
    head = {"year": year, "organization": organization, "generated_at": timezone.now().isoformat()}
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [')
    first = True
    for report in reports:
        summary.add(report)
        rows = list(json_rows(report))
        if rows:
            out.write(("\n" if first else ",\n") + ",\n".join(rows))
            first = False
        if on_report:
            on_report(report)
    out.write('\n], "summary": ' + json.dumps(summary.as_dict(), ensure_ascii=False) + "}\n")
    return summary


def write_xlsx(reports: Iterable[ComplianceReport], out: BinaryIO, *, on_report: Callable | None = None):
    summary = ComplianceSummary()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("findings")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for report in reports:
        summary.add(report)
        for row in sheet_rows(report):
            sheet.append(row)
        if on_report:
            on_report(report)
    totals = workbook.create_sheet("summary")
    totals.append(["reviews", summary.reviews])
    totals.append(["compliant", summary.compliant])
    totals.append(["non_compliant", summary.non_compliant])
    totals.append([])
    rule_rows = summary.rows()
    keys = list(rule_rows[0].keys()) if rule_rows else []
    totals.append(spreadsheet_row(keys))
    for row in rule_rows:
        totals.append(spreadsheet_row(row[k] for k in keys))
    workbook.save(out)
    return summary
