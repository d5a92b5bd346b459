"""The superior's overview of the organisations below them for a year, one level of the tree at a time.

``/overview/<year>/`` shows the organisations directly below the person's superior positions; ``?org=<code>`` one
level further down (a district's wards), with a breadcrumb back up; ``?page=`` pages through a level. Each row: the
organisation's own review (stage, waiting on whom, deadline, overdue), its leaders' individual reviews, and the
figures of the organisations below it, counted by the database (``review_process.selectors.overview``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from review_process.selectors import holds_superior_role, review_years_visible_to
from review_process.selectors.overview import overview_for
from review_process.selectors.pages import ReviewFilters, page_links


@login_required
@require_GET
def overview(request, year=None):
    user = request.user
    if not holds_superior_role(user=user):
        raise Http404()
    if year is None:
        years = review_years_visible_to(user=user)
        return redirect("review_process:overview-year", year=years[0] if years else timezone.localdate().year)
    org = request.GET.get("org", "").strip()[:50]
    data = overview_for(user=user, year=year, org=org, page=request.GET.get("page", 1))
    if data is None or not data["rows"]:
        raise Http404()
    level = ReviewFilters(org=org)
    years = sorted(set(review_years_visible_to(user=user)) | {year, timezone.localdate().year}, reverse=True)
    context = {
        **data,
        "years": years,
        "nav": "overview",
        "level_query": level.query(),
        "page_links": page_links(data["page"], lambda n: level.query(page=n)),
        "overdue_query": ReviewFilters(org=org, overdue=True).query(),
    }
    return render(request, "review_process/overview.html", context)
