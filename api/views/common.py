"""What every API view shares: the documented error responses and the review lookup with visibility built in.

The REST API is one view per resource, each a thin shell over selectors (reads) and services (writes).
Every rule is the engine's: visibility (404 for a review the caller may not see), the role table (403), the
state machine, its guards and the blocking compliance rules (409 with the guard's or rule's code), input
validation (400 naming the field).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from review_process.access import may
from review_process.errors import Forbidden
from review_process.models import Review
from review_process.selectors import review_get_for_user


def errors(*codes: int) -> dict:
    described = {
        400: "Malformed input; `field` names the field at fault.",
        401: "Not authenticated.",
        403: "The review is visible but the caller's role may not do this.",
        404: "No such review, or the caller may not see it (on lists: no such page).",
        409: "The review's stage or a guard of the procedure forbids this now; `code` names the guard.",
        415: "The request body's media type is not accepted here.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=described[code]) for code in codes}


READ_ERRORS = errors(401, 404)
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 415)


class ReviewScopedView(APIView):
    """A view under /reviews/{id}/: resolves the review with visibility built in."""

    def get_review(self, review_id, *, action: str | None = None) -> Review:
        review = review_get_for_user(user=self.request.user, review_id=review_id)
        if action is not None and not may(self.request.user, review, action):
            raise Forbidden()
        return review
