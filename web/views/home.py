"""The home page ("my work"): what I am asked to do (``review_process.selectors.tasks.tasks_for``: give my opinion,
record the notification, file the remedial plan, each with its due day, "overdue" when past it, and a link to the
exact form on the review page), the steps waiting for me (viewflow's inbox and queue), what is overdue, the reviews
I can see, and the form that opens a review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST
from guardian.models import UserObjectPermission
from viewflow.workflow.models import Task

from review_process.errors import ReviewError
from review_process.selectors import organizations_user_may_open, review_summaries, reviews_visible_to
from review_process.selectors.tasks import FILE_REMEDIAL_PLAN, GIVE_OPINION, RECORD_NOTIFICATION, tasks_for
from web import forms as f
from web.views.common import review_url
from workflows.flows import ReviewFlow
from workflows.services import review_open
from workflows.views import tasks_visible_to

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


def _prime_viewflow_perm_cache(user) -> None:
    """viewflow's queue reads every object permission of the person one row at a time (two queries per
    row); load them in one query and hand viewflow the set it would have built."""
    if hasattr(user, "_viewflow_per_object_perm_cache"):
        return
    rows = UserObjectPermission.objects.filter(user=user).values_list(
        "content_type__app_label", "permission__codename", "object_pk"
    )
    user._viewflow_per_object_perm_cache = {f"{app}.{codename}_{pk}" for app, codename, pk in rows}


def my_tasks(user) -> dict:
    """viewflow's inbox (assigned to me) and queue (I may take), limited to the reviews I may see."""
    _prime_viewflow_perm_cache(user)

    def listed(queryset):
        tasks = list(
            tasks_visible_to(queryset, user)
            .select_related("process__reviewprocess__review__organization", "process__reviewprocess__review__subject")
            .order_by("created")
        )
        return [
            {
                "task": task,
                "title": task.flow_task.task_title or task.flow_task.name,
                "review": task.process.reviewprocess.review,
                "url": reverse("review_process:task-detail", args=[task.pk]),
            }
            for task in tasks
        ]

    return {
        "inbox": listed(Task.objects.inbox([ReviewFlow], user)),
        "queue": listed(Task.objects.queue([ReviewFlow], user)),
    }


@login_required
@require_GET
def home(request):
    user = request.user
    reviews = (
        reviews_visible_to(user=user)
        .select_related("organization", "conference", "subject")
        .order_by("-year", "organization__path", "pk")
    )
    rows = review_summaries(user=user, reviews=reviews)
    organizations = organizations_user_may_open(user=user)
    context = {
        "nav": "home",
        "rows": rows,
        "overdue": [row for row in rows if row["overdue"]],
        "tasks": my_tasks(user),
        "work": work_items(user),
        "open_form": f.OpenReviewForm(organizations=organizations, initial={"year": timezone.localdate().year})
        if organizations
        else None,
    }
    return render(request, TEMPLATE, context)


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
    reviews = reviews_visible_to(user=request.user).select_related("organization", "conference", "subject")
    rows = review_summaries(user=request.user, reviews=reviews)
    context = {
        "rows": rows,
        "overdue": [r for r in rows if r["overdue"]],
        "tasks": my_tasks(request.user),
        "work": work_items(request.user),
        "open_form": form,
    }
    return render(request, TEMPLATE, context, status=400)
