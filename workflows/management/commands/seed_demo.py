from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.demo import DEMO_PASSWORD, DIRECTORY, THROUGH, foreign_data, seed_demo


class Command(BaseCommand):
    help = _("Create the Đức Giang 2021 reference case with demo logins (idempotent).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--through",
            choices=[str(stage) for stage in THROUGH],
            default=str(THROUGH[0]),
            help=_(
                "How far to carry the reference review, dated as it happened: awaiting_guidance (the default), "
                "approved (decided by the Long Biên standing committee with a recorded vote, and approved), or "
                "closed (notified, remedial plan filed, closed)."
            ),
        )

        parser.add_argument(
            "--force",
            action="store_true",
            help=_("load the demo even into a database that holds data of its own (never resets passwords)"),
        )

    def handle(self, *args, **options):
        found = foreign_data()
        if found and not options["force"]:
            raise CommandError(
                _("This database holds data that is not the demo's (%(found)s): refusing to load the demo into it. ")
                % {"found": ", ".join(found)}
                + _("Use --force to load it anyway.")
            )
        review, created = seed_demo(through=options["through"])
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
