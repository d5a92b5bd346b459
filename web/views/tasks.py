"""The task pages: the task list ("Danh sách công việc"), a task's page and a review's procedure chart.

They replace viewflow's own pages for people: the same tasks (viewflow's inbox: assigned to me; its queue: I may
take it), with what else the person is asked to do (``web.views.home.work_items``: give an opinion, record the
notification, file the remedial plan), in the site's layout, language and navigation, each page with a way back.

* The task list pages each of its three lists on its own query parameter (``asked``, ``inbox``, ``queue``: the
  page number); the inbox and the queue are filtered and paged by the database (``web.views.inbox``), so the page
  costs the same queries for one review and for ten thousand.

* A task belongs to a review; whoever may not see the review gets 404 for the task (as for the review).
* A task's page runs nothing itself: it says what the step is, whether the person may take it now and, if not,
  every reason (``review_process.availability``, the answer the service would give), and sends them to the
  step's form on the review page, which posts to the one transition URL (``review_process:transition``) and
  shows a refusal at the top of the page.
* The procedure chart is ``web.diagrams.flow_diagram`` with the review's tasks as they happened.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from permissions.roles import Action
from review_process import machine
from review_process.access import may
from review_process.availability import transition_verdict
from review_process.selectors.pages import PAGE_SIZE, page_links
from web.views.common import review_or_404, review_url
from web.views.home import work_items
from web.views.inbox import my_tasks
from workflows.models import ReviewProcess

ACTIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def _status_label(task) -> str:
    return str(STATUS(task.status).label) if task.status in STATUS.values else task.status


def _title(task) -> str:
    return str(task.flow_task.task_title or task.flow_task.name)


def step_rows(user, review, task) -> list[dict]:
    """Each transition the task runs: its label, where its form is on the review page, and whether ``user`` may
    take it now (with every obstacle when not)."""
    rows = []
    for name in getattr(task.flow_task, "transitions", ()):
        verdict = transition_verdict(user, review, name)
        obstacles = verdict.obstacles or ((verdict.error,) if verdict.error else ())
        rows.append(
            {
                "name": name,
                "label": str(Action(name).label),
                "allowed": verdict.allowed,
                "reasons": [error.message for error in obstacles],
                "url": review_url(review, "other-decisions" if machine.is_side_exit(name) else "next-step"),
            }
        )
    return rows


LISTS = ("asked", "inbox", "queue")


def _query(params, **changes) -> str:
    """The task list's query string (each list's page) with ``changes``."""
    values = {name: params.get(name, "") for name in LISTS}
    values.update(changes)
    return "&".join(f"{name}={value}" for name, value in values.items() if str(value) not in ("", "1"))


@login_required
@require_GET
def task_list(request):
    params = {name: request.GET.get(name, "1") for name in LISTS}
    tasks = my_tasks(request.user, inbox_page=params["inbox"], queue_page=params["queue"])
    asked = Paginator(work_items(request.user), PAGE_SIZE).get_page(params["asked"])
    for name, page in (("asked", asked), ("inbox", tasks["inbox"]["page"]), ("queue", tasks["queue"]["page"])):
        params[name] = page.number  # what the paginator made of the number asked for
    context = {
        "nav": "tasks",
        "tasks": tasks,
        "work": list(asked),
        "work_count": asked.paginator.count,
        "pages": {
            name: page_links(page, lambda n, name=name: _query(params, **{name: n}))
            for name, page in (("asked", asked), ("inbox", tasks["inbox"]["page"]), ("queue", tasks["queue"]["page"]))
        },
    }
    return render(request, "review_process/task_list.html", context)


@login_required
@require_GET
def task_detail(request, task_pk):
    task = Task.objects.select_related("owner").filter(pk=task_pk).first()
    process = ReviewProcess.objects.filter(pk=task.process_id).first() if task is not None else None
    if process is None:
        raise Http404()
    review = review_or_404(request, process.review_id)
    context = {
        "nav": "tasks",
        "task": task,
        "title": _title(task),
        "status": _status_label(task),
        "active": task.status in ACTIVE,
        "mine": task.owner_id == request.user.pk,
        "review": review,
        "steps": step_rows(request.user, review, task) if task.status in ACTIVE else [],
    }
    return render(request, "review_process/task_detail.html", context)


@login_required
@require_GET
def review_procedure(request, pk):
    """The procedure chart of a review, with its tasks (who took each step, when)."""
    review = review_or_404(request, pk)
    process = ReviewProcess.objects.filter(review=review).first()
    tasks = []
    if process is not None:
        for task in process.task_set.select_related("owner").order_by("created", "pk"):
            if getattr(task.flow_task, "transitions", None):  # the people's steps (not start, end, branches)
                tasks.append({"task": task, "title": _title(task), "status": _status_label(task)})
    context = {
        "review": review,
        "tasks": tasks,
        "can_read_audit": may(request.user, review, Action.VIEW_AUDIT_TRAIL),
    }
    return render(request, "review_process/task_procedure.html", context)
