"""How every action form is handled: detect a stale page, validate, run the service, say what happened.

Every action form carries the stage the review was at when the page was drawn (``<prefix>-state``): if the
review moved on since, or the service reports ``someone_else_acted``, the page says so plainly, nothing is
saved and, where the form still applies, what the person typed is kept.  A service's ``ReviewError`` is shown
on the field it names; a role that may not act (a crafted post) gets the page back with a 403.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _

from review_process.errors import Conflict, Forbidden, NotFound, ReviewError
from review_process.machine import stage_label
from web.views.common import review_or_404, review_url
from web.views.review_page import render_review
from workflows.services import SOMEONE_ELSE_ACTED


def someone_else_acted(request, review, key: str, rebuild: Callable, seen_state: str | None):
    """Say plainly that the review moved on; keep what the person typed if the form still applies."""
    review = review_or_404(request, review.pk)
    if seen_state and seen_state != review.state:
        text = _(
            "Someone else acted first: while you were filling in the form, the review moved from the stage "
            "“%(before)s” to “%(after)s”. Nothing was saved. Check the page below and, if it is still "
            "needed, do it again."
        ) % {"before": stage_label(seen_state), "after": stage_label(review.state)}
    else:
        text = _(
            "Someone else acted on this review at the same moment. Nothing was saved. Check the page below "
            "and, if it is still needed, do it again."
        )
    messages.warning(request, text)
    bound = {}
    data = request.POST.copy()
    prefix_state = f"{key}-state"
    if prefix_state in data:
        data[prefix_state] = review.state
        try:
            form = rebuild(review, data)
        except Exception:  # noqa: BLE001 - the form no longer applies at this stage
            form = None
        if form is not None:
            form.is_valid()
            bound[key] = form
    return render_review(request, review, bound=bound, status=409)


def perform(request, review, *, key: str, form, run: Callable, success: Callable, rebuild: Callable, anchor: str):
    """Validate ``form``, ``run(cleaned_data)`` the service, and redirect to the review page at ``anchor``
    with ``success(result)`` said; or draw the page again with the error where it belongs.

    ``rebuild(review, data)`` makes the form again for the review as it is now (after someone else acted).
    """
    seen = form.data.get(f"{key}-state")
    if seen and seen != review.state:  # the review moved on since the page was drawn
        return someone_else_acted(request, review, key, rebuild, seen)
    if not form.is_valid():
        return render_review(request, review, bound={key: form}, status=400)
    try:
        result = run(form.cleaned_data)
    except NotFound as error:
        if error.code == "not_found":
            raise Http404() from None
        form.add_service_error(error)
        return render_review(request, review, bound={key: form}, status=404)
    except Conflict as error:
        if error.code == SOMEONE_ELSE_ACTED:
            return someone_else_acted(request, review, key, rebuild, seen)
        form.add_service_error(error)
        return render_review(request, review_or_404(request, review.pk), bound={key: form}, status=409)
    except Forbidden as error:
        # Their role may not do this (the form was not theirs to see): say so at the top of the page.
        messages.error(request, str(error))
        return render_review(request, review, status=403)
    except ReviewError as error:
        form.add_service_error(error)
        return render_review(request, review, bound={key: form}, status=400)
    messages.success(request, success(result))
    return HttpResponseRedirect(review_url(review, anchor))
