"""Loading the directory (organisations, people, positions) from a JSON document or an XLSX workbook.

``directory_import`` validates the whole document first and reports every problem at once; only a
document without errors is written, in one transaction, through the services that keep the materialised
paths (``organization_save``), the dated superiors (``superior_periods_set``) and the guardian grants
(``position_start`` / ``position_end`` / ``position_update``) right.
Importing the same document twice changes nothing. The format is described in ``docs/directory-format.md``.

The steps, one module each: ``readers`` (a file into the JSON structure), ``serializers`` (each record, field
by field), ``checks`` (the rules across records), ``history`` (those of the dated tree: superior periods,
today's superior, successors, cycles on any date), ``validation`` (the order of all that) and ``apply`` (the
writes, each an event of the directory's audit trail, made ``by`` whoever is named). ``records`` holds what
they share: the records, how errors name them, and ``DirectoryError``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from permissions.directory.apply import Counts, ImportReport, apply_plan
from permissions.directory.readers import Document, ReadError, read_file, read_json, read_xlsx
from permissions.directory.records import DirectoryError, Issue, RecordNames, SheetRowNames
from permissions.directory.serializers import (
    SERIALIZERS,
    TOP_LEVEL_KEYS,
    OrganizationSerializer,
    PersonSerializer,
    PositionSerializer,
)
from permissions.directory.validation import validate_document
from permissions.models import User

ORGANIZATION_FIELDS = OrganizationSerializer.field_names()
PERSON_FIELDS = PersonSerializer.field_names()
POSITION_FIELDS = PositionSerializer.field_names()

__all__ = [
    "ORGANIZATION_FIELDS",
    "PERSON_FIELDS",
    "POSITION_FIELDS",
    "SERIALIZERS",
    "TOP_LEVEL_KEYS",
    "Counts",
    "DirectoryError",
    "Document",
    "ImportReport",
    "Issue",
    "ReadError",
    "RecordNames",
    "SheetRowNames",
    "directory_import",
    "read_file",
    "read_json",
    "read_xlsx",
]


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def directory_import(
    data: Any, *, dry_run: bool = False, names: RecordNames | None = None, by: User | None = None
) -> ImportReport:
    """Create or update the organisations, people and positions of ``data``; all or nothing.

    ``data`` is the JSON structure (``read_file`` makes one from a file; pass its ``names`` too, so that errors
    name the sheet and row of a workbook). Raises ``DirectoryError`` with every problem found, before anything
    is written. With ``dry_run`` the import runs in full (so the counts are exact) and is then rolled back.
    ``by``: who the directory's audit trail records as making the changes (None: the system).
    """
    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            plan = validate_document(data, names=names)
            apply_plan(plan, report=report, by=by)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report
