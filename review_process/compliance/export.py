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
from collections.abc import Callable, Iterable
from typing import BinaryIO, TextIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from review_process.compliance.report import ComplianceReport, ComplianceSummary

COLUMNS = (
    "review",
    "organization",
    "organization_name",
    "year",
    "state",
    "regime",
    "compliant",
    "rule",
    "title",
    "severity",
    "status",
    "message",
    "reference",
    "evidence",
)
FORMATS = ("json", "csv", "xlsx")
BINARY_FORMATS = ("xlsx",)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value``, with a leading single quote if it is a text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable) -> list:
    return [spreadsheet_safe(v) for v in values]


def _cell(row: dict, column: str):
    value = row[column]
    if column == "evidence":
        value = json.dumps(value, ensure_ascii=False)
    return spreadsheet_safe(value)


def write_csv(reports: Iterable[ComplianceReport], out: TextIO, *, on_report: Callable | None = None):
    summary = ComplianceSummary()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for report in reports:
        summary.add(report)
        for row in report.rows():
            writer.writerow([_cell(row, c) for c in COLUMNS])
        if on_report:
            on_report(report)
    return summary


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
        for row in report.rows():
            out.write(("\n" if first else ",\n") + json.dumps(row, ensure_ascii=False))
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
        for row in report.rows():
            sheet.append([_cell(row, c) for c in COLUMNS])
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
