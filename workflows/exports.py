"""Bulk compliance exports in the background: an ``ExportJob`` row and a file in private storage.

``export_compliance(user=, year=, organization=, format=)`` checks the request as the bulk page's download does
(a format of ``review_process.compliance.export.FORMATS``, an organisation the person can see, a year), writes the
job row, and after the commit runs ``run_export`` (Celery task ``workflows.export_compliance``; inline without a
broker). ``run_export`` writes the reviews the person may audit (``compliance_scope(..., user=)``: the same scope
as the page) with the same writers, counting ``progress`` as it goes, into ``PRIVATE_MEDIA_ROOT/exports/`` (never
served as a static file), then marks the job ``done`` with its file, or ``failed`` with the error. ``total`` (the reviews in scope) is
set when the job starts, so its page and the API can draw a progress bar.

A job is its requester's: ``exports_of`` lists a person's recent jobs, ``export_get`` answers only to the person
who asked (anyone else gets ``NotFound``, as for a review they cannot see). The bulk compliance page
(``web.compliance.exports``) and the API (``api.views.exports``) start, list and download them.
"""

from __future__ import annotations

import io
import logging
import tempfile

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from permissions.models import User
from permissions.selectors import organizations_visible_to
from review_process.compliance.export import BINARY_FORMATS, FORMATS, download_name, write_csv, write_json, write_xlsx
from review_process.compliance.report import compliance_scope, reports_for
from review_process.errors import InvalidInput, NotFound
from workflows.models import ExportJob, ExportStatus

logger = logging.getLogger(__name__)

EXPORT_TASK = "workflows.export_compliance"
PROGRESS_EVERY = 200  # reviews between two progress updates
RECENT_EXPORTS = 10  # jobs listed on the bulk page


def export_compliance(*, user: User, year: int | str, organization: str, format: str) -> ExportJob:  # noqa: A002
    """Start a background export; the job row is returned at once (``status`` queued)."""
    if format not in FORMATS:
        raise InvalidInput(_("Unknown export format."), code="invalid_format", field="format")
    if not organizations_visible_to(user=user).filter(code=organization).exists():
        raise NotFound(_("Organisation not found."), code="organization_not_found", field="organization")
    compliance_scope(year, organization, user=user)  # refuses a year that is not a number
    job = ExportJob.objects.create(user=user, year=int(year), organization=organization, format=format)
    transaction.on_commit(lambda: _start(job.pk))
    return job


def exports_of(*, user: User, limit: int = RECENT_EXPORTS) -> list[ExportJob]:
    """``user``'s most recent export jobs, newest first."""
    return list(ExportJob.objects.filter(user=user).order_by("-created_at", "-pk")[:limit])


def export_get(*, user: User, job_id: int) -> ExportJob:
    """The job ``job_id`` if ``user`` asked for it; ``NotFound`` otherwise (another person's job is not there)."""
    job = ExportJob.objects.filter(pk=job_id, user=user).first()
    if job is None:
        raise NotFound(_("Export not found."), code="export_not_found")
    return job


def export_file_name(job: ExportJob) -> str:
    """The name a finished job's file is downloaded as."""
    return download_name(organization=job.organization, year=job.year, fmt=job.format)


def _start(job_id: int) -> None:
    try:
        if settings.CELERY_BROKER_URL:
            current_app.send_task(EXPORT_TASK, kwargs={"job_id": job_id})
        else:
            run_export(job_id)
    except Exception:  # noqa: BLE001 - the job row says it failed or stays queued; the request is done
        logger.exception("Compliance export %s could not be started", job_id)


def run_export(job_id: int) -> ExportJob:
    """Write the job's file (see the module docstring); a job already started is left alone."""
    if not ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(status=ExportStatus.RUNNING):
        return ExportJob.objects.get(pk=job_id)
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        _write(job)
    except Exception as error:  # noqa: BLE001 - recorded on the job for the person who asked
        logger.exception("Compliance export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def _write(job: ExportJob) -> None:
    scope = compliance_scope(job.year, job.organization, user=job.user)
    ExportJob.objects.filter(pk=job.pk).update(total=scope.count())
    written = 0

    def count(_report) -> None:
        nonlocal written
        written += 1
        if written % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(progress=written)

    reports = reports_for(scope)
    with tempfile.TemporaryFile(suffix="." + job.format) as spool:
        if job.format in BINARY_FORMATS:
            write_xlsx(reports, spool, on_report=count)
        else:
            text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
            if job.format == "json":
                write_json(reports, text, year=job.year, organization=job.organization, on_report=count)
            else:
                write_csv(reports, text, on_report=count)
            text.flush()
            text.detach()
        spool.seek(0)
        name = f"compliance-{slugify(job.organization)}-{job.year}-{job.pk}.{job.format}"
        job.file.save(name, File(spool), save=False)
    ExportJob.objects.filter(pk=job.pk).update(
        file=job.file.name, progress=written, status=ExportStatus.DONE, finished_at=timezone.now()
    )
