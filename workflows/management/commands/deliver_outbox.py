"""manage.py deliver_outbox: deliver the outbox messages that are due (retries) or were left behind (the sweep).

What the Celery tasks ``workflows.deliver_outbox`` and ``workflows.sweep_outbox`` do every minute with a broker;
without one (``make run``) run this from cron to retry failed e-mails (docs/operations.md, "Background work").
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from workflows import outbox


class Command(BaseCommand):
    help = "Deliver the outbox messages due for a retry and those left behind."

    def handle(self, *args, **options):
        delivered = outbox.deliver_due() + outbox.sweep()
        self.stdout.write(_("Outbox messages delivered: %(n)s.") % {"n": delivered})
