# Written by hand: the global chain moves out of the events into seals (docs/compliance.md, "The audit trail").
#
# Before: appending an event locked the single AuditChainHead row, so every write waited on it. After: an event
# is chained to its own review (or to the directory, with its own head row), and a background job seals
# committed events into the global chain (review_process.audit_seal.seal_pending): one AuditSeal row per event.
#
# * AuditEvent.global_sequence becomes nullable: events written from now on have none (their seal has it).
#   Events written before keep theirs (their hash covers it) and each gets a seal carrying its old global
#   sequence, chain_prev_hash and chain_hash: a database built before this migration still verifies, and the
#   anchors taken before still match.
# * AuditDirectoryHead: the directory chain's head, created from the last directory event when there is one.
# * Triggers: review_process_auditseal refuses UPDATE and DELETE (PostgreSQL: TRUNCATE too); the global head may
#   only move forward onto an existing seal (it moved by one event before); the directory's head may not be
#   deleted and only moves forward by one event, onto that event. On SQLite making global_sequence nullable
#   rebuilds the events' table, whose triggers go with it (0002's caveat): they are re-created here.
#   SQLITE_DROP/SQLITE_TRIGGERS and POSTGRES_DROP/POSTGRES_TRIGGERS (DROP and CREATE below) are every trigger of
#   the audit trail: the test database flush (review_process/management/commands/flush.py) uses them.

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

previous = import_module("review_process.migrations.0007_audit_trail_without_door")
GENESIS = "0" * 64
SEAL_MESSAGE = "review_process_auditseal is append-only"

SQLITE_DROP = previous.SQLITE_DROP + [
    "DROP TRIGGER IF EXISTS review_process_auditseal_no_update",
    "DROP TRIGGER IF EXISTS review_process_auditseal_no_delete",
    "DROP TRIGGER IF EXISTS review_process_auditdirectoryhead_no_delete",
    "DROP TRIGGER IF EXISTS review_process_auditdirectoryhead_advance_only",
]
SQLITE_HEAD_ADVANCE = """
    CREATE TRIGGER review_process_auditchainhead_advance_only
    BEFORE UPDATE ON review_process_auditchainhead
    WHEN NEW.id <> OLD.id OR NEW.global_sequence <= OLD.global_sequence OR NOT EXISTS (
        SELECT 1 FROM review_process_auditseal s
        WHERE s.global_sequence = NEW.global_sequence AND s.chain_hash = NEW.chain_hash
    )
    BEGIN SELECT RAISE(ABORT, 'review_process_auditchainhead may only advance onto a seal'); END
    """
SQLITE_TRIGGERS = previous.SQLITE_TRIGGERS[:3] + [
    SQLITE_HEAD_ADVANCE,
    f"""
    CREATE TRIGGER review_process_auditseal_no_update
    BEFORE UPDATE ON review_process_auditseal
    BEGIN SELECT RAISE(ABORT, '{SEAL_MESSAGE}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER review_process_auditseal_no_delete
    BEFORE DELETE ON review_process_auditseal
    BEGIN SELECT RAISE(ABORT, '{SEAL_MESSAGE}: DELETE refused'); END
    """,
    """
    CREATE TRIGGER review_process_auditdirectoryhead_no_delete
    BEFORE DELETE ON review_process_auditdirectoryhead
    BEGIN SELECT RAISE(ABORT, 'review_process_auditdirectoryhead: DELETE refused'); END
    """,
    """
    CREATE TRIGGER review_process_auditdirectoryhead_advance_only
    BEFORE UPDATE ON review_process_auditdirectoryhead
    WHEN NEW.id <> OLD.id OR NEW.sequence <> OLD.sequence + 1 OR NOT EXISTS (
        SELECT 1 FROM review_process_auditevent e
        WHERE e.review_id IS NULL AND e.sequence = NEW.sequence AND e.hash = NEW.hash
    )
    BEGIN SELECT RAISE(ABORT, 'review_process_auditdirectoryhead may only advance by one event'); END
    """,
]

