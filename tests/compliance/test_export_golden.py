"""The bulk audit's files are exactly what the per-review reports say, rendered the plain way.

The golden rows are computed in the test from ``review_compliance`` (one review at a time) with the exports'
original, unoptimised rendering: a dict per (review, rule), the title from ``rule_title``, the evidence through
``json.dumps``, every text cell through ``spreadsheet_safe``. ``manage.py audit_compliance`` (batched loading,
cached texts, tuple rows, precomputed JSON heads) must write the very same bytes (CSV), objects and text per row
(JSON) and cells (XLSX), in Vietnamese and in English, across batch boundaries.
"""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from bench.data import build_dataset
from permissions.models import Organization
from review_process.compliance.export import COLUMNS, spreadsheet_safe
from review_process.compliance.report import compliance_scope, review_compliance, rule_title
from review_process.models import Review
from review_process.services import records
from workflows.services import review_open

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def audited(clean_review, people):
    """The walked Đức Giang review (its stage since changed outside the services), a Thượng Thanh review in draft, and 24 bulk-built reviews (some without a
    remedial plan, some with a late draft, one organisation whose name a spreadsheet would read as a formula)."""
    draft = review_open(organization_code="LB-TT", year=2021, kind="collective", by=people.outsider)
    records.report_version_add(review=draft, by=people.outsider, text="Dự thảo")
    build_dataset(reviews=24, root_code="G", wards_per_district=8, broken_every=5, late_every=7)
    Organization.objects.filter(code="G-W00003").update(name="=HYPERLINK(1)")
    # The walked review's stage no longer matches its trail, nor its row its fingerprint (records_intact).
    Review.objects.filter(pk=clean_review.pk).update(state="approved")
    return clean_review, draft


def golden_rows(code: str) -> list[dict]:
    """The rows as the exports wrote them before they were made fast: from each review's own report."""
    rows = []
    for pk in compliance_scope(2021, code).order_by("pk").values_list("pk", flat=True):
        report = review_compliance(pk)
        for f in report.findings:
            rows.append(
                {
                    "review": report.review_id,
                    "organization": report.organization_code,
                    "organization_name": report.organization_name,
                    "year": report.year,
                    "state": report.state,
                    "regime": report.regime,
                    "compliant": not any(x.status == "fail" for x in report.findings),
                    "rule": f.rule,
                    "title": rule_title(f.rule, regime=report.regime or report.year),
                    "severity": str(f.severity),
                    "status": str(f.status),
                    "message": f.message,
                    "reference": f.reference,
                    "evidence": f.evidence,
                }
            )
    return rows


def cell(row: dict, column: str):
    value = row[column]
    return spreadsheet_safe(json.dumps(value, ensure_ascii=False) if column == "evidence" else value)


def golden_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([cell(row, c) for c in COLUMNS])
    return out.getvalue()


def audit(tmp_path, code: str, fmt: str, *, batch_size: int) -> str:
    target = tmp_path / f"audit-{code}.{fmt}"
    call_command(
        "audit_compliance",
        "--year=2021",
        f"--organization={code}",
        f"--format={fmt}",
        f"--output={target}",
        f"--batch-size={batch_size}",
        "--no-progress",
        stderr=io.StringIO(),
    )
    return target


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("code", "batch_size"), [("HN", 1), ("G", 5), ("G", 200)])
def test_the_files_match_the_reports_rendered_plainly(audited, tmp_path, language, code, batch_size):
    with translation.override(language):
        rows = golden_rows(code)
        csv_file = audit(tmp_path, code, "csv", batch_size=batch_size)
        json_file = audit(tmp_path, code, "json", batch_size=batch_size)
        xlsx_file = audit(tmp_path, code, "xlsx", batch_size=batch_size)
    assert len(rows) > 20 and any(r["status"] == "fail" for r in rows)
    assert any(r["organization_name"].startswith("=") for r in rows) == (code == "G")
    assert any(r["rule"] == "records_intact" for r in rows) == (code == "HN")

    assert csv_file.read_bytes().decode("utf-8") == golden_csv(rows)

    text = json_file.read_text(encoding="utf-8")
    assert json.loads(text)["rows"] == rows
    written = text.split('"rows": [\n', 1)[1].rsplit("\n], ", 1)[0].split(",\n")
    assert written == [json.dumps(row, ensure_ascii=False) for row in rows]

    sheet = load_workbook(xlsx_file, read_only=True)["findings"]
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert cells[0] == list(COLUMNS)
    # An empty text (the reference of records_intact) is an empty cell, read back as None.
    assert cells[1:] == [[cell(row, c) if cell(row, c) != "" else None for c in COLUMNS] for row in rows]
