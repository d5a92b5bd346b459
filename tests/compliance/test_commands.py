"""audit_compliance in its three formats, its progress bar, and verify_audit_trail's exit codes."""

import csv
import io
import json
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from review_process.audit import seal_pending
from review_process.compliance.rules import RULES
from review_process.models import AuditEvent, Review
from review_process.services import records
from tests.compliance.conftest import drop_triggers
from workflows.services import review_open

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("english")]


@pytest.fixture
def two_reviews(clean_review, people):
    """The clean Đức Giang review and a Thượng Thanh review still in draft."""
    other = review_open(organization_code="LB-TT", year=2021, kind="collective", by=people.outsider)
    records.report_version_add(review=other, by=people.outsider, text="Dự thảo")
    return clean_review, other


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_compliance", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_has_one_row_per_review_and_rule(two_reviews):
    clean, draft = two_reviews
    out, err = run("--year", "2021", "--organization", "LB", "--format", "json")
    data = json.loads(out)
    assert (data["year"], data["organization"]) == (2021, "LB")
    assert len(data["rows"]) == 2 * len(RULES)
    row = next(r for r in data["rows"] if r["review"] == clean.pk and r["rule"] == "draft_notice")
    assert row["status"] == "pass"
    assert row["organization"] == "LB-DG"
    assert row["message"].startswith("The draft was circulated on 20/11/2021")
    assert {r["status"] for r in data["rows"] if r["review"] == draft.pk and r["rule"] == "remedial_plan"} == {
        "not_applicable"
    }
    assert data["summary"]["reviews"] == 2
    assert data["summary"]["compliant"] == 2
    assert "2 reviews audited: 2 compliant, 0 not compliant." in err


def test_csv_reads_back(two_reviews, tmp_path):
    clean, _draft = two_reviews
    Review.objects.filter(pk=clean.pk).update(state="approved")  # the trail now disagrees, and the row its fingerprint
    target = tmp_path / "audit.csv"
    run("--year", "2021", "--organization", "HN", "--format", "csv", "--output", str(target))
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 2 * len(RULES) + 1  # + records_intact, only where rows no longer match the trail
    failed = [r for r in rows if r["status"] == "fail"]
    assert [(r["review"], r["rule"]) for r in failed] == [
        (str(clean.pk), "stage_order"),
        (str(clean.pk), "records_intact"),
    ]
    assert failed[0]["compliant"] == "False"
    assert json.loads(failed[0]["evidence"])[0]["type"] == "review"


def test_xlsx_reads_back_with_openpyxl(two_reviews, tmp_path):
    clean, _draft = two_reviews
    target = tmp_path / "audit.xlsx"
    run("--year", "2021", "--organization", "LB", "--format", "xlsx", "--output", str(target))
    workbook = load_workbook(target, read_only=True)
    findings = list(workbook["findings"].iter_rows(values_only=True))
    header, rows = findings[0], findings[1:]
    assert header[:3] == ("review", "organization", "organization_name")
    assert len(rows) == 2 * len(RULES)
    by_key = {(r[header.index("review")], r[header.index("rule")]): r for r in rows}
    assert by_key[(clean.pk, "competent_body")][header.index("status")] == "pass"
    assert by_key[(clean.pk, "competent_body")][header.index("organization_name")] == "Đảng ủy phường Đức Giang"
    summary = {r[0]: r[1] for r in workbook["summary"].iter_rows(values_only=True, max_row=3)}
    assert summary == {"reviews": 2, "compliant": 2, "non_compliant": 0}


def test_an_unknown_organisation_is_an_error(two_reviews):
    with pytest.raises(CommandError, match="Organisation not found"):
        run("--year", "2021", "--organization", "XX")


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_shows_on_a_terminal_only(two_reviews, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run("--year", "2021", "--organization", "LB", "--format", "csv")
    assert "Auditing" in terminal.getvalue() and "2/2" in terminal.getvalue()

    quiet = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    run("--year", "2021", "--organization", "LB", "--format", "csv", "--no-progress")
    assert "Auditing" not in quiet.getvalue()


def test_verify_audit_trail_exits_0_when_intact(clean_review):
    seal_pending()  # sealed into the global chain (unsealed events: tests/compliance/test_tamper.py)
    out = io.StringIO()
    call_command("verify_audit_trail", stdout=out)
    count = AuditEvent.objects.count()
    assert out.getvalue().splitlines()[0] == f"Audit trail intact: {count} events checked."
    assert out.getvalue().splitlines()[1].startswith("Records intact: ")  # then the records (test_records_in_chain)
    out = io.StringIO()
    call_command("verify_audit_trail", "--review", str(clean_review.pk), stdout=out)
    assert "intact" in out.getvalue()


def test_verify_audit_trail_exits_1_naming_the_broken_event(clean_review):
    seal_pending()
    event = AuditEvent.objects.select_related("seal").get(review=clean_review, sequence=5)
    drop_triggers()
    AuditEvent.objects.filter(pk=event.pk).update(actor_role="standing_committee")
    with pytest.raises(CommandError) as error:
        call_command("verify_audit_trail")
    assert error.value.returncode == 1
    assert str(error.value) == (
        f"Audit trail broken at event id {event.pk} (review {clean_review.pk}, sequence 5, global sequence "
        f"{event.seal.global_sequence}): the event's content does not match its hash (edited)."
    )
