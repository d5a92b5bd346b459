"""manage.py verify_audit_trail [--review ID] [--anchors PATH]

Three checks, each printed on its own line; exits 1 when any fails (``CommandError`` naming what broke):

1. the hash chains (``review_process.audit.verify_chain``): the first event that does not fit (id, review,
   sequence, reason). The hashes are keyed (``settings.AUDIT_HMAC_KEY``): rewritten without the key, they
   do not verify. Events not yet sealed into the global chain are counted ("not yet sealed"), not failed:
   each is checked against its own review's chain;
2. the records (``audit.verify_records``): every chained row whose fingerprint differs from the latest event
   that fingerprinted it, or that no event fingerprints (model, id, review);
3. the anchors (``audit.verify_anchors``): each head published outside the database by
   ``anchor_audit_trail`` must still be in the sealed chain; the first that is not is named (line, global sequence).
   Read from ``--anchors`` or ``settings.AUDIT_ANCHOR_FILE``; a missing file is a warning.

With ``--review`` the chain and the records of that review only are checked (anchors are global: skipped).
It also warns on stderr when the append-only triggers are missing from the database.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from review_process.audit import read_anchors, verify_anchors, verify_chain, verify_records
from review_process.models import Review

TRIGGERS = {
    "sqlite": (
        "review_process_auditevent_no_update",
        "review_process_auditevent_no_delete",
        "review_process_auditseal_no_update",
        "review_process_auditseal_no_delete",
        "review_process_auditchainhead_no_delete",
        "review_process_auditchainhead_advance_only",
        "review_process_auditdirectoryhead_no_delete",
        "review_process_auditdirectoryhead_advance_only",
    ),
    "postgresql": (
        "review_process_auditevent_no_update_delete",
        "review_process_auditevent_no_truncate",
        "review_process_auditseal_no_update_delete",
        "review_process_auditseal_no_truncate",
        "review_process_auditchainhead_guard",
        "review_process_auditchainhead_no_truncate",
        "review_process_auditdirectoryhead_guard",
        "review_process_auditdirectoryhead_no_truncate",
    ),
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
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in expected if name not in present]


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains, the records against it and its anchors; exit 1 naming the break."

    def add_arguments(self, parser):
        parser.add_argument("--review", type=int, help="verify only this review's chain and records")
        parser.add_argument("--anchors", help="anchor file (JSON lines); default settings.AUDIT_ANCHOR_FILE")

    def handle(self, *args, review=None, anchors=None, **options):
        missing = missing_triggers()
        if missing:
            self.stderr.write(
                _("Warning: the append-only triggers are missing: %(names)s.") % {"names": ", ".join(missing)}
            )
        reviews = None
        if review is not None:
            reviews = list(Review.objects.filter(pk=review))
            if not reviews:
                raise CommandError(_("No review with id %(id)s.") % {"id": review})
        verdicts = [verify_chain(reviews=reviews), verify_records(reviews)]
        if reviews is None:
            anchor_verdict = self._anchors(anchors or settings.AUDIT_ANCHOR_FILE)
            if anchor_verdict is not None:
                verdicts.append(anchor_verdict)
        if any(not verdict.intact for verdict in verdicts):
            raise CommandError("\n".join(v.describe() for v in verdicts if not v.intact), returncode=1)
        for verdict in verdicts:
            self.stdout.write(verdict.describe())

    def _anchors(self, path):
        if not path or not Path(path).is_file():
            if path:
                self.stderr.write(
                    _("Warning: no anchor file at %(path)s: the chain is not checked against anchors.") % {"path": path}
                )
            return None
        try:
            anchors = read_anchors(path)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        return verify_anchors(anchors)
