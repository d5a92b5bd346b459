"""A report version's attachment, served to whoever may see the review, and only as a download.

Attachments have no public URL (``review_process.attachments.PrivateStorage``): this view is the only way to them.
Anonymous people are sent to log in; a review the person may not see, a version of another review or a version
without an attachment is a 404.  The response is always ``Content-Disposition: attachment`` with
``X-Content-Type-Options: nosniff`` and the content type the file's content shows among the allowed types
(``application/octet-stream`` otherwise): never ``text/html``, so an attachment cannot run in the site's origin.
"""

from __future__ import annotations

import posixpath

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from review_process.attachments import safe_name, served_content_type
from review_process.models import ReportVersion
from web.views.common import review_or_404


@login_required
@require_GET
def report_version_attachment(request, pk, version_id):
    review = review_or_404(request, pk)
    version = ReportVersion.objects.filter(review=review, pk=version_id).first()
    if version is None or not version.attachment:
        raise Http404()
    storage = version.attachment.storage
    try:
        fh = storage.open(version.attachment.name, "rb")
    except OSError:
        raise Http404() from None
    content_type = served_content_type(fh)
    response = FileResponse(
        fh,
        as_attachment=True,
        filename=safe_name(posixpath.basename(version.attachment.name)),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
