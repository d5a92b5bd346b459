"""``flush``, aware of the append-only audit trail.

Django's test framework empties the database with ``flush`` after every ``TransactionTestCase`` (and
pytest-django's ``transactional_db`` / ``live_server``): ``DELETE FROM`` every table on SQLite,
``TRUNCATE`` on PostgreSQL. The append-only triggers (migrations 0002, 0007 and 0010: events, seals and
the two heads) refuse both on the audit tables and have no switch, so on a test database this command (which
overrides Django's own: app commands take precedence) drops the triggers, flushes and re-creates them, all in
one transaction (DDL is transactional on SQLite and PostgreSQL: if anything fails the triggers are back).

Dropping a trigger takes the owner of the table. The test database is created by the owner role, so this
works there; the application role of a production PostgreSQL (``DB_APP_ROLE``, which owns nothing) cannot, and
on any database that is not a test database the flush is refused while audit events exist anyway.
See docs/compliance.md, "Flushing the test database".
"""

from __future__ import annotations

from importlib import import_module

from django.core import mail
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections, transaction
from django.db.backends.base.creation import TEST_DATABASE_PREFIX
from django.utils.translation import gettext as _

# The trigger statements live with the migration that installs them (a module name starting with a digit).
triggers = import_module("review_process.migrations.0010_audit_seals")
AUDIT_TABLE = "review_process_auditevent"


def is_test_database(connection) -> bool:
    """Is ``connection`` pointed at a database Django's test runner created?

    Both must hold: the test environment is set up (``setup_test_environment`` gives ``django.core.mail`` its
    ``outbox``), and the database's name is a test database name (``test_…``, the configured TEST NAME, or
    the name Django derives for an in-memory SQLite test database).
    """
    if not hasattr(mail, "outbox"):
        return False
    name = connection.settings_dict.get("NAME") or ""
    test_name = (connection.settings_dict.get("TEST") or {}).get("NAME")
    return bool(name) and (
        name.startswith(TEST_DATABASE_PREFIX) or name == test_name or name == connection.creation._get_test_db_name()
    )


def _has_audit_table(connection) -> bool:
    with connection.cursor() as cursor:
        return AUDIT_TABLE in connection.introspection.table_names(cursor)


def _execute(connection, statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Command(flush.Command):
    help = flush.Command.help + " The audit trail is emptied only on a test database."

    def handle(self, **options):
        connection = connections[options["database"]]
        if not _has_audit_table(connection):
            return super().handle(**options)
        if not is_test_database(connection):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {AUDIT_TABLE} LIMIT 1")
                has_events = cursor.fetchone() is not None
            if has_events:
                raise CommandError(
                    _("The audit trail is append-only: flush is refused on a database that holds audit events.")
                )
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            _execute(connection, triggers.DROP[connection.vendor])
            result = super().handle(**options)
            _execute(connection, triggers.CREATE[connection.vendor])
        return result
