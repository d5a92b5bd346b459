"""manage.py backup / restore: the reference case and a second review, backed up, restored into an empty
migrated database: the same rows per model and an intact, verified chain (its seals, and an event not yet sealed
that the restored database's sealer seals); a non-empty database is refused."""

from __future__ import annotations

import json
import shutil

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation
from rest_framework.authtoken.models import Token

from review_process.audit import seal_pending, verify_chain
from review_process.backup import read_backup
from review_process.models import AuditEvent, Review
from review_process.services import records
from tests.ops import copy_database, manage, table_counts
from workflows.services import review_open, review_transition

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="copies the SQLite test database into files"),
]


@pytest.fixture
def empty_database(transactional_db, tmp_path):
    """A file holding the migrated test database before the test writes anything."""
    return copy_database(tmp_path / "empty.sqlite3")


def tables() -> dict[str, type]:
    """Every table of every model, the many-to-many ones included."""
    models = apps.get_models(include_auto_created=True)
    return {m._meta.db_table: m for m in models if m._meta.managed and not m._meta.proxy}


def test_backup_then_restore_into_an_empty_database_gives_the_same_rows_and_an_intact_chain(
    empty_database, walker, people, tmp_path, settings
):
    settings.AUDIT_SEAL_AFTER_COMMIT = False  # as with a broker: events wait for the scheduled seal
    closed = walker.to_state("closed")
    second = review_open(organization_code="LB-TT", year=2021, kind="collective", by=people.outsider)
    records.report_version_add(review=second, by=people.outsider, text="Dự thảo báo cáo Thượng Thanh")
    review_transition(review=second, name="circulate_draft", by=people.outsider)
    Token.objects.create(user=people.secretary)
    seal_pending()
    records.report_version_add(review=second, by=people.outsider, text="Bản 2")  # not yet sealed
    verdict = verify_chain()
    assert verdict.intact and verdict.unsealed == 1

    backup = tmp_path / "backup.json.gz"
    call_command("backup", str(backup))
    audit_tables = {"review_process.auditseal", "review_process.auditchainhead", "review_process.auditdirectoryhead"}
    assert audit_tables | {"guardian.userobjectpermission", "viewflow.task"} <= {
        item["model"] for item in read_backup(backup)
    }

    doctored_target = shutil.copy(empty_database, tmp_path / "empty-2.sqlite3")
    restored = manage("restore", str(backup), database=empty_database)
    assert restored.returncode == 0, restored.stderr
    expected = {table: model._base_manager.count() for table, model in tables().items()}
    assert table_counts(empty_database, list(expected)) == expected
    assert expected["review_process_auditevent"] == AuditEvent.objects.count() > 30

    verified = manage("verify_audit_trail", database=empty_database)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.count("\n") >= 2  # the chain's verdict and the records'
    assert "1 of them not yet sealed" in verified.stdout
    sealed = manage("seal_audit_trail", database=empty_database)
    assert sealed.returncode == 0, sealed.stderr
    assert sealed.stdout.startswith("1 events sealed;")
    verified = manage("verify_audit_trail", database=empty_database)
    assert verified.returncode == 0 and "not yet sealed" not in verified.stdout, verified.stderr
    assert {r.pk: r.state for r in Review.objects.all()} == {closed.pk: "closed", second.pk: "collecting_opinions"}

    # A doctored backup restores, but the verification names the rewritten record and the command fails.
    items = read_backup(backup)
    decision = next(item for item in items if item["model"] == "review_process.decision")
    decision["fields"]["final_rating"] = "excellent"
    doctored = tmp_path / "doctored.json"
    doctored.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    refused = manage("restore", str(doctored), database=doctored_target)
    assert refused.returncode == 1
    assert f"review_process.Decision {decision['pk']}" in refused.stderr


def test_restore_refuses_a_database_that_is_not_empty(walker, tmp_path):
    walker.to_state("collecting_opinions")
    backup = tmp_path / "backup.json"
    call_command("backup", str(backup))
    events = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(backup))
    assert AuditEvent.objects.count() == events
    assert verify_chain().intact
