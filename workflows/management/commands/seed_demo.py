from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from workflows.demo import DEMO_PASSWORD, DIRECTORY, seed_demo


class Command(BaseCommand):
    help = _("Create the Đức Giang 2021 reference case with demo logins (idempotent).")

    def handle(self, *args, **options):
        review, created = seed_demo()
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Demo created: %(review)s is at “%(state)s”.")
                    % {"review": review, "state": review.get_state_display()}
                )
            )
        else:
            self.stdout.write(
                _("Demo already present: %(review)s is at “%(state)s”.")
                % {"review": review, "state": review.get_state_display()}
            )
        titles = {p["person"]: p["title"] for p in DIRECTORY["positions"]}
        self.stdout.write(_("Demo logins (password: %(password)s):") % {"password": DEMO_PASSWORD})
        for person in DIRECTORY["people"]:
            self.stdout.write(
                f"  {person['username']:<10} {person['full_name']:<22} {titles.get(person['username'], '')}"
            )
