"""Texts typed by users cannot become spreadsheet formulas in the auditors' CSV and XLSX files.

Item 4 of the issue "Evidence that cannot be rewritten, attachments that cannot attack …": a cell that begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote, in the bulk exports
(``review_process.compliance.export``) and in the CSV files of the evidence archive.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from review_process.compliance.export import spreadsheet_safe, write_csv, write_xlsx
from review_process.compliance.report import ComplianceReport
from review_process.compliance.rules.base import Finding
from review_process.evidence import evidence_archive
from review_process.services import records

FORMULAS = ['=HYPERLINK("http://evil.example","bấm vào")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_text_that_looks_like_a_formula_is_quoted(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["Đảng ủy phường Đức Giang", "", "a=b", "'=already quoted", 42, -3, None, True])
def test_other_values_are_left_alone(value):
    assert spreadsheet_safe(value) == value


def report_with(text: str) -> ComplianceReport:
    finding = Finding(
        rule="opinions_answered",
        title_vi="Ý kiến được trả lời",
        title_en="Opinions answered",
        severity="major",
        status="fail",
        message=text,
        reference=text,
        evidence=[],
    )
    return ComplianceReport(
        review_id=1,
        organization_code="LB-DG",
        organization_name=text,
        year=2021,
        state="closed",
        regime=text,
        findings=[finding],
    )


def test_the_csv_export_neutralises_formulas():
    out = io.StringIO()
    write_csv([report_with(t) for t in FORMULAS], out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["message"] for r in rows] == ["'" + t for t in FORMULAS]
    assert [r["organization_name"] for r in rows] == ["'" + t for t in FORMULAS]
    assert rows[0]["year"] == "2021"


def test_the_xlsx_export_neutralises_formulas():
    out = io.BytesIO()
    write_xlsx([report_with(t) for t in FORMULAS], out)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    sheet = workbook["findings"]
    header = [c.value for c in sheet[1]]
    column = header.index("message")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ["'" + t for t in FORMULAS]
    assert all(c.data_type == "s" for c in cells)  # text, never a formula ("f")
    assert sheet.cell(row=2, column=header.index("year") + 1).value == 2021


@pytest.mark.django_db
def test_the_evidence_archive_csv_files_neutralise_formulas(walker, people):
    review = walker.open()
    records.report_version_add(review=review, by=people.secretary, text="Dự thảo")
    review = walker.advance_draft(review)
    records.opinion_add(review=review, by=people.member, text="=cmd|' /C calc'!A0", channel="written")
    archive = zipfile.ZipFile(io.BytesIO(evidence_archive(review)))
    rows = list(csv.DictReader(io.StringIO(archive.read("opinions.csv").decode("utf-8-sig"))))
    assert rows[0]["text"] == "'=cmd|' /C calc'!A0"
    audit = archive.read("audit/audit-trail.csv").decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(audit)) for cell in row]
    assert cells and not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
