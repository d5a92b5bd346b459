"""``manage.py import_directory FILE [--dry-run] [--by USERNAME]``: load the directory from JSON or XLSX.

Organisations (with their dated superiors), people and positions; ``--by`` names who the audit trail records
as making the changes. The reader is picked by the file's extension (``.xlsx`` is a workbook, anything else
JSON); the format is described in ``docs/directory-format.md``. All or nothing: on any error every problem is
listed on stderr, nothing is written and the command exits with status 1.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from permissions.directory import DirectoryError, ReadError, directory_import, read_file
from permissions.models import User


class Command(BaseCommand):
    help = _(
        "Create or update organisations, people and positions from a JSON or XLSX file "
        "(see docs/directory-format.md). Idempotent; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the JSON or XLSX file to import"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("check the file and count what would change, without writing anything"),
        )
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help=_("the person the audit trail records as making the changes (default: the system)"),
        )

    def handle(self, *args, **options):
        path = options["file"]
        by = None
        if options["by"]:
            by = User.objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(_("Unknown user %(username)s (--by).") % {"username": options["by"]})
        try:
            document = read_file(path)
            report = directory_import(document.data, names=document.names, dry_run=options["dry_run"], by=by)
        except ReadError as error:
            raise CommandError(str(error))
        except DirectoryError as error:
            for message in error.errors:
                self.stderr.write(message)
            count = len(error.errors)
            raise CommandError(
                ngettext(
                    "%(count)s error in %(file)s; nothing was imported.",
                    "%(count)s errors in %(file)s; nothing was imported.",
                    count,
                )
                % {"count": count, "file": path}
            )
        self.stdout.write(report.summary())
