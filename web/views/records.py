"""POST of the record forms: ONE view for every row of ``RECORD_FORMS`` (routed by the ``key`` URL kwarg),
and the response to one opinion.

The long forms (``RecordForm.draft_fields``) also take ``intent=save_draft`` (keep the text in the person's
session, record nothing) and ``intent=discard`` (forget that draft).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from review_process.attachments import refuse_oversized_uploads
from review_process.errors import InvalidInput
from review_process.models import ResponseDecision
from review_process.selectors import review_people, review_records
from review_process.services import records as svc
from web.views.common import draft_clear, draft_set, review_or_404, review_url
from web.views.posting import perform
from web.views.record_forms import NO_PEOPLE, RECORD_FORMS, RESPOND_ANCHOR, build_record_form, respond_form, respond_key
from web.views.review_page import render_review


@login_required
@require_POST
def record_post(request, pk, key):
    """POST of the record form ``key`` (a key of ``RECORD_FORMS``)."""
    spec = RECORD_FORMS.get(key)
    if spec is None:
        raise Http404()
    review = review_or_404(request, pk)
    people = review_people(review=review) if spec.needs_people else NO_PEOPLE

    def rebuild(rv, data):
        return build_record_form(key, request, rv, review_records(review=rv), people, data=data, files=request.FILES)

    form = build_record_form(
        key, request, review, review_records(review=review), people, data=request.POST, files=request.FILES
    )
    try:
        refuse_oversized_uploads(request)  # a file dropped while it streamed in (review_process.attachments)
    except InvalidInput as error:
        form.is_valid()
        form.add_error("attachment" if "attachment" in form.fields else None, error.message)
        return render_review(request, review, bound={key: form}, status=400)
    intent = request.POST.get("intent", "submit")
    if spec.draft_fields and intent == "discard":
        draft_clear(request, review, key)
        messages.info(request, _("Your saved draft was discarded."))
        return HttpResponseRedirect(review_url(review, spec.anchor))
    if spec.draft_fields and intent == "save_draft":
        if not form.is_valid():
            return render_review(request, review, bound={key: form}, status=400)
        draft_set(request, review, key, {name: form.cleaned_data.get(name) for name in spec.draft_fields})
        messages.success(
            request,
            _("Draft saved. Only you can see it and nothing has been recorded yet: submit it when it is ready."),
        )
        return HttpResponseRedirect(review_url(review, spec.anchor))

    def run(data):
        result = spec.service(review=review, by=request.user, data=data, form=form)
        if spec.draft_fields:
            draft_clear(request, review, key)
        return result

    return perform(
        request, review, key=key, form=form, run=run, success=spec.success, rebuild=rebuild, anchor=spec.anchor
    )


@login_required
@require_POST
def opinion_respond_post(request, pk, opinion_id):
    review = review_or_404(request, pk)
    opinion = next((o for o in review_records(review=review)["opinions"] if o.pk == opinion_id), None)
    if opinion is None:
        raise Http404()

    def rebuild(rv, data):
        return respond_form(rv, opinion, data=data)

    def run(data):
        return svc.opinion_respond(
            review=review,
            by=request.user,
            opinion_id=opinion.pk,
            decision=data["decision"],
            note=data["note"],
            occurred_on=data.get("occurred_on"),
        )

    def success(response):
        return _("Response to the opinion of %(name)s recorded: %(decision)s.") % {
            "name": opinion.author.get_full_name(),
            "decision": ResponseDecision(response.decision).label,
        }

    form = respond_form(review, opinion, data=request.POST)
    return perform(
        request,
        review,
        key=respond_key(opinion),
        form=form,
        run=run,
        success=success,
        rebuild=rebuild,
        anchor=RESPOND_ANCHOR,
    )
