"""manage.py seal_audit_trail [--limit N]

Seals the committed events that have no seal yet into the global chain (``review_process.audit.seal_pending``)
and prints how many, and the sealed head. The scheduler does this in the background (Celery beat, or inline
after each commit when no broker is configured); operators run it by hand before ``anchor_audit_trail`` to
anchor every event written so far, or after restoring a backup. Safe to run at any time, twice, or while the
scheduler runs: an event is never sealed twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from review_process.audit import seal_pending, seal_status


class Command(BaseCommand):
    help = "Seal the committed, unsealed audit events into the global chain."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="seal at most this many events")

    def handle(self, *args, limit=None, **options):
        sealed = seal_pending(limit=limit)
        status = seal_status()
        self.stdout.write(
            _("%(sealed)s events sealed; head at global sequence %(sequence)s; %(unsealed)s not yet sealed.")
            % {"sealed": sealed, "sequence": status["global_sequence"], "unsealed": status["unsealed"]}
        )
