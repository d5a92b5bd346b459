"""The home page ("my work"): what I am asked to do (``review_process.selectors.tasks.tasks_for``: give my opinion,
record the notification, file the remedial plan, each with its due day, "overdue" when it is past, and a link to
the exact form on the review page), the steps waiting for me (viewflow's inbox and queue: counts and the first few,
``web.views.inbox``), what is overdue (how many, and the first few), the reviews I can see, and the form that opens
a review.

The reviews I can see are one page (``PAGE_SIZE``) of a list filtered by query parameters: ``stage``, ``overdue=1``,
``org`` (an organisation's code: it and those below it), ``q`` (a name or code) and ``page``; above it, how many
are at each stage (one aggregate query: ``review_process.selectors.pages.review_list``). Nothing on the page is drawn
or loaded per visible review: the same queries for one review and for ten thousand.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from review_process.errors import ReviewError
from review_process.selectors import organizations_user_may_open
from review_process.selectors.pages import ReviewFilters, organization_choices, page_links, review_list
from review_process.selectors.tasks import FILE_REMEDIAL_PLAN, GIVE_OPINION, RECORD_NOTIFICATION, tasks_for
from web import forms as f
from web.views.common import review_url
from web.views.inbox import HOME_TASKS, my_tasks
from workflows.services import review_open

TEMPLATE = "review_process/home.html"

#: Where each kind of task is done: the form's anchor on the review page, and what the task says.
TASK_FORMS = {
    GIVE_OPINION: ("form-opinion", _lazy("Give your opinion")),
    RECORD_NOTIFICATION: ("form-notification", _lazy("Record the notification of results")),
    FILE_REMEDIAL_PLAN: ("form-plan", _lazy("File the remedial plan")),
}


def work_items(user, today=None) -> list[dict]:
    """``tasks_for(user)`` shaped for the page: what to do, by when, and the link to the exact form."""
    items = []
    for task in tasks_for(user, today or timezone.localdate()):
        anchor, label = TASK_FORMS[task.kind]
        items.append(
            {
                "kind": task.kind,
                "label": label,
                "review": task.review,
                "due": task.due,
                "overdue": task.overdue,
                "url": review_url(task.review, anchor),
            }
        )
    return items


def home_context(request, open_form=None) -> dict:
    """Everything the home page draws (the GET and a refused "open a review" alike)."""
    user = request.user
    filters = ReviewFilters.from_query(request.GET)
    listing = review_list(user=user, filters=filters, page=request.GET.get("page", 1))
    work = work_items(user)
    organizations = organizations_user_may_open(user=user)
    if open_form is None and organizations:
        open_form = f.OpenReviewForm(organizations=organizations, initial={"year": timezone.localdate().year})
    return {
        "nav": "home",
        **listing,
        "page_links": page_links(listing["page"], lambda n: filters.query(page=n)),
        "stage_links": [
            {"state": state, "count": n, "query": filters.query(stage=state, page="")}
            for state, n in listing["counts"].items()
        ],
        "all_stages_query": filters.query(stage="", page=""),
        "overdue_query": ReviewFilters(q=filters.q, org=filters.org, overdue=True).query(),
        "organization_choices": organization_choices(user=user),
        "tasks": my_tasks(user, per_page=HOME_TASKS),
        "work": work[:HOME_TASKS],
        "work_count": len(work),
        "open_form": open_form,
    }


@login_required
@require_GET
def home(request):
    return render(request, TEMPLATE, home_context(request))


@login_required
@require_POST
def review_open_view(request):
    organizations = organizations_user_may_open(user=request.user)
    form = f.OpenReviewForm(request.POST, organizations=organizations)
    if form.is_valid():
        try:
            review = review_open(
                organization_code=form.cleaned_data["organization"], year=form.cleaned_data["year"], by=request.user
            )
        except ReviewError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Review opened: %(organization)s, %(year)s. Start by adding the draft report.")
                % {"organization": review.organization.name, "year": review.year},
            )
            return redirect(review_url(review, "report"))
    return render(request, TEMPLATE, home_context(request, open_form=form), status=400)
