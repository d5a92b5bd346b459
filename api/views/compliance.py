"""Compliance of one review, and of every review of a year in an organisation's subtree."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import serializers as s
from api.views.common import ReviewScopedView, errors
from permissions.roles import Action
from permissions.selectors import organizations_visible_to
from review_process.compliance.report import compliance_scope, reports_for, review_compliance
from review_process.errors import NotFound
from review_process.models import Review


class ReviewComplianceView(ReviewScopedView):
    @extend_schema(tags=["audit"], responses={200: s.ComplianceSerializer, **errors(401, 403, 404)})
    def get(self, request, review_id: int):
        review = self.get_review(review_id, action=Action.VIEW_AUDIT_TRAIL)
        return Response(review_compliance(review).as_dict())


class ComplianceListView(generics.GenericAPIView):
    """Compliance of every review of a year in an organisation's subtree that the caller may audit."""

    @extend_schema(
        tags=["audit"],
        parameters=[
            OpenApiParameter("year", int, required=True, description="Review year"),
            OpenApiParameter("organization", str, required=True, description="Organisation code (its subtree)"),
        ],
        responses={200: s.ReviewComplianceSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request):
        year, code = request.query_params.get("year"), request.query_params.get("organization")
        missing = {
            name: ["This field is required."] for name, value in (("year", year), ("organization", code)) if not value
        }
        if missing:
            raise ValidationError(missing)
        if not organizations_visible_to(user=request.user).filter(code=code).exists():
            raise NotFound(code="organization_not_found")
        scope = compliance_scope(year, code, user=request.user).order_by("pk")
        page = self.paginate_queryset(scope.values_list("pk", flat=True))
        reports = reports_for(Review.objects.filter(pk__in=list(page)))
        return self.get_paginated_response([r.as_dict(detail=True) for r in reports])
