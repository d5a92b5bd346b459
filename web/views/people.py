"""The invite form's live name search: ``GET /reviews/<pk>/people/?q=...`` answers JSON.

``{"results": [{"username": ..., "name": ..., "label": ...}, ...]}``: the people in the review's organisation's
line whose name matches, as ``review_process.selectors.people.people_search`` finds them for this person (it
decides who may search and whom: a person who may not invite gets 403, a review they may not see 404).  The
page works without it: the search box is a GET form that draws the matches as a plain list
(``web.views.review_page.invite_candidates``); ``static/js/review.js`` calls this endpoint as one types.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from review_process.errors import Forbidden, NotFound, ReviewError
from review_process.selectors import people as people_selectors
from web.form_base import person_label
from web.views.common import review_or_404

MAX_QUERY = 100


def person_row(person) -> dict:
    return {"username": person.username, "name": person.get_full_name(), "label": person_label(person)}


@login_required
@require_GET
def people_search_json(request, pk):
    review = review_or_404(request, pk)
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    try:
        found = people_selectors.people_search(review=review, by=request.user, query=query)
    except NotFound:
        return JsonResponse({"error": "not_found"}, status=404)
    except Forbidden as error:
        return JsonResponse({"error": error.code, "message": str(error)}, status=403)
    except ReviewError as error:
        return JsonResponse({"error": error.code, "message": str(error)}, status=400)
    return JsonResponse({"query": query, "results": [person_row(p) for p in found]})
