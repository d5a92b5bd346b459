"""manage.py audit_compliance --year 2021 --organization LB --format json|csv|xlsx [--output FILE]

Checks every review of the year in the organisation's subtree against the rule registry and writes one row
per (review, rule). Reviews are read in batches with a fixed number of queries per batch; a progress bar
goes to stderr when it is a terminal (``--no-progress`` turns it off).
"""

from __future__ import annotations

import sys
from contextlib import ExitStack

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from review_process.compliance.export import BINARY_FORMATS, FORMATS, write_csv, write_json, write_xlsx
from review_process.compliance.report import DEFAULT_BATCH_SIZE, compliance_scope, reports_for
from review_process.errors import ReviewError


class Command(BaseCommand):
    help = "Audit every review of a year in an organisation's subtree against the compliance rules."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--organization", required=True, help="organisation code; its whole subtree is audited")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)

    def handle(self, *args, year, organization, format, output, no_progress, batch_size, **options):
        try:
            scope = compliance_scope(year, organization)
        except ReviewError as error:
            raise CommandError(str(error)) from None
        if batch_size < 1:
            raise CommandError(_("The batch size must be at least 1."))
        stderr = sys.stderr
        total = scope.count()
        with ExitStack() as stack:
            if output:
                mode = "wb" if format in BINARY_FORMATS else "w"
                out = stack.enter_context(open(output, mode, **({} if "b" in mode else {"encoding": "utf-8"})))
            elif format in BINARY_FORMATS:
                out = getattr(self.stdout._out, "buffer", self.stdout._out)
            else:
                out = self.stdout._out
            bar = stack.enter_context(
                tqdm(
                    total=total,
                    unit=_("review"),
                    file=stderr,
                    disable=no_progress or not stderr.isatty(),
                    desc=_("Auditing"),
                )
            )
            reports = reports_for(scope, batch_size=batch_size)
            tick = lambda report: bar.update(1)  # noqa: E731
            if format == "json":
                summary = write_json(reports, out, year=year, organization=organization, on_report=tick)
            elif format == "csv":
                summary = write_csv(reports, out, on_report=tick)
            else:
                summary = write_xlsx(reports, out, on_report=tick)
        self.stderr.write(
            _("%(reviews)s reviews audited: %(compliant)s compliant, %(non)s not compliant.")
            % {"reviews": summary.reviews, "compliant": summary.compliant, "non": summary.non_compliant}
        )
