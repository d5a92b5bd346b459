"""``flush``, aware of the append-only audit trail.

Django's test framework empties the database with ``flush`` after every ``TransactionTestCase`` (and
pytest-django's ``transactional_db`` / ``live_server``): ``DELETE FROM`` every table on SQLite,
``TRUNCATE`` on PostgreSQL. The triggers of migration 0002 refuse both on the audit tables, so this
command (which overrides Django's own: app commands take precedence) stands the triggers aside for the
duration of the flush, by writing a row into ``review_process_audit_maintenance`` — but only when the
database is a test database (see ``is_test_database``).

On any other database the flush is refused while audit events exist: the audit trail cannot be wiped
with ``manage.py flush``. See docs/compliance.md, "Flushing the test database".
"""

from __future__ import annotations

from django.core import mail
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections
from django.db.backends.base.creation import TEST_DATABASE_PREFIX
from django.utils.translation import gettext as _

from review_process.audit import MAINTENANCE_TABLE, audit_maintenance


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


def _has_maintenance_table(connection) -> bool:
    with connection.cursor() as cursor:
        return MAINTENANCE_TABLE in connection.introspection.table_names(cursor)


class Command(flush.Command):
    help = flush.Command.help + " The audit trail is emptied only on a test database."

    def handle(self, **options):
        connection = connections[options["database"]]
        if not _has_maintenance_table(connection):
            return super().handle(**options)
        if not is_test_database(connection):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM review_process_auditevent LIMIT 1")
                has_events = cursor.fetchone() is not None
            if has_events:
                raise CommandError(
                    _("The audit trail is append-only: flush is refused on a database that holds audit events.")
                )
            return super().handle(**options)
        with audit_maintenance(connection, "test database flush"):
            return super().handle(**options)
