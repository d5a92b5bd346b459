"""manage.py backup FILE

Writes a consistent snapshot of the whole database to FILE (gzip when it ends with ``.gz``): every app's rows,
the audit trail with its chain head, guardian's permissions and viewflow's processes and tasks, read in one
transaction (``review_process.backup.write_backup``). ``manage.py restore FILE`` loads it into an empty
database. On PostgreSQL, ``pg_dump -Fc`` is the production backup (docs/operations.md).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from review_process.backup import write_backup


class Command(BaseCommand):
    help = _("Write a consistent snapshot of the whole database to a file (restore it with manage.py restore).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the backup file to write (.json, or .json.gz to compress)"))

    def handle(self, *args, file, **options):
        try:
            summary = write_backup(file)
        except OSError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            _(
                "Backup written to %(file)s: %(rows)s rows of %(models)s models; audit trail head at global "
                "sequence %(sequence)s (%(hash)s)."
            )
            % {
                "file": file,
                "rows": summary.rows,
                "models": len(summary.counts),
                "sequence": summary.head_sequence,
                "hash": summary.head_hash[:16] or "-",
            }
        )
