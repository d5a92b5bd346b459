"""The auditors' pages: a review's compliance report and evidence file; a year's reviews in bulk.

Only people holding ``view_audit_trail`` on a review see its report and files: a review they cannot see
is a 404, one they can see without that permission a 403. The bulk page lists only such reviews.
An individual review's ballot minutes (and the evidence file that holds them) are, like the tally on the review
page, withheld from the person reviewed until the rating is decided (403; ``services.individual.ballot_for``).
The views only map requests to selectors (``review_process.compliance.report``), file builders
(``review_process.evidence``, ``review_process.documents``) and writers (``review_process.compliance.export``).
"""

from __future__ import annotations

import io
import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from permissions.roles import Action
from permissions.selectors import organizations_visible_to
from review_process import documents
from review_process.access import may
from review_process.compliance.export import BINARY_FORMATS, FORMATS, download_name, write_csv, write_json, write_xlsx
from review_process.compliance.export import CONTENT_TYPES as EXPORT_CONTENT_TYPES
from review_process.compliance.report import compliance_scope, reports_for, review_audit, summarise
from review_process.errors import NotFound, ReviewError
from review_process.evidence import evidence_archive_file
from review_process.models import AuditEvent
from review_process.selectors import review_get_for_user
from web.compliance.exports import job_status
from web.compliance.links import auditor_links, ballot_visibility
from workflows.exports import exports_of
from workflows.verification import (
    last_verification,
    may_request_verification,
    request_verification,
    verification_running,
)

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "zip": "application/zip",
    **EXPORT_CONTENT_TYPES,
}
DOCUMENTS = {
    "minutes": (documents.conference_minutes, "bien-ban-hoi-nghi"),
    "final-report": (documents.final_report, "bao-cao-hoan-chinh"),
    "ballot-minutes": (documents.ballot_minutes, "bien-ban-kiem-phieu"),
}
RENDERERS = {"docx": documents.render_docx, "pdf": documents.render_pdf}
BULK_ROW_LIMIT = 1000  # rows shown on the page; the exports carry all of them


def _auditable(request, pk):
    """The review if the user may read its audit trail; 404 if they cannot see it, 403 if they only see it."""
    try:
        review = review_get_for_user(user=request.user, review_id=pk)
    except NotFound:
        raise Http404() from None
    if not may(request.user, review, Action.VIEW_AUDIT_TRAIL):
        raise PermissionDenied
    return review


def _ballot(request, review) -> str:
    """``web.compliance.links.ballot_visibility`` for the person asking."""
    return ballot_visibility(request.user, review)


def _evidence_events(review, references) -> dict:
    """The audit events ``references`` cite (evidence links ``{"type", "id"}``), by id (one query), so each reads
    as what happened and when."""
    ids = {ref["id"] for ref in references if ref.get("type") == "audit_event"}
    return {event.pk: event for event in AuditEvent.objects.filter(review=review, pk__in=ids)} if ids else {}


def _filename(review, stem: str, ext: str) -> str:
    return f"{stem}-{slugify(review.organization.code)}-{review.year}.{ext}"


def _attachment(data: bytes, filename: str, ext: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[ext])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def review_report(request, pk):
    review = _auditable(request, pk)
    audit = review_audit(review)
    context = {
        "nav": "compliance",
        "review": review,
        "report": audit.report,
        "checklist": audit.checklist,
        "verdict": audit.verdict,
        "links": auditor_links(request.user, review),
        "events": _evidence_events(
            review,
            [*(e for f in audit.report.findings for e in f.evidence), *(r for i in audit.checklist for r in i.records)],
        ),
    }
    return render(request, "compliance/review.html", context)


@login_required
@require_GET
def evidence_download(request, pk):
    review = _auditable(request, pk)
    if _ballot(request, review) == "hidden":  # the archive holds the ballot minutes
        raise PermissionDenied
    # Written to a spooled temporary file and streamed from it (closed when the response is).
    archive = evidence_archive_file(review)
    filename = _filename(review, "ho-so-kiem-diem", "zip")
    return FileResponse(archive, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["zip"])


@login_required
@require_GET
def document_download(request, pk, document, fmt):
    review = _auditable(request, pk)
    if document not in DOCUMENTS or fmt not in RENDERERS:
        raise Http404()
    build, stem = DOCUMENTS[document]
    if document == "ballot-minutes" and _ballot(request, review) == "hidden":
        raise PermissionDenied
    try:
        doc = build(review)
    except ValueError:  # no conference or no final version yet
        raise Http404() from None
    return _attachment(RENDERERS[fmt](doc), _filename(review, stem, fmt), fmt)


def _bulk_params(request):
    year = (request.GET.get("year") or "").strip()
    organization = (request.GET.get("organization") or "").strip()
    return year, organization


@login_required
@require_GET
def bulk(request):
    year, organization = _bulk_params(request)
    organizations = organizations_visible_to(user=request.user).order_by("path")
    context = {
        "nav": "compliance",
        "year": year,
        "organization": organization,
        "organizations": organizations,
        "formats": FORMATS,
        # The last scheduled verification of the audit trail, not a re-hash of every event on each load.
        "verification": last_verification(),
        "verification_running": verification_running(),
        "may_verify": may_request_verification(request.user),
        "exports": [(job, job_status(job)) for job in exports_of(user=request.user)],
    }
    if year and organization:
        if not organizations.filter(code=organization).exists():
            raise Http404()
        try:
            scope = compliance_scope(year, organization, user=request.user)
        except ReviewError as error:
            context["error"] = str(error)
            return render(request, "compliance/bulk.html", context, status=400)
        summary, rows = summarise(scope, keep=BULK_ROW_LIMIT)
        context.update(
            summary=summary,
            rows=rows,
            truncated=summary.reviews > len(rows),
            rule_rows=summary.rows(),
        )
    return render(request, "compliance/bulk.html", context)


@login_required
@require_POST
def verify_audit_trail(request):
    """ "Verify now" on the bulk page: for whoever may audit a review; inline without a broker, queued with one."""
    if not may_request_verification(request.user):
        raise PermissionDenied
    if request_verification(user=request.user):
        messages.success(request, _("The audit trail is being verified."))
    else:
        messages.info(request, _("A verification is already running."))
    year, organization = (request.POST.get(name, "").strip() for name in ("year", "organization"))
    query = f"?{urlencode({'year': year, 'organization': organization})}" if year and organization else ""
    return redirect(reverse("compliance:bulk") + query)


@login_required
@require_GET
def bulk_export(request, fmt):
    year, organization = _bulk_params(request)
    if fmt not in FORMATS or not year or not organization:
        raise Http404()
    if not organizations_visible_to(user=request.user).filter(code=organization).exists():
        raise Http404()
    try:
        scope = compliance_scope(year, organization, user=request.user)
    except ReviewError:
        raise Http404() from None
    reports = reports_for(scope)
    # Spooled to a temporary file: memory stays bounded however many reviews there are.
    spool = tempfile.TemporaryFile(suffix="." + fmt)
    if fmt in BINARY_FORMATS:
        write_xlsx(reports, spool)
    else:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        if fmt == "json":
            write_json(reports, text, year=int(year), organization=organization)
        else:
            write_csv(reports, text)
        text.flush()
        text.detach()
    spool.seek(0)
    filename = download_name(organization=organization, year=year, fmt=fmt)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt])
