"""manage.py verify_audit_trail [--review ID]

Walks the hash chains of the audit trail (review_process.audit.verify_chain). Exits 0 when the chain is
intact; exits 1 naming the first broken event (id, review, sequence, reason). With ``--review`` only that
review's chain is walked, each event's link into the global chain included.

It also warns on stderr when the append-only triggers (migration 0002) are missing from the database.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from review_process.audit import verify_chain
from review_process.models import Review

TRIGGERS = {
    "sqlite": ("review_process_auditevent_no_update", "review_process_auditevent_no_delete"),
    "postgresql": ("review_process_auditevent_no_update_delete", "review_process_auditevent_no_truncate"),
}


def missing_triggers() -> list[str]:
    """Append-only triggers that should be installed on this database but are not."""
    expected = TRIGGERS.get(connection.vendor, ())
    if not expected:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in expected if name not in present]


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains; exit 1 naming the first broken event."

    def add_arguments(self, parser):
        parser.add_argument("--review", type=int, help="verify only this review's chain")

    def handle(self, *args, review=None, **options):
        missing = missing_triggers()
        if missing:
            self.stderr.write(
                _("Warning: the append-only triggers are missing: %(names)s.") % {"names": ", ".join(missing)}
            )
        if review is not None:
            reviews = list(Review.objects.filter(pk=review))
            if not reviews:
                raise CommandError(_("No review with id %(id)s.") % {"id": review})
            verdict = verify_chain(reviews=reviews)
        else:
            verdict = verify_chain()
        if not verdict.intact:
            raise CommandError(verdict.describe(), returncode=1)
        self.stdout.write(verdict.describe())
