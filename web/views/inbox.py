"""The person's steps in viewflow's task lists, read in SQL: the inbox (assigned to me) and the queue (anyone in
my role may take it), limited to the reviews the person may see, one page at a time.

viewflow's own ``Task.objects.queue`` reads every object permission of the person into a Python set and sends it
back as an ``IN`` list (tens of thousands of strings for the city's inspection); here the same rule is one
``IN`` on the set of the person's permission keys (permission, content type, object: ``_held_keys``), asked once
per statement: a task is in the queue when it is a
person's task (``HUMAN``), new, and either needs no permission, is owned by the person, needs a model-wide
permission they hold, or needs a permission they (or one of their groups) hold on the task's object. The queries
are the same whatever the number of reviews: a count and a page for each list.

A review step asks for the review's permission of its first transition (``workflows.flows.ReviewStep``), so the
permission test of such a task only looks at the person's permissions of those kinds (``STEP_PERMISSIONS``: none
for an inspection committee, a few for a board), not at every object permission they hold (the city's inspection
holds 20,000); a task asking for any other permission is tested against all of them, as before: the same rule.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from guardian.models import GroupObjectPermission, UserObjectPermission
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from permissions.roles import review_codename
from review_process.machine import TRANSITION_NAMES
from review_process.selectors.pages import PAGE_SIZE
from workflows.flows import ReviewFlow
from workflows.views import tasks_visible_to

#: Steps named on the home page before "see all" (the task list).
HOME_TASKS = 5
#: The permissions review steps ask for (full name -> codename): the review's permission of a transition.
STEP_PERMISSIONS = {f"review_process.{review_codename(name)}": review_codename(name) for name in TRANSITION_NAMES}


#: Separates the parts of a permission key (a character no permission name or content type key contains).
SEP = "\x1f"


def _task_key():
    """The task's permission, content type and object as one text: the key ``_held_keys`` lists."""
    return Concat(
        "owner_permission",
        Value(SEP),
        Cast("owner_permission_content_type_id", CharField()),
        Value(SEP),
        "owner_permission_obj_pk",
        output_field=CharField(),
    )


def _held_keys(user, codenames=None):
    """The keys (``_task_key``) of every object permission the person (or one of their groups) holds; only of the
    permissions named ``codenames`` when given. One set, asked once per statement (not per task)."""
    key = Concat(
        "content_type__app_label",
        Value("."),
        "permission__codename",
        Value(SEP),
        Cast("content_type_id", CharField()),
        Value(SEP),
        "object_pk",
        output_field=CharField(),
    )
    own = UserObjectPermission.objects.filter(user=user)
    groups = GroupObjectPermission.objects.filter(group__user=user)
    if codenames is not None:
        own, groups = own.filter(permission__codename__in=codenames), groups.filter(permission__codename__in=codenames)
    return own.annotate(key=key).values("key").union(groups.annotate(key=key).values("key"))


def _holds_task_permission(user) -> Q:
    """The person (or one of their groups) holds the task's permission on the task's object (viewflow's rule):
    for a review step, looked up among their permissions of the steps' kinds only; for any other task, among all
    of them."""
    step = Q(owner_permission__in=list(STEP_PERMISSIONS))
    codenames = sorted(set(STEP_PERMISSIONS.values()))
    return (step & Q(permission_key__in=_held_keys(user, codenames))) | (~step & Q(permission_key__in=_held_keys(user)))


def inbox(user):
    """viewflow's inbox: the steps assigned to ``user``, of the reviews they may see."""
    tasks = Task.objects.filter_available([ReviewFlow], user).filter(owner=user, status=STATUS.ASSIGNED)
    return tasks_visible_to(tasks, user)


def queue(user):
    """viewflow's queue (``TaskQuerySet.user_queue``) with the permission test in SQL, of the reviews ``user`` may
    see."""
    tasks = Task.objects.filter_available([ReviewFlow], user).filter(
        flow_task_type="HUMAN",
        status=STATUS.NEW,
    )
    if not user.is_superuser:
        tasks = tasks.alias(permission_key=_task_key()).filter(
            Q(owner_permission__isnull=True)
            | Q(owner=user)
            | Q(owner_permission__in=user.get_all_permissions())
            | _holds_task_permission(user)
        )
    return tasks_visible_to(tasks, user)


def _rows(tasks) -> list[dict]:
    return [
        {
            "task": task,
            "title": task.flow_task.task_title or task.flow_task.name,
            "review": task.process.reviewprocess.review,
            "url": reverse("review_process:task-detail", args=[task.pk]),
        }
        for task in tasks
    ]


def task_page(tasks, page: str | int = 1, per_page: int = PAGE_SIZE) -> dict:
    """One page of ``tasks``, oldest first, with the reviews they belong to: ``{"page", "rows", "count"}``."""
    ordered = tasks.select_related(
        "process__reviewprocess__review__organization", "process__reviewprocess__review__subject"
    ).order_by("created", "pk")
    current = Paginator(ordered, per_page).get_page(page)
    return {"page": current, "rows": _rows(current), "count": current.paginator.count}


def my_tasks(user, *, inbox_page: str | int = 1, queue_page: str | int = 1, per_page: int = PAGE_SIZE) -> dict:
    """The inbox and the queue of ``user``, one page of each (two queries each: a count and the page)."""
    return {
        "inbox": task_page(inbox(user), inbox_page, per_page),
        "queue": task_page(queue(user), queue_page, per_page),
    }
