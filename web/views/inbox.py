"""The person's steps in viewflow's task lists, read in SQL: the inbox (assigned to me) and the queue (anyone in
my role may take it), limited to the reviews the person may see, one page at a time.

viewflow's own ``Task.objects.queue`` reads every object permission of the person into a Python set and sends it
back as an ``IN`` list (tens of thousands of strings for the city's inspection); here the same rule is one
``EXISTS`` per task on guardian's index (person, content type, object): a task is in the queue when it is a
person's task (``HUMAN``), new, and either needs no permission, is owned by the person, needs a model-wide
permission they hold, or needs a permission they (or one of their groups) hold on the task's object. The queries
are the same whatever the number of reviews: a count and a page for each list.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import CharField, Exists, IntegerField, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from guardian.models import GroupObjectPermission, UserObjectPermission
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from review_process.selectors.pages import PAGE_SIZE
from workflows.flows import ReviewFlow
from workflows.views import tasks_visible_to

#: Steps named on the home page before "see all" (the task list).
HOME_TASKS = 5


def _holds_on_object(model, **person):
    """Does the person hold the task's permission on the task's object (``model``: guardian's user or group
    object permissions)?"""
    return Exists(
        model.objects.filter(
            **person,
            content_type_id=OuterRef("owner_permission_content_type_id"),
            object_pk=OuterRef("owner_permission_obj_pk"),
        )
        .annotate(name=Concat("content_type__app_label", Value("."), "permission__codename", output_field=CharField()))
        .filter(name=OuterRef("owner_permission"))
    )


def inbox(user):
    """viewflow's inbox: the steps assigned to ``user``, of the reviews they may see."""
    tasks = Task.objects.filter_available([ReviewFlow], user).filter(owner=user, status=STATUS.ASSIGNED)
    return tasks_visible_to(tasks, user)


def _reviews_with_a_permission(user):
    """The reviews on which ``user`` (or one of their groups) holds some object permission: every review they may
    see is one. Sent as one ``IN (… UNION …)``, it lets the database start from the person's permissions rather
    than from every waiting task."""
    review = ContentType.objects.get_by_natural_key("review_process", "review")
    key = Cast("object_pk", IntegerField())
    own = UserObjectPermission.objects.filter(user=user, content_type=review).annotate(key=key).values("key")
    groups = GroupObjectPermission.objects.filter(group__user=user, content_type=review).annotate(key=key)
    return own.union(groups.values("key"))


def queue(user):
    """viewflow's queue (``TaskQuerySet.user_queue``) with the permission test in SQL, of the reviews ``user`` may
    see."""
    tasks = Task.objects.filter_available([ReviewFlow], user).filter(
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        process__reviewprocess__review_id__in=_reviews_with_a_permission(user),
    )
    if not user.is_superuser:
        tasks = tasks.filter(
            Q(owner_permission__isnull=True)
            | Q(owner=user)
            | Q(owner_permission__in=user.get_all_permissions())
            | _holds_on_object(UserObjectPermission, user=user)
            | _holds_on_object(GroupObjectPermission, group__user=user)
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
