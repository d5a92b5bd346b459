"""The REST API: one view per resource, each a thin shell over selectors (reads) and services (writes).

Every rule is the engine's: visibility (404 for a review the caller may not see), the role table
(403), the state machine and its guards (409 with the guard's code), input validation (400 naming
the field).
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.errors import ErrorSerializer
from permissions.roles import Action
from permissions.selectors import organizations_visible_to
from review_process.access import may
from review_process.errors import Forbidden, NotFound
from review_process.models import TRANSITION_NAMES, Opinion, OpinionResponse, Review, ReviewState
from review_process.selectors import available_transitions, review_get_for_user, reviews_visible_to
from review_process.services import records
from workflows.services import review_open, review_transition


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


@extend_schema(tags=["organizations"], responses={200: s.OrganizationSerializer(many=True), **errors(401, 404)})
class OrganizationListView(generics.ListAPIView):
    serializer_class = s.OrganizationSerializer

    def get_queryset(self):
        return organizations_visible_to(user=self.request.user).order_by("path")


class ReviewListCreateView(generics.ListAPIView):
    serializer_class = s.ReviewListSerializer

    def get_queryset(self):
        qs = reviews_visible_to(user=self.request.user).select_related("organization", "conference")
        params = self.request.query_params
        if params.get("year"):
            qs = qs.filter(year=params["year"])
        if params.get("organization"):
            qs = qs.filter(organization__code=params["organization"])
        if params.get("state"):
            qs = qs.filter(state=params["state"])
        return qs.order_by("-year", "organization__path", "pk")

    @extend_schema(
        tags=["reviews"],
        parameters=[
            OpenApiParameter("year", int, description="Review year"),
            OpenApiParameter("organization", str, description="Organisation code"),
            OpenApiParameter("state", str, enum=ReviewState.values, description="Stage"),
        ],
        responses={200: s.ReviewListSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request, *args, **kwargs):
        year = request.query_params.get("year")
        if year and not year.lstrip("-").isdigit():
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"year": ["A valid integer is required."]})
        state = request.query_params.get("state")
        if state and state not in ReviewState.values:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"state": [f"Choose one of: {', '.join(ReviewState.values)}."]})
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
        "`return_for_revision` and `cancel`.",
    )
    def post(self, request, review_id: int, name: str):
        data = s.TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_transition(review=review_id, name=name, by=request.user, reason=data.validated_data["reason"])
        return Response(
            {
                "id": review.pk,
                "transition": name,
                "state": review.state,
                "available_transitions": available_transitions(review=review, user=request.user),
            }
        )


class ReportVersionsView(ReviewScopedView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(tags=["records"], responses={200: s.ReportVersionSerializer(many=True), **READ_ERRORS})
    def get(self, request, review_id: int):
        review = self.get_review(review_id)
        versions = review.report_versions.select_related("created_by")
        return Response(s.ReportVersionSerializer(versions, many=True).data)

    @extend_schema(
        tags=["records"],
        request={
            "application/json": s.ReportVersionInputSerializer,
            "multipart/form-data": s.ReportVersionInputSerializer,
        },
        responses={201: s.ReportVersionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, review_id: int):
        review = self.get_review(review_id)
        data = s.ReportVersionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = records.report_version_add(
            review=review,
            by=request.user,
            text=data.validated_data["text"],
            is_final=data.validated_data["is_final"],
            attachment=data.validated_data.get("attachment"),
        )
        return Response(s.ReportVersionSerializer(version).data, status=201)


def _opinions(review):
    return review.opinions.select_related("author", "recorded_by").prefetch_related(
        Prefetch("response", queryset=OpinionResponse.objects.select_related("responded_by"))
    )


class OpinionsView(ReviewScopedView):
    @extend_schema(tags=["records"], responses={200: s.OpinionSerializer(many=True), **READ_ERRORS})
    def get(self, request, review_id: int):
        review = self.get_review(review_id)
        return Response(s.OpinionSerializer(_opinions(review), many=True).data)

    @extend_schema(
        tags=["records"],
        request=s.OpinionInputSerializer,
        responses={201: s.OpinionSerializer, **WRITE_ERRORS},
        description="The author is the caller, unless a secretary records an opinion spoken at the "
        "conference on behalf of an attendee (`author`).",
    )
    def post(self, request, review_id: int):
        review = self.get_review(review_id)
        data = s.OpinionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        opinion = records.opinion_add(
            review=review,
            by=request.user,
            text=data.validated_data["text"],
            channel=data.validated_data["channel"],
            author_username=data.validated_data.get("author") or None,
        )
        return Response(s.OpinionSerializer(opinion).data, status=201)


class OpinionResponseView(ReviewScopedView):
    @extend_schema(
        tags=["records"],
        request=s.OpinionResponseInputSerializer,
        responses={200: s.OpinionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, review_id: int, opinion_id: int):
        review = self.get_review(review_id)
        data = s.OpinionResponseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        records.opinion_respond(
            review=review,
            by=request.user,
            opinion_id=opinion_id,
            decision=data.validated_data["decision"],
            note=data.validated_data["note"],
        )
        return Response(s.OpinionSerializer(_opinions(review).get(pk=opinion_id)).data)


def _one_to_one(review, name):
    try:
        return getattr(review, name)
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist of any reverse one-to-one
        raise NotFound(code=f"no_{name}") from None


class ConferenceView(ReviewScopedView):
    @extend_schema(tags=["records"], responses={200: s.ConferenceSerializer, **READ_ERRORS})
    def get(self, request, review_id: int):
        review = self.get_review(review_id)
        return Response(
            s.ConferenceSerializer(s.ConferenceSerializer.from_model(_one_to_one(review, "conference"))).data
        )

    @extend_schema(
        tags=["records"], request=s.ConferenceSerializer, responses={200: s.ConferenceSerializer, **WRITE_ERRORS}
    )
    def put(self, request, review_id: int):
        review = self.get_review(review_id)
        data = s.ConferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        conference = records.conference_record(
            review=review,
            by=request.user,
            held_at=v["held_at"],
            location=v["location"],
            chair_username=v.get("chair") or None,
            attendees=[dict(a) for a in v["attendees"]],
            superior_representatives=v["superior_representatives"],
        )
        return Response(s.ConferenceSerializer(s.ConferenceSerializer.from_model(conference)).data)


class GuidanceView(ReviewScopedView):
    @extend_schema(tags=["records"], responses={200: s.GuidanceSerializer(many=True), **READ_ERRORS})
    def get(self, request, review_id: int):
        review = self.get_review(review_id)
        return Response(s.GuidanceSerializer(review.guidance.select_related("given_by"), many=True).data)

    @extend_schema(
        tags=["records"], request=s.GuidanceInputSerializer, responses={201: s.GuidanceSerializer, **WRITE_ERRORS}
    )
    def post(self, request, review_id: int):
        review = self.get_review(review_id)
        data = s.GuidanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guidance = records.guidance_add(review=review, by=request.user, text=data.validated_data["text"])
        return Response(s.GuidanceSerializer(guidance).data, status=201)


class SelfAssessmentView(ReviewScopedView):
    @extend_schema(tags=["records"], responses={200: s.SelfAssessmentSerializer, **READ_ERRORS})
    def get(self, request, review_id: int):
        review = self.get_review(review_id)
        return Response(s.SelfAssessmentSerializer(_one_to_one(review, "self_assessment")).data)

    @extend_schema(
        tags=["records"],
        request=s.SelfAssessmentSerializer,
        responses={200: s.SelfAssessmentSerializer, **WRITE_ERRORS},
    )
    def put(self, request, review_id: int):
        review = self.get_review(review_id)
        data = s.SelfAssessmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = records.self_assessment_set(
            review=review,
            by=request.user,
            proposed_rating=data.validated_data["proposed_rating"],
            justification=data.validated_data["justification"],
        )
        return Response(s.SelfAssessmentSerializer(assessment).data)


class DecisionView(ReviewScopedView):
    @extend_schema(tags=["records"], responses={200: s.DecisionSerializer, **READ_ERRORS})
    def get(self, request, review_id: int):
        review = self.get_review(review_id)
        return Response(s.DecisionSerializer(_one_to_one(review, "decision")).data)

    @extend_schema(
        tags=["records"], request=s.DecisionSerializer, responses={200: s.DecisionSerializer, **WRITE_ERRORS}
    )
    def put(self, request, review_id: int):
        review = self.get_review(review_id)
        data = s.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = records.decision_set(
            review=review, by=request.user, final_rating=data.validated_data["final_rating"]
        )
        return Response(s.DecisionSerializer(decision).data)


class NotificationView(ReviewScopedView):
    @extend_schema(tags=["records"], responses={200: s.NotificationSerializer, **READ_ERRORS})
    def get(self, request, review_id: int):
        review = self.get_review(review_id)
        return Response(s.NotificationSerializer(_one_to_one(review, "notification")).data)

    @extend_schema(
        tags=["records"], request=s.NotificationSerializer, responses={200: s.NotificationSerializer, **WRITE_ERRORS}
    )
    def put(self, request, review_id: int):
        review = self.get_review(review_id)
        data = s.NotificationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notification = records.notification_record(
            review=review,
            by=request.user,
            notified_on=data.validated_data["notified_on"],
            note=data.validated_data["note"],
        )
        return Response(s.NotificationSerializer(notification).data)


class RemedialPlanView(ReviewScopedView):
    @extend_schema(tags=["records"], responses={200: s.RemedialPlanSerializer, **READ_ERRORS})
    def get(self, request, review_id: int):
        review = self.get_review(review_id)
        return Response(
            s.RemedialPlanSerializer(s.RemedialPlanSerializer.from_model(_one_to_one(review, "remedial_plan"))).data
        )

    @extend_schema(
        tags=["records"], request=s.RemedialPlanSerializer, responses={200: s.RemedialPlanSerializer, **WRITE_ERRORS}
    )
    def put(self, request, review_id: int):
        review = self.get_review(review_id)
        data = s.RemedialPlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = records.remedial_plan_set(
            review=review, by=request.user, items=[dict(i) for i in data.validated_data["items"]]
        )
        return Response(s.RemedialPlanSerializer(s.RemedialPlanSerializer.from_model(plan)).data)


class ParticipantsView(ReviewScopedView):
    @extend_schema(tags=["records"], responses={200: s.ParticipantSerializer(many=True), **READ_ERRORS})
    def get(self, request, review_id: int):
        review = self.get_review(review_id)
        return Response(
            s.ParticipantSerializer(review.participants.select_related("person", "invited_by"), many=True).data
        )

    @extend_schema(
        tags=["records"], request=s.ParticipantInputSerializer, responses={201: s.ParticipantSerializer, **WRITE_ERRORS}
    )
    def post(self, request, review_id: int):
        review = self.get_review(review_id)
        data = s.ParticipantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        participant = records.participant_invite(review=review, by=request.user, username=data.validated_data["person"])
        return Response(s.ParticipantSerializer(participant).data, status=201)


class AuditTrailView(ReviewScopedView):
    @extend_schema(tags=["audit"], responses={200: s.AuditEventSerializer(many=True), **errors(401, 403, 404)})
    def get(self, request, review_id: int):
        review = self.get_review(review_id, action=Action.VIEW_AUDIT_TRAIL)
        events = review.audit_events.select_related("actor").order_by("sequence")
        return Response(s.AuditEventSerializer(events, many=True).data)


__all__ = ["OpenApiTypes", "Opinion", "status"]


class ReviewComplianceView(ReviewScopedView):
    @extend_schema(tags=["audit"], responses={200: s.ComplianceSerializer, **errors(401, 403, 404)})
    def get(self, request, review_id: int):
        from review_process.compliance.report import review_compliance

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
        from rest_framework.exceptions import ValidationError

        from review_process.compliance.report import compliance_scope, reports_for

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
