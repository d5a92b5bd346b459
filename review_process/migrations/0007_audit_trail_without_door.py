# Written by hand: the append-only triggers without a door (docs/compliance.md, "What is guaranteed").
#
# Migration 0002 let the triggers stand aside while a row existed in review_process_audit_maintenance, a table
# the application role could write: whoever held the application's credentials could open that door. Here the
# triggers are re-created without it and the table is dropped. Nothing in the application can switch them off
# now; only the owner of the tables can (drop or disable them), which the test database flush does
# (review_process/management/commands/flush.py) and the application role in production cannot.
#
# * review_process_auditevent: UPDATE and DELETE are refused (PostgreSQL: TRUNCATE too).
# * review_process_auditchainhead: DELETE is refused and an UPDATE may only advance the head by one event.
#
# The trigger names are 0002's. SQLite caveat (0002): a migration that rebuilds these tables must re-create the
# triggers (SQLITE_TRIGGERS below).

from importlib import import_module

from django.db import migrations

previous = import_module("review_process.migrations.0002_audit_events_append_only")
MESSAGE = previous.MESSAGE

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS review_process_auditchainhead_advance_only",
    "DROP TRIGGER IF EXISTS review_process_auditchainhead_no_delete",
    "DROP TRIGGER IF EXISTS review_process_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS review_process_auditevent_no_update",
]

SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER review_process_auditevent_no_update
    BEFORE UPDATE ON review_process_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER review_process_auditevent_no_delete
    BEFORE DELETE ON review_process_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END
    """,
    """
    CREATE TRIGGER review_process_auditchainhead_no_delete
    BEFORE DELETE ON review_process_auditchainhead
    BEGIN SELECT RAISE(ABORT, 'review_process_auditchainhead: DELETE refused'); END
    """,
    """
    CREATE TRIGGER review_process_auditchainhead_advance_only
    BEFORE UPDATE ON review_process_auditchainhead
    WHEN NEW.global_sequence <> OLD.global_sequence + 1
    BEGIN SELECT RAISE(ABORT, 'review_process_auditchainhead may only advance by one event'); END
    """,
]

POSTGRES_FUNCTIONS = [
    f"""
    CREATE OR REPLACE FUNCTION review_process_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION review_process_auditchainhead_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.global_sequence = OLD.global_sequence + 1 THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'review_process_auditchainhead: % refused (the head may only advance by one event)', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
]

# The triggers themselves (0002's, unchanged): what the test database flush drops and re-creates.
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS review_process_auditchainhead_no_truncate ON review_process_auditchainhead",
    "DROP TRIGGER IF EXISTS review_process_auditchainhead_guard ON review_process_auditchainhead",
    "DROP TRIGGER IF EXISTS review_process_auditevent_no_truncate ON review_process_auditevent",
    "DROP TRIGGER IF EXISTS review_process_auditevent_no_update_delete ON review_process_auditevent",
]
POSTGRES_TRIGGERS = [
    statement for statement in previous.POSTGRES_FORWARD if statement.strip().startswith("CREATE TRIGGER")
]

DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}
CREATE = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}
MAINTENANCE_TABLE = "review_process_audit_maintenance"


def _execute(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute(schema_editor, SQLITE_DROP + SQLITE_TRIGGERS)
    elif vendor == "postgresql":
        _execute(schema_editor, POSTGRES_FUNCTIONS)
    else:
        raise NotImplementedError(f"The append-only audit triggers exist for SQLite and PostgreSQL, not {vendor}.")
    _execute(schema_editor, [f"DROP TABLE IF EXISTS {MAINTENANCE_TABLE}"])


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute(schema_editor, SQLITE_DROP + previous.SQLITE_FORWARD)
    else:
        _execute(schema_editor, POSTGRES_DROP + previous.POSTGRES_FORWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("review_process", "0006_private_attachments"),
    ]

    operations = [
        migrations.RunPython(forward, reverse, elidable=False),
    ]
