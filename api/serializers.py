"""Input and output shapes of the API. Inputs validate; outputs read; services do the rest."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import PersonRefField
from api.serializers_records import (
    OCCURRED_ON_HELP,
    SCORE_HELP,
    TRIGGERS_HELP,
    AcceptedCountSerializer,
    AttendeeSerializer,
    AuditEventSerializer,
    ComplianceSerializer,
    ConferenceSerializer,
    DecisionSerializer,
    DetailedFindingSerializer,
    FindingSerializer,
    GuidanceInputSerializer,
    GuidanceSerializer,
    GuidanceUpdateSerializer,
    NotificationSerializer,
    OpinionInputSerializer,
    OpinionResponseInputSerializer,
    OpinionResponseSerializer,
    OpinionsAcceptAllSerializer,
    OpinionSerializer,
    OptionalReasonSerializer,
    ParticipantInputSerializer,
    ParticipantSerializer,
    PersonFoundSerializer,
    ReasonSerializer,
    RemedialItemSerializer,
    RemedialPlanSerializer,
    ReviewComplianceSerializer,
    SelfAssessmentSerializer,
    VoteSerializer,
)
from permissions.models import Organization, OrganizationKind
from review_process.availability import available_actions, available_transitions
from review_process.machine import TRANSITION_NAMES
from review_process.models import (
    ReportVersion,
    Review,
    ReviewKind,
    ReviewState,
)
from review_process.selectors import review_deadlines


class OrganizationSerializer(serializers.ModelSerializer):
    superior = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind = serializers.ChoiceField(choices=OrganizationKind.choices)

    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "superior"]


class DeadlinesSerializer(serializers.Serializer):
    circulate_draft_by = serializers.DateField(allow_null=True)
    conference_by = serializers.DateField(allow_null=True)
    submit_assessment_by = serializers.DateField(allow_null=True)
    notify_by = serializers.DateField(allow_null=True)


class ReviewCreateSerializer(serializers.Serializer):
    organization = serializers.CharField(max_length=50, help_text="Organisation code, e.g. `LB-DG`.")
    year = serializers.IntegerField(min_value=1900, max_value=2200)
    kind = serializers.ChoiceField(choices=ReviewKind.choices, default=ReviewKind.COLLECTIVE)
    subject = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        default="",
        help_text="For `kind: individual`: the username of the leader reviewed (a leadership position in the "
        "organisation during the year).",
    )


class ReviewListSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="code", read_only=True)
    subject = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    state = serializers.ChoiceField(choices=ReviewState.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    deadlines = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "kind",
            "subject",
            "state",
            "state_label",
            "deadlines",
            "url",
        ]

    def get_deadlines(self, review) -> DeadlinesSerializer:
        return DeadlinesSerializer(review_deadlines(review)).data

    def get_url(self, review) -> str:
        return reverse("api:review-detail", args=[review.pk])


class LinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    transitions = serializers.CharField()
    report_versions = serializers.CharField()
    opinions = serializers.CharField()
    participants = serializers.CharField()
    conference = serializers.CharField()
    guidance = serializers.CharField()
    self_assessment = serializers.CharField()
    decision = serializers.CharField()
    notification = serializers.CharField()
    remedial_plan = serializers.CharField()
    audit_trail = serializers.CharField()
    compliance = serializers.CharField()


class ActionVerdictSerializer(serializers.Serializer):
    """May the caller take this action now, and if not, the error the action would get (code and message)."""

    name = serializers.CharField()
    allowed = serializers.BooleanField()
    code = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_null=True)


class ReviewDetailSerializer(ReviewListSerializer):
    available_transitions = serializers.SerializerMethodField(
        help_text="Transitions the caller may run now: stage, role, guards and blocking compliance rules allow it."
    )
    actions = serializers.SerializerMethodField(
        help_text="Every action (transitions, then records) with the reason when it is not allowed now."
    )
    regime = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    opened_by = PersonRefField()
    submitted_by = PersonRefField(allow_null=True)
    approved_by = PersonRefField(allow_null=True)

    class Meta(ReviewListSerializer.Meta):
        fields = [
            *ReviewListSerializer.Meta.fields,
            "available_transitions",
            "actions",
            "regime",
            "opened_by",
            "opened_at",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "closed_at",
            "circulated_on",
            "submitted_on",
            "approved_on",
            "closed_on",
            "cancel_reason",
            "links",
        ]

    def get_available_transitions(self, review) -> list[str]:
        return available_transitions(self.context["request"].user, review)

    @extend_schema_field(ActionVerdictSerializer(many=True))
    def get_actions(self, review) -> list[dict]:
        verdicts = available_actions(self.context["request"].user, review)
        return [
            {"name": v.action, "allowed": v.allowed, "code": v.code, "message": v.message or None}
            for v in verdicts.values()
        ]

    def get_regime(self, review) -> str | None:
        return review.regime.code if review.regime else None

    def get_links(self, review) -> LinksSerializer:
        def u(name):
            return reverse(f"api:{name}", args=[review.pk])

        return {
            "self": u("review-detail"),
            "transitions": u("review-detail") + "transitions/{name}/",
            "report_versions": u("report-versions"),
            "opinions": u("opinions"),
            "participants": u("participants"),
            "conference": u("conference"),
            "guidance": u("guidance"),
            "self_assessment": u("self-assessment"),
            "decision": u("decision"),
            "notification": u("notification"),
            "remedial_plan": u("remedial-plan"),
            "audit_trail": u("audit-trail"),
            "compliance": u("review-compliance"),
        }


class TransitionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="At most 2,000 characters (`text_too_long`)."
    )
    occurred_on = serializers.DateField(required=False, allow_null=True, default=None, help_text=OCCURRED_ON_HELP)


class TransitionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    transition = serializers.ChoiceField(choices=[(t, t) for t in TRANSITION_NAMES])
    state = serializers.ChoiceField(choices=ReviewState.choices)
    available_transitions = serializers.ListField(child=serializers.CharField())


class ReportVersionSerializer(serializers.ModelSerializer):
    created_by = PersonRefField()
    label = serializers.CharField(read_only=True)
    attachment = serializers.SerializerMethodField()
    attachment_url = serializers.SerializerMethodField(
        help_text="Where to download the attachment (the site's checked download: the review's permission applies)."
    )

    class Meta:
        model = ReportVersion
        fields = [
            "id",
            "number",
            "label",
            "text",
            "is_final",
            "attachment",
            "attachment_url",
            "attachment_sha256",
            "created_by",
            "created_at",
            "occurred_on",
        ]

    def get_attachment(self, version) -> str | None:
        return version.attachment.name or None

    def get_attachment_url(self, version) -> str | None:
        if not version.attachment:
            return None
        return reverse("review_process:report-version-attachment", args=[version.review_id, version.pk])


class ReportVersionInputSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="At most 200,000 characters (`text_too_long`).")
    is_final = serializers.BooleanField(default=False)
    attachment = serializers.FileField(required=False, allow_null=True)
    occurred_on = serializers.DateField(required=False, allow_null=True, default=None, help_text=OCCURRED_ON_HELP)


__all__ = [
    "AcceptedCountSerializer",
    "AttendeeSerializer",
    "AuditEventSerializer",
    "ComplianceSerializer",
    "ConferenceSerializer",
    "DecisionSerializer",
    "DetailedFindingSerializer",
    "FindingSerializer",
    "GuidanceInputSerializer",
    "GuidanceSerializer",
    "GuidanceUpdateSerializer",
    "NotificationSerializer",
    "OCCURRED_ON_HELP",
    "OpinionInputSerializer",
    "OpinionResponseInputSerializer",
    "OpinionResponseSerializer",
    "OpinionSerializer",
    "OpinionsAcceptAllSerializer",
    "OptionalReasonSerializer",
    "ParticipantInputSerializer",
    "ParticipantSerializer",
    "PersonFoundSerializer",
    "ReasonSerializer",
    "PersonRefField",
    "RemedialItemSerializer",
    "RemedialPlanSerializer",
    "ReviewComplianceSerializer",
    "SCORE_HELP",
    "SelfAssessmentSerializer",
    "TRIGGERS_HELP",
    "VoteSerializer",
]