POSTGRES_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION review_process_auditchainhead_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.global_sequence > OLD.global_sequence AND EXISTS (
            SELECT 1 FROM review_process_auditseal s
            WHERE s.global_sequence = NEW.global_sequence AND s.chain_hash = NEW.chain_hash
        ) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'review_process_auditchainhead: % refused (the head may only advance onto a seal)', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION review_process_auditseal_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{SEAL_MESSAGE}: % refused', TG_OP USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION review_process_auditdirectoryhead_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.sequence = OLD.sequence + 1 AND EXISTS (
            SELECT 1 FROM review_process_auditevent e
            WHERE e.review_id IS NULL AND e.sequence = NEW.sequence AND e.hash = NEW.hash
        ) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'review_process_auditdirectoryhead: % refused (the head may only advance by one event)',
            TG_OP USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
]
POSTGRES_NEW_DROP = [
    "DROP TRIGGER IF EXISTS review_process_auditseal_no_update_delete ON review_process_auditseal",
    "DROP TRIGGER IF EXISTS review_process_auditseal_no_truncate ON review_process_auditseal",
    "DROP TRIGGER IF EXISTS review_process_auditdirectoryhead_guard ON review_process_auditdirectoryhead",
    "DROP TRIGGER IF EXISTS review_process_auditdirectoryhead_no_truncate ON review_process_auditdirectoryhead",
]
POSTGRES_NEW_TRIGGERS = [
    """
    CREATE TRIGGER review_process_auditseal_no_update_delete
    BEFORE UPDATE OR DELETE ON review_process_auditseal
    FOR EACH ROW EXECUTE FUNCTION review_process_auditseal_append_only()
    """,
    """
    CREATE TRIGGER review_process_auditseal_no_truncate
    BEFORE TRUNCATE ON review_process_auditseal
    FOR EACH STATEMENT EXECUTE FUNCTION review_process_auditseal_append_only()
    """,
    """
    CREATE TRIGGER review_process_auditdirectoryhead_guard
    BEFORE UPDATE OR DELETE ON review_process_auditdirectoryhead
    FOR EACH ROW EXECUTE FUNCTION review_process_auditdirectoryhead_guard()
    """,
    """
    CREATE TRIGGER review_process_auditdirectoryhead_no_truncate
    BEFORE TRUNCATE ON review_process_auditdirectoryhead
    FOR EACH STATEMENT EXECUTE FUNCTION review_process_auditdirectoryhead_guard()
    """,
]
POSTGRES_DROP = previous.POSTGRES_DROP + POSTGRES_NEW_DROP
POSTGRES_TRIGGERS = previous.POSTGRES_TRIGGERS + POSTGRES_NEW_TRIGGERS

#: Every trigger of the audit trail, per vendor: what the test database flush drops and re-creates.
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}
CREATE = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}

SEAL_OLD_EVENTS = """
    INSERT INTO review_process_auditseal (global_sequence, event_id, chain_prev_hash, chain_hash, sealed_at)
    SELECT global_sequence, id, chain_prev_hash, chain_hash, occurred_at
    FROM review_process_auditevent WHERE global_sequence IS NOT NULL
    """
DIRECTORY_HEAD = """
    INSERT INTO review_process_auditdirectoryhead (id, sequence, hash)
    SELECT 1, sequence, hash FROM review_process_auditevent
    WHERE review_id IS NULL ORDER BY sequence DESC LIMIT 1
    """


def _execute(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _execute(schema_editor, [SEAL_OLD_EVENTS, DIRECTORY_HEAD])
    if vendor == "sqlite":
        _execute(schema_editor, SQLITE_DROP + SQLITE_TRIGGERS)
    elif vendor == "postgresql":
        _execute(schema_editor, POSTGRES_FUNCTIONS + POSTGRES_NEW_DROP + POSTGRES_NEW_TRIGGERS)
    else:
        raise NotImplementedError(f"The append-only audit triggers exist for SQLite and PostgreSQL, not {vendor}.")


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute(schema_editor, SQLITE_DROP + previous.SQLITE_TRIGGERS)
    else:
        _execute(schema_editor, POSTGRES_NEW_DROP + previous.POSTGRES_FUNCTIONS)
        _execute(
            schema_editor,
            [
                "DROP FUNCTION IF EXISTS review_process_auditseal_append_only()",
                "DROP FUNCTION IF EXISTS review_process_auditdirectoryhead_guard()",
            ],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("review_process", "0009_conference_minutes_fields"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="global_sequence",
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("global_sequence", models.PositiveBigIntegerField(unique=True)),
                ("chain_prev_hash", models.CharField(max_length=64)),
                ("chain_hash", models.CharField(max_length=64)),
                ("sealed_at", models.DateTimeField()),
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="seal",
                        to="review_process.auditevent",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="AuditDirectoryHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sequence", models.PositiveIntegerField(default=0)),
                ("hash", models.CharField(default=GENESIS, max_length=64)),
            ],
        ),
        migrations.RunPython(forward, reverse, elidable=False),
    ]
