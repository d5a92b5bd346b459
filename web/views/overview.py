"""The superior's overview of the organisations below them for a year: stage, waiting on whom, overdue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from review_process.selectors import holds_superior_role, overview_for, review_years_visible_to


@login_required
@require_GET
def overview(request, year=None):
    user = request.user
    if not holds_superior_role(user=user):
        raise Http404()
    if year is None:
        years = review_years_visible_to(user=user)
        return redirect("review_process:overview-year", year=years[0] if years else timezone.localdate().year)
    data = overview_for(user=user, year=year)
    if not data["rows"]:
        raise Http404()
    base_depth = min(len(row["organization"].ancestor_ids) for row in data["rows"])
    for row in data["rows"]:
        row["depth"] = len(row["organization"].ancestor_ids) - base_depth
    years = sorted(set(review_years_visible_to(user=user)) | {year, timezone.localdate().year}, reverse=True)
    return render(request, "review_process/overview.html", {**data, "years": years, "nav": "overview"})
