"""manage.py anchor_audit_trail [--file PATH] [--email ADDRESS ...]

Publishes the sealed head of the audit trail (global sequence, chain hash, time) outside the database (events not
yet sealed are not in it: run ``seal_audit_trail`` first to include them): appends it as
one JSON line to the anchor file (``--file``, default ``settings.AUDIT_ANCHOR_FILE``) and/or e-mails it to
each ``--email`` address. ``verify_audit_trail`` later checks that every anchor is still in the chain: whoever
rewrites the chain after an anchor was taken (even with the HMAC key) or cuts events off is found.

Run it on a schedule (cron, a systemd timer) and keep the file where the database's administrators cannot
rewrite it: another machine, write-once storage, or the mailbox of the superior's office.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from review_process.audit import head_anchor


class Command(BaseCommand):
    help = "Append the audit trail's head to the anchor file (JSON lines) and/or e-mail it."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="anchor file; default settings.AUDIT_ANCHOR_FILE")
        parser.add_argument("--email", action="append", default=[], help="send the anchor to this address too")

    def handle(self, *args, file=None, email=(), **options):
        path = file if (file or email) else settings.AUDIT_ANCHOR_FILE  # --email alone: no file
        if not path and not email:
            raise CommandError(_("No anchor file: give --file or --email, or set AUDIT_ANCHOR_FILE."))
        anchor = head_anchor()
        line = json.dumps(anchor, sort_keys=True)
        if path:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        if email:
            subject = _("Audit trail anchor: global sequence %(n)s") % {"n": anchor["global_sequence"]}
            send_mail(subject, line + "\n", settings.DEFAULT_FROM_EMAIL, list(email))
        self.stdout.write(line)
