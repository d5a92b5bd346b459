"""POST of a transition's form: runs it through ``workflows.services.review_transition`` (the one way a
transition runs), with the day it happened for the transitions that record one (``occurred_on``), and says what
happened and what comes next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from permissions.roles import Action, Role
from review_process import machine
from web.views.common import review_or_404
from web.views.posting import perform
from web.views.review_page import transition_form, transition_key
from workflows.services import review_transition

#: Where the page goes after a transition: its top, where the stage and the next step are.
ANCHOR = ""


def done_message(name: str, updated) -> str:
    text = _("Done: “%(action)s”. The review is now at the stage “%(state)s”.") % {
        "action": Action(name).label,
        "state": machine.stage_label(updated.state),
    }
    following = machine.next_transition_from(updated.state)
    if following:
        roles = ", ".join(str(Role(role).label) for role in machine.waiting_on_roles(updated.state))
        text += " " + _("Next: “%(action)s” (%(roles)s).") % {"action": Action(following).label, "roles": roles}
    return text


@login_required
@require_POST
def transition_run(request, pk, name):
    if name not in machine.TRANSITION_NAMES:
        raise Http404()
    review = review_or_404(request, pk)

    def rebuild(rv, data):
        return transition_form(rv, name, data=data)

    def run(data):
        return review_transition(
            review=review.pk,
            name=name,
            by=request.user,
            reason=data.get("reason", ""),
            occurred_on=data.get("occurred_on"),
        )

    return perform(
        request,
        review,
        key=transition_key(name),
        form=transition_form(review, name, data=request.POST),
        run=run,
        success=lambda updated: done_message(name, updated),
        rebuild=rebuild,
        anchor=ANCHOR,
    )
