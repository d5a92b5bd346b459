"""Rating rounds: the competent body rates its subordinate organisations or its members at once.

``/rating-rounds/`` lists the rounds the caller may see (filtered by ``RatingRoundFilter``) and opens one (or a
correction of a decided one); ``/rating-rounds/{id}/`` shows it with its counts and quota table;
``entries/`` upserts entries (JSON list, or a CSV/XLSX ``file``); ``decide/`` records the body's vote.  Every rule
is ``review_process.services.rounds``'.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers_rounds as s
from api.errors import ErrorSerializer
from api.views.common import errors
from review_process.errors import InvalidInput
from review_process.models import RatingRound, RoundState, RoundSubject
from review_process.selectors.rounds import round_get_for_user, round_view, rounds_visible_to
from review_process.services.round_rows import entries_from_file
from review_process.services.rounds import entries_upsert, round_decide, round_open, round_supersede

TAGS = ["rating rounds"]
ENTRIES_EXPECTED = _("Send a list of entries, or upload a CSV or XLSX file in the field “file”.")
ROUND_ERRORS = {
    **errors(400, 401, 415),
    403: OpenApiResponse(
        ErrorSerializer,
        description="The caller's positions in the rating body do not allow this (`conflict_of_interest`: "
        "they held a position during the year in an organisation the round rates).",
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such round or organisation, or the caller may not see it."),
    409: OpenApiResponse(
        ErrorSerializer,
        description="`invalid_state` (the round is decided), `round_exists`, `correction_open`, `quota_exceeded`, "
        "`vote_not_carried`, `review_not_submitted`.",
    ),
}


class RatingRoundFilter(django_filters.FilterSet):
    organization = django_filters.CharFilter(field_name="organization__code", help_text="The rating body's code")
    year = django_filters.NumberFilter(field_name="year", help_text="Year rated")
    subject = django_filters.ChoiceFilter(field_name="subject", choices=RoundSubject.choices, help_text="Subject")
    state = django_filters.ChoiceFilter(field_name="state", choices=RoundState.choices, help_text="State")

    class Meta:
        model = RatingRound
        fields = ["organization", "year", "subject", "state"]


def _detail(request, round_id: int, status: int = 200) -> Response:
    round_ = round_get_for_user(user=request.user, round_id=round_id)
    return Response(s.RatingRoundSerializer(round_view(round_)).data, status=status)


class RatingRoundListCreateView(generics.ListAPIView):
    """Rounds the caller may see: members of the rating body, superior roles above it, inspection."""

    serializer_class = s.RatingRoundListSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RatingRoundFilter

    def get_queryset(self):
        return rounds_visible_to(user=self.request.user).order_by("-year", "organization__path", "subject", "-pk")

    @extend_schema(tags=TAGS, responses={200: s.RatingRoundListSerializer(many=True), **errors(400, 401, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        request=s.RatingRoundCreateSerializer,
        responses={201: s.RatingRoundSerializer, **ROUND_ERRORS},
        description="Open a round of the rating body `organization` (its secretary: its cells or members; its "
        "standing committee or organisation board: the organisations below it). It pins the regime of `year`. "
        "With `supersedes` (and a `reason`), open a correction of a decided round instead.",
    )
    def post(self, request):
        data = s.RatingRoundCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v.get("supersedes") is not None:
            round_ = round_supersede(rating_round=v["supersedes"], by=request.user, reason=v["reason"])
        else:
            round_ = round_open(
                organization_code=v["organization"], year=v["year"], subject=v["subject"], by=request.user
            )
        return _detail(request, round_.pk, status=201)


class RatingRoundDetailView(APIView):
    @extend_schema(tags=TAGS, responses={200: s.RatingRoundSerializer, **errors(401, 404)})
    def get(self, request, round_id: int):
        return _detail(request, round_id)


class RatingRoundEntriesView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS,
        request={
            "application/json": s.RatingEntryInputSerializer(many=True),
            "multipart/form-data": s.RatingEntriesUploadSerializer,
        },
        responses={200: s.RatingRoundSerializer, **ROUND_ERRORS},
        description="Add or change entries by `key` (fields left out keep their value). For a round of "
        "organisations the key is the code of an organisation directly below the rating body in the tree of the "
        "round's year; the proposed rating defaults to its collective review's self-assessment.",
    )
    def post(self, request, round_id: int):
        round_ = round_get_for_user(user=request.user, round_id=round_id)
        if "file" in request.FILES:
            rows, offset = entries_from_file(request.FILES["file"]), 2
        elif isinstance(request.data, list):
            data = s.RatingEntryInputSerializer(data=request.data, many=True)
            data.is_valid(raise_exception=True)
            rows, offset = [dict(row) for row in data.validated_data], 1
        else:
            raise InvalidInput(ENTRIES_EXPECTED, code="invalid", field="entries")
        entries_upsert(rating_round=round_, by=request.user, entries=rows, row_offset=offset)
        return _detail(request, round_.pk)


class RatingRoundDecideView(APIView):
    @extend_schema(
        tags=TAGS,
        request=s.RatingRoundDecideSerializer,
        responses={200: s.RatingRoundSerializer, **ROUND_ERRORS},
        description="Record the body's decision by its vote (more than half of `members` for). Every entry needs a "
        "final rating, and a reason when below the proposed one; the quota of the pinned regime applies. A round "
        "of organisations sets the decision of each rated organisation's submitted review.",
    )
    def post(self, request, round_id: int):
        round_ = round_get_for_user(user=request.user, round_id=round_id)
        data = s.RatingRoundDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vote = dict(data.validated_data["vote"])
        round_decide(rating_round=round_, by=request.user, vote=vote)
        return _detail(request, round_.pk)
