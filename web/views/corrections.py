"""POST of the corrections: a guidance corrected or withdrawn by its author until it is confirmed, and an
invitation revoked by the secretary.  Each goes through its service (which refuses what the rules refuse and
appends the audit event) and the common posting path (stale page, errors at the top and at the field)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from review_process.services import conference as conference_services
from review_process.services import drafting
from web.views.common import review_or_404
from web.views.posting import perform
from web.views.record_forms import (
    guidance_edit_form,
    guidance_edit_key,
    guidance_withdraw_form,
    guidance_withdraw_key,
    revoke_form,
    revoke_key,
)


def _guidance_or_404(review, guidance_id):
    guidance = review.guidance.select_related("given_by").filter(pk=guidance_id).first()
    if guidance is None:
        raise Http404()
    return guidance


@login_required
@require_POST
def guidance_update_post(request, pk, guidance_id):
    review = review_or_404(request, pk)
    guidance = _guidance_or_404(review, guidance_id)

    def run(data):
        return conference_services.guidance_update(
            guidance=guidance, by=request.user, text=data["text"], occurred_on=data.get("occurred_on")
        )

    return perform(
        request,
        review,
        key=guidance_edit_key(guidance),
        form=guidance_edit_form(review, guidance, data=request.POST),
        run=run,
        success=lambda updated: _("The guidance was corrected."),
        rebuild=lambda rv, data: guidance_edit_form(rv, guidance, data=data),
        anchor="guidance",
    )


@login_required
@require_POST
def guidance_withdraw_post(request, pk, guidance_id):
    review = review_or_404(request, pk)
    guidance = _guidance_or_404(review, guidance_id)

    def run(data):
        return conference_services.guidance_withdraw(guidance=guidance, by=request.user, reason=data["reason"])

    return perform(
        request,
        review,
        key=guidance_withdraw_key(guidance),
        form=guidance_withdraw_form(review, guidance, data=request.POST),
        run=run,
        success=lambda withdrawn: _("The guidance was withdrawn. It stays in the record, marked as withdrawn."),
        rebuild=lambda rv, data: guidance_withdraw_form(rv, guidance, data=data),
        anchor="guidance",
    )


@login_required
@require_POST
def participant_revoke_post(request, pk, participant_id):
    review = review_or_404(request, pk)
    participant = review.participants.select_related("person").filter(pk=participant_id).first()
    if participant is None:
        raise Http404()

    def run(data):
        return drafting.participant_revoke(
            review=review, by=request.user, participant=participant, reason=data.get("reason", "")
        )

    return perform(
        request,
        review,
        key=revoke_key(participant),
        form=revoke_form(review, participant, data=request.POST),
        run=run,
        success=lambda revoked: (
            _("The invitation of %(name)s was revoked.") % {"name": participant.person.get_full_name()}
        ),
        rebuild=lambda rv, data: revoke_form(rv, participant, data=data),
        anchor="participants",
    )
