"""Organisations, reviews (list, open, detail) and transitions."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from api import serializers as s
from api.filters import ReviewFilter
from api.views.common import READ_ERRORS, WRITE_ERRORS, ReviewScopedView, errors
from permissions.selectors import organizations_visible_to
from review_process.availability import available_transitions
from review_process.machine import TRANSITION_NAMES
from review_process.selectors import review_get_for_user, reviews_visible_to
from workflows.services import review_open, review_transition


@extend_schema(tags=["organizations"], responses={200: s.OrganizationSerializer(many=True), **errors(401, 404)})
class OrganizationListView(generics.ListAPIView):
    serializer_class = s.OrganizationSerializer

    def get_queryset(self):
        return organizations_visible_to(user=self.request.user).order_by("path")


class ReviewListCreateView(generics.ListAPIView):
    """Reviews the caller may see, filtered by ``api.filters.ReviewFilter`` (400 naming the bad parameter)."""

    serializer_class = s.ReviewListSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReviewFilter

    def get_queryset(self):
        qs = reviews_visible_to(user=self.request.user).select_related("organization", "conference")
        return qs.order_by("-year", "organization__path", "pk")

    @extend_schema(tags=["reviews"], responses={200: s.ReviewListSerializer(many=True), **errors(400, 401, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["reviews"],
        request=s.ReviewCreateSerializer,
        responses={201: s.ReviewDetailSerializer, **WRITE_ERRORS},
        description="Open a review (the organisation's secretary, or the superior's organisation board).",
    )
    def post(self, request):
        data = s.ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_open(
            organization_code=data.validated_data["organization"],
            year=data.validated_data["year"],
            kind=data.validated_data["kind"],
            subject=data.validated_data["subject"] or None,
            by=request.user,
        )
        review = review_get_for_user(user=request.user, review_id=review.pk)
        return Response(s.ReviewDetailSerializer(review, context={"request": request}).data, status=201)


class ReviewDetailView(ReviewScopedView):
    @extend_schema(tags=["reviews"], responses={200: s.ReviewDetailSerializer, **READ_ERRORS})
    def get(self, request, review_id: int):
        review = self.get_review(review_id)
        return Response(s.ReviewDetailSerializer(review, context={"request": request}).data)


class TransitionView(ReviewScopedView):
    @extend_schema(
        tags=["reviews"],
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(TRANSITION_NAMES))],
        request=s.TransitionInputSerializer,
        responses={200: s.TransitionResultSerializer, **WRITE_ERRORS},
        description="Run a transition of the prescribed sequence. `reason` is required for "
        "`return_for_revision`, `cancel` and `withdraw` (only the person who opened the review, while it is a draft: "
        "409 `not_opener`). `occurred_on` is the day the step happened (default today; 400 `date_in_future`, "
        "`date_out_of_order`).",
    )
    def post(self, request, review_id: int, name: str):
        data = s.TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_transition(
            review=review_id,
            name=name,
            by=request.user,
            reason=data.validated_data["reason"],
            occurred_on=data.validated_data.get("occurred_on"),
        )
        return Response(
            {
                "id": review.pk,
                "transition": name,
                "state": review.state,
                "available_transitions": available_transitions(request.user, review),
            }
        )
