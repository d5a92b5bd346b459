"""Corrections with a trail: guidance corrected or withdrawn by its author until confirmed, an invitation revoked,
every remaining opinion accepted at once; and the search for people to invite. Each write is one audit event
(the services in ``review_process.services.records``); refusals come in the API's one error shape."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from api import serializers as s
from api.views.common import WRITE_ERRORS, ReviewScopedView, errors
from review_process.errors import NotFound
from review_process.models import Guidance
from review_process.selectors.people import people_search
from review_process.services import records


def _guidance(review, guidance_id: int) -> Guidance:
    guidance = Guidance.objects.filter(review=review, pk=guidance_id).first()
    if guidance is None:
        raise NotFound(code="guidance_not_found")
    return guidance


class GuidanceDetailView(ReviewScopedView):
    @extend_schema(
        tags=["records"],
        request=s.GuidanceUpdateSerializer,
        responses={200: s.GuidanceSerializer, **WRITE_ERRORS},
        description="Correct one's own guidance until it is confirmed (`give_guidance`): 403 `not_author`, "
        "409 `guidance_confirmed`. One audit event `review.guidance.corrected`.",
    )
    def patch(self, request, review_id: int, guidance_id: int):
        review = self.get_review(review_id)
        data = s.GuidanceUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guidance = records.guidance_update(
            guidance=_guidance(review, guidance_id),
            by=request.user,
            text=data.validated_data["text"],
            occurred_on=data.validated_data.get("occurred_on"),
        )
        return Response(s.GuidanceSerializer(guidance).data)


class GuidanceWithdrawView(ReviewScopedView):
    @extend_schema(
        tags=["records"],
        request=s.ReasonSerializer,
        responses={200: s.GuidanceSerializer, **WRITE_ERRORS},
        description="Withdraw one's own guidance until it is confirmed: the row stays, it no longer counts. "
        "One audit event `review.guidance.withdrawn`.",
    )
    def post(self, request, review_id: int, guidance_id: int):
        review = self.get_review(review_id)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guidance = records.guidance_withdraw(
            guidance=_guidance(review, guidance_id), by=request.user, reason=data.validated_data["reason"]
        )
        return Response(s.GuidanceSerializer(guidance).data)


class ParticipantDetailView(ReviewScopedView):
    @extend_schema(
        tags=["records"],
        request=s.OptionalReasonSerializer,
        responses={200: s.ParticipantSerializer, **WRITE_ERRORS},
        description="Revoke an invitation: the participant loses the participant's access; the row stays "
        "(`revoked_at`, `revoked_by`); inviting the person again restores it. One audit event.",
    )
    def delete(self, request, review_id: int, participant_id: int):
        review = self.get_review(review_id)
        data = s.OptionalReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        participant = records.participant_revoke(
            review=review, by=request.user, participant=participant_id, reason=data.validated_data["reason"]
        )
        return Response(s.ParticipantSerializer(participant).data)


class OpinionsAcceptAllView(ReviewScopedView):
    @extend_schema(
        tags=["records"],
        request=s.OpinionsAcceptAllSerializer,
        responses={200: s.AcceptedCountSerializer, **WRITE_ERRORS},
        description="Accept every opinion still unanswered, with one note: one audit event for all.",
    )
    def post(self, request, review_id: int):
        review = self.get_review(review_id)
        data = s.OpinionsAcceptAllSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = records.opinions_accept_all(
            review=review,
            by=request.user,
            note=data.validated_data["note"],
            occurred_on=data.validated_data.get("occurred_on"),
        )
        return Response({"accepted": count})


class PeopleSearchView(ReviewScopedView):
    @extend_schema(
        tags=["records"],
        parameters=[
            OpenApiParameter("q", str, OpenApiParameter.QUERY, description="Part of a name or username."),
        ],
        responses={200: s.PersonFoundSerializer(many=True), **errors(401, 403, 404)},
        description="People to invite: active, holding a position during the review's year in the organisation "
        "or its direct superior; the name matched ignoring case and Vietnamese diacritics (at most 20).",
    )
    def get(self, request, review_id: int):
        found = people_search(review=review_id, by=request.user, query=request.query_params.get("q", ""))
        return Response(s.PersonFoundSerializer(found, many=True).data)
