"""A review's audit trail as a timeline, for the roles that may read it (404 for everyone else)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from permissions.roles import Action
from review_process.access import may
from review_process.selectors import audit_trail, people_named_in
from web.views.common import review_or_404


@login_required
@require_GET
def audit_trail_page(request, pk):
    review = review_or_404(request, pk)
    if not may(request.user, review, Action.VIEW_AUDIT_TRAIL):
        raise Http404()
    events = list(audit_trail(review=review))
    return render(
        request,
        "review_process/audit_trail.html",
        {"review": review, "events": events, "names": people_named_in(events)},
    )
