"""The secret-ballot tally of an individual review: ``GET`` / ``PUT /api/v1/reviews/{id}/ballot/``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.serializers_ballot import BallotSerializer
from api.views.common import WRITE_ERRORS, ReviewScopedView, errors
from review_process.errors import NotFound
from review_process.services.individual import ballot_for, ballot_record


class BallotView(ReviewScopedView):
    @extend_schema(
        tags=["records"],
        responses={200: BallotSerializer, **errors(401, 403, 404)},
        description="The tally (counts only). The person reviewed sees it once the rating is decided (403 "
        "`tally_hidden` before).",
    )
    def get(self, request, review_id: int):
        review = self.get_review(review_id)
        ballot = ballot_for(review=review, user=request.user)
        if ballot is None:
            raise NotFound(code="no_ballot")
        return Response(BallotSerializer(ballot).data)

    @extend_schema(
        tags=["records"],
        request=BallotSerializer,
        responses={200: BallotSerializer, **WRITE_ERRORS},
        description="Record the secret-ballot tally of an individual review (never who voted how). 400 "
        "`invalid_ballot` when cast exceeds eligible or the levels plus invalid do not add up to cast; 403 "
        "`conflict_of_interest` for the person reviewed.",
    )
    def put(self, request, review_id: int):
        review = self.get_review(review_id)
        data = BallotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        board = values.pop("counting_board")
        ballot = ballot_record(review=review, by=request.user, counts=values, counting_board=board)
        return Response(BallotSerializer(ballot).data)
