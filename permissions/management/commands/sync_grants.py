from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from permissions.grants import sync_all_grants


class Command(BaseCommand):
    help = _("Re-derive every object permission from the positions in force today (run daily).")

    def handle(self, *args, **options):
        added, removed = sync_all_grants()
        self.stdout.write(_("Grants added: %(added)s, removed: %(removed)s.") % {"added": added, "removed": removed})
