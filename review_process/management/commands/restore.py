"""manage.py restore FILE

Loads a file written by ``manage.py backup`` into an EMPTY, fully migrated database (refused otherwise, naming
the tables that hold rows), in one transaction and with plain INSERTs: the audit trail's append-only triggers
stay armed (``review_process.backup.restore_backup``). Then verifies the hash chains and the records against
them and prints the verdict; exits 1 when they are not intact (the rows stay loaded: they are what the backup
held). The chain verifies only with the same ``AUDIT_HMAC_KEY`` as the database that was backed up.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from review_process.backup import RestoreRefused, audit_summary, restore_backup, verify_restored


class Command(BaseCommand):
    help = _("Load a backup into an empty migrated database, then verify the audit trail (exit 1 if broken).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the backup file written by manage.py backup"))

    def handle(self, *args, file, **options):
        try:
            counts = restore_backup(file)
        except RestoreRefused as exc:
            raise CommandError(str(exc), returncode=1) from exc
        events, head = audit_summary()
        self.stdout.write(
            _(
                "Restored %(rows)s rows of %(models)s models from %(file)s; audit trail: %(events)s events, head "
                "at global sequence %(sequence)s."
            )
            % {"rows": sum(counts.values()), "models": len(counts), "file": file, "events": events, "sequence": head}
        )
        verdict = verify_restored()
        if not verdict.intact:
            raise CommandError(verdict.describe(), returncode=1)
        self.stdout.write(verdict.describe())
