"""manage.py migrate_regime --from CODE --to CODE [--organization CODE] [--dry-run] [--by USERNAME]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from permissions.models import User
from review_process.errors import ReviewError
from review_process.services.regime_migration import regime_migrate, regime_moves


class Command(BaseCommand):
    help = _(
        "Move live reviews pinned to one regime to another (closed and cancelled ones never move); "
        "the dry run lists what would change, the real run records an audit event per review."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="from_code", required=True, help=_("the regime the reviews have now"))
        parser.add_argument("--to", dest="to_code", required=True, help=_("the regime to pin them to"))
        parser.add_argument("--organization", help=_("only reviews of this organisation and those below it"))
        parser.add_argument("--dry-run", action="store_true", help=_("list the changes, write nothing"))
        parser.add_argument("--by", help=_("the person the audit trail records as making the change"))

    def handle(self, *args, from_code, to_code, organization=None, dry_run=False, by=None, **options):
        actor = None
        if by:
            actor = User.objects.filter(username=by).first()
            if actor is None:
                raise CommandError(_("Unknown user %(username)s (--by).") % {"username": by})
        try:
            if dry_run:
                moves = regime_moves(from_code=from_code, to_code=to_code, organization_code=organization)
            else:
                moves = regime_migrate(from_code=from_code, to_code=to_code, organization_code=organization, by=actor)
        except ReviewError as error:
            raise CommandError(str(error)) from None
        for move in moves:
            review = move.review
            changed = ", ".join(move.changed_rules) or _("no rule changes")
            self.stdout.write(
                _("review #%(id)s: %(code)s %(year)s (%(state)s): %(from)s → %(to)s (%(changed)s)")
                % {
                    "id": review.pk,
                    "code": review.organization.code,
                    "year": review.year,
                    "state": review.state,
                    "from": from_code,
                    "to": to_code,
                    "changed": changed,
                }
            )
        summary = _("Dry run: %(n)s reviews would move; nothing was written.") if dry_run else _("%(n)s reviews moved.")
        self.stdout.write(summary % {"n": len(moves)})
