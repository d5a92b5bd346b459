"""The records of a review's stages: report versions, opinions and responses, participants, conference,
guidance, self-assessment, decision, notification, remedial plan, and the audit trail."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api import serializers as s
from api.views.common import READ_ERRORS, WRITE_ERRORS, ReviewScopedView, errors
from permissions.roles import Action
from review_process.attachments import refuse_oversized_uploads
from review_process.errors import NotFound
from review_process.models import OpinionResponse
from review_process.services import records
from workflows import invitations


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
        refuse_oversized_uploads(request)  # after parsing: the handler dropped it while it streamed in
        data.is_valid(raise_exception=True)
        version = records.report_version_add(
            review=review,
            by=request.user,
            text=data.validated_data["text"],
            is_final=data.validated_data["is_final"],
            attachment=data.validated_data.get("attachment"),
            occurred_on=data.validated_data.get("occurred_on"),
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
            occurred_on=data.validated_data.get("occurred_on"),
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
            occurred_on=data.validated_data.get("occurred_on"),
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
            minutes_secretary_username=v.get("minutes_secretary") or None,
            minutes_approved=v.get("minutes_approved"),
            minutes_approval=v.get("minutes_approval", ""),
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
        guidance = records.guidance_add(
            review=review,
            by=request.user,
            text=data.validated_data["text"],
            occurred_on=data.validated_data.get("occurred_on"),
        )
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
            score=data.validated_data["score"],
            triggers=data.validated_data["triggers"],
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
            review=review,
            by=request.user,
            final_rating=data.validated_data["final_rating"],
            reason=data.validated_data["reason"],
            vote=data.validated_data["vote"],
            score=data.validated_data["score"],
            triggers=data.validated_data["triggers"],
            occurred_on=data.validated_data.get("occurred_on"),
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
            review=review,
            by=request.user,
            items=[dict(i) for i in data.validated_data["items"]],
            occurred_on=data.validated_data.get("occurred_on"),
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
        participant = invitations.participant_invite(
            review=review, by=request.user, username=data.validated_data["person"]
        )
        return Response(s.ParticipantSerializer(participant).data, status=201)


class AuditTrailView(ReviewScopedView):
    @extend_schema(tags=["audit"], responses={200: s.AuditEventSerializer(many=True), **errors(401, 403, 404)})
    def get(self, request, review_id: int):
        review = self.get_review(review_id, action=Action.VIEW_AUDIT_TRAIL)
        events = review.audit_events.select_related("actor").order_by("sequence")
        return Response(s.AuditEventSerializer(events, many=True).data)
