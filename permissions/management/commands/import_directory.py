"""``manage.py import_directory FILE [--dry-run]``: load organisations, people and positions from JSON.

The format is described in ``docs/directory-format.md``. All or nothing: on any error every problem is
listed on stderr, nothing is written and the command exits with status 1.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from permissions.directory import DirectoryError, directory_import


class Command(BaseCommand):
    help = _(
        "Create or update organisations, people and positions from a JSON file (see docs/directory-format.md). "
        "Idempotent; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the JSON file to import"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("check the file and count what would change, without writing anything"),
        )

    def handle(self, *args, **options):
        path = options["file"]
        try:
            with open(path, encoding="utf-8-sig") as stream:
                text = stream.read()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror or error})
        except UnicodeDecodeError as error:
            raise CommandError(
                _("%(file)s is not UTF-8 text (byte %(position)s).") % {"file": path, "position": error.start}
            )
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                _("%(file)s is not valid JSON: line %(line)s, column %(column)s: %(message)s")
                % {"file": path, "line": error.lineno, "column": error.colno, "message": error.msg}
            )

        try:
            report = directory_import(data, dry_run=options["dry_run"])
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
