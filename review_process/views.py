"""Web pages: thin views over selectors; every write goes through a service."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from permissions.roles import Action
from review_process.access import may, prefetch_review_perms
from review_process.errors import NotFound
from review_process.models import Review
from review_process.selectors import (
    available_transitions,
    review_deadlines,
    review_get_for_user,
    reviews_visible_to,
)

RECORD_ACTIONS = [a for a in Action if a not in (Action.VIEW,) and a.value not in Review.__dict__]


@login_required
def home(request):
    reviews = list(reviews_visible_to(user=request.user).order_by("-year", "organization__path"))
    prefetch_review_perms(request.user, reviews)
    return render(request, "review_process/home.html", {"reviews": reviews})


@login_required
def review_detail(request, pk):
    try:
        review = review_get_for_user(user=request.user, review_id=pk)
    except NotFound:
        raise Http404() from None
    user = request.user
    context = {
        "review": review,
        "transitions": [Action(name) for name in available_transitions(review=review, user=user)],
        "record_actions": [a for a in RECORD_ACTIONS if may(user, review, a)],
        "deadlines": review_deadlines(review),
        "report_versions": review.report_versions.select_related("created_by"),
        "opinions": review.opinions.select_related("author", "recorded_by", "response"),
        "guidance": review.guidance.select_related("given_by"),
        "can_read_audit": may(user, review, Action.VIEW_AUDIT_TRAIL),
        "audit_events": review.audit_events.select_related("actor")
        if may(user, review, Action.VIEW_AUDIT_TRAIL)
        else [],
    }
    return render(request, "review_process/review_detail.html", context)
