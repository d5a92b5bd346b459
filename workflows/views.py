"""The flow's tasks as the pages see them: row-filtered, and the node view of a review step.

viewflow's own pages (the Material "workflow" application: dashboard, inbox, queue, process and task pages,
chart) are not mounted: people work on the project's pages (``web.views.tasks``: the task list, a task's page,
the procedure chart), in the site's layout and language, where a refused step says why. What is left here:

* ``tasks_visible_to``: a task queryset limited to the reviews the person may see (viewflow's own queries are not
  row-filtered: a model-wide permission would list every ward).
* ``ReviewTransitionView``: the view every ``ReviewStep`` node must name (viewflow requires one). It is not
  routed; should anything reach it, it sends the person to the task's page, where the step is taken through the
  review page's form and ``workflows.services.review_transition`` (the one way a transition runs).
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views import View

from review_process.selectors import reviews_visible_to


def visible_review_ids(user):
    return reviews_visible_to(user=user).values("pk")


def tasks_visible_to(queryset, user):
    return queryset.filter(process__reviewprocess__review__in=visible_review_ids(user))


class ReviewTransitionView(View):
    """The node view of a review step: sends the person to the task's page (``review_process:task-detail``)."""

    transitions: tuple[str, ...] = ()

    def dispatch(self, request, *args, task_pk=None, **kwargs):
        if task_pk is None:
            return HttpResponseRedirect(reverse("review_process:task-list"))
        return HttpResponseRedirect(reverse("review_process:task-detail", args=[task_pk]))


__all__ = ["ReviewTransitionView", "tasks_visible_to", "visible_review_ids"]
