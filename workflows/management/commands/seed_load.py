"""``manage.py seed_load``: a realistic load-test data set built in bulk (``review_process.bulk_load``).

A city-like tree of ``--organizations`` organisations, one review per ward spread over every stage, positions
for every role, the guardian grants, and an audit trail that verifies (``verify_chain``, ``verify_records``).
Every login gets ``--password``. Refuses a database that holds anything else unless ``--force``.
"""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from permissions.models import Organization, User
from review_process.bulk_load import load_code_taken, load_dataset
from review_process.models import Review
from workflows.bulk_processes import create_processes

ROLES = (
    "secretary",
    "deputy_secretary",
    "committee_member",
    "organization_board",
    "standing_committee",
    "inspection",
)


def foreign_data(root_code: str) -> list[str]:
    """What the database holds that no load put there (people, organisations)."""
    found = []
    prefix = root_code.lower() + "-"
    people = User.objects.exclude(username__startswith=prefix).exclude(username="AnonymousUser")
    if people.exists():
        found.append(_("%(n)s people outside the load") % {"n": people.count()})
    organizations = Organization.objects.exclude(code=root_code).exclude(code__startswith=root_code + "-")
    if organizations.exists():
        found.append(_("%(n)s organisations outside the load") % {"n": organizations.count()})
    return found


class Command(BaseCommand):
    help = _("Load a realistic data set in bulk (organisations, reviews at every stage, positions, grants).")

    def add_arguments(self, parser):
        parser.add_argument("--organizations", type=int, default=1000, help=_("how many organisations in all"))
        parser.add_argument(
            "--year", type=int, default=datetime.date.today().year - 1, help=_("the year of the reviews")
        )
        parser.add_argument("--password", required=True, help=_("the password of every login"))
        parser.add_argument("--code", default="LOAD", help=_("the code of the root organisation"))
        parser.add_argument(
            "--force", action="store_true", help=_("load even into a database that holds data of its own")
        )

    def handle(self, *args, **options):
        code = options["code"]
        if options["organizations"] < 3:
            raise CommandError(_("At least 3 organisations (a city, a district, a ward)."))
        if load_code_taken(code):
            raise CommandError(_("The organisation %(code)s already exists: choose another --code.") % {"code": code})
        found = foreign_data(code)
        if found and not options["force"]:
            raise CommandError(
                _("This database holds data that is not the load's (%(found)s): refusing to load into it. ")
                % {"found": ", ".join(found)}
                + _("Use --force to load it anyway.")
            )

        def progress(iterable, **kwargs):
            return tqdm(iterable, file=sys.stderr, disable=options["verbosity"] == 0, **kwargs)

        data = load_dataset(
            organizations=options["organizations"],
            year=options["year"],
            password=options["password"],
            root_code=code,
            progress=progress,
        )
        # The flow's process and waiting task of each loaded review, as the services would have left them.
        create_processes(Review.objects.all(), progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                _("Loaded %(reviews)s reviews of %(year)s under %(root)s.")
                % {"reviews": data.reviews, "year": options["year"], "root": data.root.code}
            )
        )
        self.stdout.write(_("Logins (password as given):"))
        for role in ROLES:
            self.stdout.write(f"  {role:<20} {data.logins[role]}")
