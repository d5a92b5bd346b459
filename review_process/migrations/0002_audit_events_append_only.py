# Written by hand: database triggers that make the audit trail append-only (docs/compliance.md).
#
# * review_process_auditevent: UPDATE and DELETE are refused (PostgreSQL: TRUNCATE too).
# * review_process_auditchainhead: DELETE is refused and an UPDATE may only advance the head by one event,
#   so the tail of the global chain cannot be cut off unnoticed.
# * review_process_audit_maintenance: while a row exists there the triggers stand aside. Only the test
#   database flush writes one (review_process/management/commands/flush.py); see docs/compliance.md
#   "Flushing the test database" for the trade-off.
#
# SQLite caveat: when Django rebuilds a table on SQLite (some AlterField/RemoveField on AuditEvent) the
# triggers go with the old table. A later migration that alters these tables must re-create them;
# tests/compliance/test_tamper.py::test_the_triggers_are_installed fails if they are missing.

from django.db import migrations

MESSAGE = "review_process_auditevent is append-only"

SQLITE_FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS review_process_audit_maintenance (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        reason VARCHAR(200) NOT NULL,
        started_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
    )
    """,
    f"""
    CREATE TRIGGER review_process_auditevent_no_update
    BEFORE UPDATE ON review_process_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM review_process_audit_maintenance)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER review_process_auditevent_no_delete
    BEFORE DELETE ON review_process_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM review_process_audit_maintenance)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END
    """,
    """
    CREATE TRIGGER review_process_auditchainhead_no_delete
    BEFORE DELETE ON review_process_auditchainhead
    WHEN NOT EXISTS (SELECT 1 FROM review_process_audit_maintenance)
    BEGIN SELECT RAISE(ABORT, 'review_process_auditchainhead: DELETE refused'); END
    """,
    """
    CREATE TRIGGER review_process_auditchainhead_advance_only
    BEFORE UPDATE ON review_process_auditchainhead
    WHEN NEW.global_sequence <> OLD.global_sequence + 1
        AND NOT EXISTS (SELECT 1 FROM review_process_audit_maintenance)
    BEGIN SELECT RAISE(ABORT, 'review_process_auditchainhead may only advance by one event'); END
    """,
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS review_process_auditchainhead_advance_only",
    "DROP TRIGGER IF EXISTS review_process_auditchainhead_no_delete",
    "DROP TRIGGER IF EXISTS review_process_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS review_process_auditevent_no_update",
    "DROP TABLE IF EXISTS review_process_audit_maintenance",
]

POSTGRES_FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS review_process_audit_maintenance (
        id BIGSERIAL PRIMARY KEY,
        reason VARCHAR(200) NOT NULL,
        started_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )
    """,
    f"""
    CREATE OR REPLACE FUNCTION review_process_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM review_process_audit_maintenance) THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION review_process_auditchainhead_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM review_process_audit_maintenance) THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.global_sequence = OLD.global_sequence + 1 THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'review_process_auditchainhead: % refused (the head may only advance by one event)', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER review_process_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON review_process_auditevent
    FOR EACH ROW EXECUTE FUNCTION review_process_auditevent_append_only()
    """,
    """
    CREATE TRIGGER review_process_auditevent_no_truncate
    BEFORE TRUNCATE ON review_process_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION review_process_auditevent_append_only()
    """,
    """
    CREATE TRIGGER review_process_auditchainhead_guard
    BEFORE UPDATE OR DELETE ON review_process_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION review_process_auditchainhead_guard()
    """,
    """
    CREATE TRIGGER review_process_auditchainhead_no_truncate
    BEFORE TRUNCATE ON review_process_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION review_process_auditchainhead_guard()
    """,
]

POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS review_process_auditchainhead_no_truncate ON review_process_auditchainhead",
    "DROP TRIGGER IF EXISTS review_process_auditchainhead_guard ON review_process_auditchainhead",
    "DROP TRIGGER IF EXISTS review_process_auditevent_no_truncate ON review_process_auditevent",
    "DROP TRIGGER IF EXISTS review_process_auditevent_no_update_delete ON review_process_auditevent",
    "DROP FUNCTION IF EXISTS review_process_auditchainhead_guard()",
    "DROP FUNCTION IF EXISTS review_process_auditevent_append_only()",
    "DROP TABLE IF EXISTS review_process_audit_maintenance",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_REVERSE),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_REVERSE),
}


def _run(schema_editor, direction: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise NotImplementedError(f"The append-only audit triggers exist for SQLite and PostgreSQL, not {vendor}.")
    for statement in STATEMENTS[vendor][direction]:
        schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, 0)


def reverse(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [
        ("review_process", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, reverse, elidable=False),
    ]
