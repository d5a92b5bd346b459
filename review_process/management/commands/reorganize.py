"""``manage.py reorganize FILE [--dry-run] [--by USERNAME]``: apply a dated change set to the directory.

The format and the semantics are in ``docs/reorganize.md``; the work is ``review_process.reorganization``.
All or nothing: a refused change set prints every refused change (which change, which field) on stderr,
writes nothing and exits with status 1.  A dry run prints the same plan and writes nothing.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from permissions.models import User
from review_process.reorganization import ChangeSetError, read_change_set
from review_process.services.reorganization import reorganize

LONG = 200  # reviews whose grants are re-derived: show a progress bar from this many on


def progress(items, total):
    return tqdm(items, total=total, disable=total < LONG, file=sys.stderr, desc=_("Grants"), unit=_("review"))


class Command(BaseCommand):
    help = _("Apply a dated reorganisation (see docs/reorganize.md) in one transaction; all or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the JSON change set"))
        parser.add_argument("--dry-run", action="store_true", help=_("print the plan without writing anything"))
        parser.add_argument("--by", metavar="USERNAME", help=_("the operator recorded in the audit trail"))

    def handle(self, *args, file, dry_run=False, by=None, **options):
        operator = None
        if by:
            operator = User.objects.filter(username=by).first()
            if operator is None:
                raise CommandError(_("No person with the username “%(username)s”.") % {"username": by})
        try:
            plan, synced = reorganize(read_change_set(file), by=operator, dry_run=dry_run, progress=progress)
        except ChangeSetError as error:
            for refused in error.errors:
                self.stderr.write(str(refused))
            raise CommandError(_("The change set %(file)s was refused; nothing was written.") % {"file": file})
        for line in plan.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(
                _("Applied %(count)s writes; grants re-derived for %(reviews)s reviews.")
                % {"count": len(plan.steps), "reviews": synced}
            )
