"""Background compliance exports on the bulk page: start one, follow its progress, download its file.

A city's export holds thousands of reviews: rather than keep the browser waiting on the direct download, the
auditor asks for it to be prepared (``workflows.exports.export_compliance``: a Celery task with a broker, inline
without one), sees it in "My exports" with a progress bar, and downloads the file when it is done. A job is its
requester's alone: anyone else, and any job not finished, is a 404. The status endpoint is what
``static/js/exports.js`` polls to move the progress bar without reloading the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from review_process.compliance.export import CONTENT_TYPES
from review_process.errors import InvalidInput, NotFound
from workflows.exports import export_compliance, export_file_name, export_get
from workflows.models import ExportJob, ExportStatus


def _back_to_bulk(year: str, organization: str):
    query = f"?{urlencode({'year': year, 'organization': organization})}" if year and organization else ""
    return redirect(reverse("compliance:bulk") + query + "#exports")


@login_required
@require_POST
def export_start(request):
    """Queue the export ("prepare in the background") and go back to the bulk page, where it is listed."""
    year, organization, fmt = (request.POST.get(name, "").strip() for name in ("year", "organization", "format"))
    try:
        export_compliance(user=request.user, year=year, organization=organization, format=fmt)
    except (InvalidInput, NotFound) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The export is being prepared; it is listed under “My exports”."))
    return _back_to_bulk(year, organization)


def _own_job(request, pk: int) -> ExportJob:
    try:
        return export_get(user=request.user, job_id=pk)
    except NotFound:
        raise Http404() from None


def job_status(job: ExportJob) -> dict:
    """What the progress bar needs (and the API's job resource): status, label, progress, total, percent."""
    percent = None
    if job.total:
        percent = min(100, round(100 * job.progress / job.total))
    elif job.status == ExportStatus.DONE:
        percent = 100
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": job.progress,
        "total": job.total,
        "percent": percent,
        "error": job.error if job.status == ExportStatus.FAILED else "",
        "download": reverse("compliance:export-download", args=[job.pk]) if job.status == ExportStatus.DONE else None,
    }


@login_required
@require_GET
def export_status(request, pk: int):
    return JsonResponse(job_status(_own_job(request, pk)))


@login_required
@require_GET
def export_download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404()
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=export_file_name(job), content_type=CONTENT_TYPES[job.format]
    )
