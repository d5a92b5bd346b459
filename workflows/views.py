"""viewflow pages, row-filtered, and the task page that runs a review transition."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from viewflow.workflow.flow import views as vf_views
from viewflow.workflow.flow.views import mixins as vf_mixins
from viewflow.workflow.flow.viewset import FlowAppViewset
from viewflow.workflow.status import STATUS

from permissions.roles import Action
from review_process.errors import ReviewError
from review_process.models import Review
from review_process.selectors import reviews_visible_to
from workflows.services import review_transition


def visible_review_ids(user):
    return reviews_visible_to(user=user).values("pk")


def tasks_visible_to(queryset, user):
    return queryset.filter(process__reviewprocess__review__in=visible_review_ids(user))


class TransitionForm(forms.Form):
    transition = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, transitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transition"].choices = [(t, Action(t).label) for t in transitions]
        if len(transitions) == 1:
            self.fields["transition"].initial = transitions[0]
            self.fields["transition"].widget = forms.HiddenInput()


class ReviewTransitionView(
    vf_mixins.TaskSuccessUrlMixin,
    vf_mixins.TaskViewTemplateNames,
    generic.FormView,
):
    """viewflow's execute page for a review task: it runs the transition through the one service."""

    transitions: tuple[str, ...] = ()
    template_filename = "task.html"
    form_class = TransitionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "transitions": self.transitions}

    def form_valid(self, form):
        activation = self.request.activation
        review = activation.process.coerced.review
        name = form.cleaned_data["transition"]
        try:
            review_transition(
                review=review,
                name=name,
                by=self.request.user,
                reason=form.cleaned_data.get("reason", ""),
                activation=activation,
            )
        except ReviewError as error:
            form.add_error("reason" if error.field == "reason" else None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, _("Done: %(action)s.") % {"action": Action(name).label})
        return HttpResponseRedirect(reverse("review_process:review-detail", args=[review.pk]))


class DashboardView(vf_views.DashboardView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        task_manager = self.flow_class.task_class._default_manager
        base = tasks_visible_to(task_manager.filter_available([self.flow_class], user), user)
        for column in context["columns"]:
            column["tasks"] = base.filter(Q(finished__isnull=True) | Q(status=STATUS.ERROR), flow_task=column["node"])[
                : self.MAX_ROWS
            ]
        context["finished"] = base.filter(finished__isnull=False, flow_task__in=context["end_nodes"])[: self.MAX_ROWS]
        return context


class ProcessListView(vf_views.DashboardProcessListView):
    def get_queryset(self):
        return super().get_queryset().filter(review__in=visible_review_ids(self.request.user)).order_by("-created")


class TaskListView(vf_views.DashboardTaskListView):
    def get_queryset(self):
        return tasks_visible_to(super().get_queryset(), self.request.user)


class InboxView(vf_views.FlowInboxListView):
    def get_queryset(self):
        return tasks_visible_to(super().get_queryset(), self.request.user)


class QueueView(vf_views.FlowQueueListView):
    def get_queryset(self):
        return tasks_visible_to(super().get_queryset(), self.request.user)


class ArchiveView(vf_views.FlowArchiveListView):
    def get_queryset(self):
        return tasks_visible_to(super().get_queryset(), self.request.user)


class ReviewFlowAppViewset(FlowAppViewset):
    """viewflow's app for the review flow, with every list filtered to the reviews the user may see."""

    dashboard_view_class = DashboardView
    process_list_view_class = ProcessListView
    task_list_view_class = TaskListView
    inbox_view_class = InboxView
    queue_view_class = QueueView
    archive_view_class = ArchiveView


__all__ = ["ReviewFlowAppViewset", "ReviewTransitionView", "Review"]
