"""manage.py grant_app_role [--role NAME]: give the application's PostgreSQL role its rights, and no more.

Two roles (scripts/postgres-up.sh creates both for development and tests):

* the **owner** runs ``migrate`` and owns every table (and so the append-only triggers: only an owner, or a
  superuser, can drop or disable them);
* the **application role** (``settings.DB_APP_ROLE``) is what the server connects as. It owns nothing. It
  gets SELECT, INSERT, UPDATE, DELETE on the application's tables, only SELECT on ``django_migrations``, and
  on the audit trail only SELECT, INSERT on ``review_process_auditevent`` and ``review_process_auditseal``, and
  SELECT, INSERT, UPDATE on the two heads, ``review_process_auditchainhead`` (moved forward onto a seal by the
  sealer) and ``review_process_auditdirectoryhead`` (by one directory event); their triggers refuse anything
  else.
  No TRUNCATE, TRIGGER or REFERENCES anywhere.

Run after every ``migrate`` (as the owner): ``review_process``'s post_migrate hook (``after_migrate``) does it
when ``DB_APP_ROLE`` is set. Nothing happens on SQLite, which has no roles.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

AUDIT_PRIVILEGES = {
    "review_process_auditevent": "SELECT, INSERT",
    "review_process_auditseal": "SELECT, INSERT",
    "review_process_auditchainhead": "SELECT, INSERT, UPDATE",
    "review_process_auditdirectoryhead": "SELECT, INSERT, UPDATE",
    "django_migrations": "SELECT",
}
DEFAULT_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def grant_app_role(*, using: str = DEFAULT_DB_ALIAS, role: str | None = None) -> list[str]:
    """Grant ``role`` (default ``settings.DB_APP_ROLE``) its rights on every table; return the statements run."""
    connection = connections[using]
    role = role or getattr(settings, "DB_APP_ROLE", "")
    if connection.vendor != "postgresql" or not role:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        owner, schema = cursor.fetchone()
        if owner == role:
            raise ImproperlyConfigured(f"DB_APP_ROLE ({role}) must not be the role that runs migrate and owns tables.")
        qn = connection.ops.quote_name
        statements = [f"GRANT USAGE ON SCHEMA {qn(schema)} TO {qn(role)}"]
        for table in connection.introspection.table_names(cursor):
            privileges = AUDIT_PRIVILEGES.get(table, DEFAULT_PRIVILEGES)
            statements += [
                f"REVOKE ALL ON {qn(table)} FROM {qn(role)}",
                f"GRANT {privileges} ON {qn(table)} TO {qn(role)}",
            ]
        statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {qn(schema)} TO {qn(role)}")
        for statement in statements:
            cursor.execute(statement)
    return statements


def after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate hook (connected by ``review_process.apps``): re-grant after every migrate and flush."""
    grant_app_role(using=using)


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role (DB_APP_ROLE) its rights: none to rewrite the audit trail."

    def add_arguments(self, parser):
        parser.add_argument("--role", help="the role (default settings.DB_APP_ROLE)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role=None, database=DEFAULT_DB_ALIAS, **options):
        statements = grant_app_role(using=database, role=role)
        self.stdout.write(f"{len(statements)} statements run." if statements else "Nothing to grant.")
