"""Input and output shapes of the API. Inputs validate; outputs read; services do the rest."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from permissions.models import Organization, OrganizationKind
from review_process.availability import available_actions, available_transitions
from review_process.machine import TRANSITION_NAMES
from review_process.models import (
    AuditEvent,
    Conference,
    Decision,
    Guidance,
    Notification,
    Opinion,
    OpinionChannel,
    Rating,
    RemedialPlan,
    ReportVersion,
    ResponseDecision,
    Review,
    ReviewKind,
    ReviewParticipant,
    ReviewState,
    SelfAssessment,
)
from review_process.regimes import Trigger
from review_process.selectors import review_deadlines


class PersonRefField(serializers.SlugRelatedField):
    """A person, shown and given by username."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", read_only=True, **kwargs)


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
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


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
        ]

    def get_attachment(self, version) -> str | None:
        return version.attachment.name or None

    def get_attachment_url(self, version) -> str | None:
        if not version.attachment:
            return None
        return reverse("review_process:report-version-attachment", args=[version.review_id, version.pk])


class ReportVersionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200_000)
    is_final = serializers.BooleanField(default=False)
    attachment = serializers.FileField(required=False, allow_null=True)


class OpinionResponseSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ResponseDecision.choices)
    note = serializers.CharField(allow_blank=True)
    responded_by = serializers.CharField(source="responded_by.username")
    responded_at = serializers.DateTimeField()


class OpinionSerializer(serializers.ModelSerializer):
    author = PersonRefField()
    recorded_by = PersonRefField()
    response = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = ["id", "author", "recorded_by", "channel", "text", "created_at", "response"]

    def get_response(self, opinion) -> OpinionResponseSerializer(allow_null=True):
        response = getattr(opinion, "response", None) if hasattr(opinion, "response") else None
        return OpinionResponseSerializer(response).data if response else None


class OpinionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20_000)
    channel = serializers.ChoiceField(choices=OpinionChannel.choices)
    author = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text=_("Username of the attendee who spoke (a secretary recording a spoken opinion)."),
    )


class OpinionResponseInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ResponseDecision.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


class AttendeeSerializer(serializers.Serializer):
    person = serializers.CharField(max_length=150)
    present = serializers.BooleanField(default=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class ConferenceSerializer(serializers.Serializer):
    held_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=255)
    chair = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=150)
    attendees = AttendeeSerializer(many=True)
    superior_representatives = serializers.ListField(child=serializers.CharField(max_length=150), default=list)
    minutes_secretary = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=150, help_text="Who kept the minutes (username)."
    )
    minutes_approved = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Were the minutes approved at the conference? null: not recorded.",
    )
    minutes_approval = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255, help_text="How they were approved."
    )

    @staticmethod
    def from_model(conference: Conference) -> dict:
        return {
            "held_at": conference.held_at,
            "location": conference.location,
            "chair": conference.chair.username if conference.chair else None,
            "attendees": [
                {"person": a.person.username, "present": a.present, "reason": a.reason}
                for a in conference.attendance.select_related("person")
            ],
            "superior_representatives": [u.username for u in conference.superior_representatives.all()],
            "minutes_secretary": conference.minutes_secretary.username if conference.minutes_secretary else None,
            "minutes_approved": conference.minutes_approved,
            "minutes_approval": conference.minutes_approval,
        }


class GuidanceSerializer(serializers.ModelSerializer):
    given_by = PersonRefField()

    class Meta:
        model = Guidance
        fields = ["id", "given_by", "text", "created_at"]


class GuidanceInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=50_000)


TRIGGERS_HELP = "Grounds that force `not_complete`, by code (the review's regime lists which apply)."
SCORE_HELP = "From 2025 (regime `2025+`): the score, 0 to 100, that the rating must match (90/70/50). Before: omit."


class SelfAssessmentSerializer(serializers.ModelSerializer):
    proposed_rating = serializers.ChoiceField(choices=Rating.choices)
    score = serializers.IntegerField(required=False, allow_null=True, default=None, help_text=SCORE_HELP)
    triggers = serializers.ListField(
        child=serializers.ChoiceField(choices=Trigger.choices), required=False, default=list, help_text=TRIGGERS_HELP
    )
    justification = serializers.CharField(required=False, allow_blank=True, default="", max_length=50_000)
    set_by = PersonRefField()

    class Meta:
        model = SelfAssessment
        fields = ["proposed_rating", "score", "triggers", "justification", "set_by", "updated_at"]
        read_only_fields = ["updated_at"]


class VoteSerializer(serializers.Serializer):
    """The standing committee's vote: valid only when ``for`` is more than half of ``members``."""

    members = serializers.IntegerField(min_value=1, help_text="Members of the body")
    present = serializers.IntegerField(min_value=0)
    for_ = serializers.IntegerField(min_value=0, label="for")
    against = serializers.IntegerField(min_value=0, required=False, default=0)
    abstain = serializers.IntegerField(min_value=0, required=False, default=0)

    def get_fields(self):
        fields = super().get_fields()
        fields["for"] = fields.pop("for_")
        return fields


class DecisionSerializer(serializers.ModelSerializer):
    final_rating = serializers.ChoiceField(choices=Rating.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20_000,
        help_text="Required when the final rating is below the proposed one.",
    )
    vote = VoteSerializer()
    score = serializers.IntegerField(required=False, allow_null=True, default=None, help_text=SCORE_HELP)
    triggers = serializers.ListField(
        child=serializers.ChoiceField(choices=Trigger.choices), required=False, default=list, help_text=TRIGGERS_HELP
    )
    decided_by = PersonRefField()

    class Meta:
        model = Decision
        fields = ["final_rating", "reason", "vote", "score", "triggers", "decided_by", "decided_at"]
        read_only_fields = ["decided_at"]


class NotificationSerializer(serializers.ModelSerializer):
    recorded_by = PersonRefField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)

    class Meta:
        model = Notification
        fields = ["notified_on", "note", "recorded_by", "recorded_at"]
        read_only_fields = ["recorded_at"]


class RemedialItemSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=20_000)
    owner = serializers.CharField(max_length=255)
    due_date = serializers.DateField()


class RemedialPlanSerializer(serializers.Serializer):
    items = RemedialItemSerializer(many=True)
    filed_by = serializers.CharField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @staticmethod
    def from_model(plan: RemedialPlan) -> dict:
        return {
            "items": [
                {"description": i.description, "owner": i.owner, "due_date": i.due_date} for i in plan.items.all()
            ],
            "filed_by": plan.filed_by.username,
            "updated_at": plan.updated_at,
        }


class ParticipantSerializer(serializers.ModelSerializer):
    person = PersonRefField()
    invited_by = PersonRefField()

    class Meta:
        model = ReviewParticipant
        fields = ["person", "invited_by", "invited_at"]


class ParticipantInputSerializer(serializers.Serializer):
    person = serializers.CharField(max_length=150)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = PersonRefField(allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "sequence",
            "action",
            "actor",
            "actor_role",
            "occurred_at",
            "from_state",
            "to_state",
            "payload",
            "hash",
            "prev_hash",
        ]


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    status = serializers.ChoiceField(choices=["pass", "fail", "not_applicable"])
    message = serializers.CharField()
    reference = serializers.CharField()
    evidence = serializers.ListField(child=serializers.DictField())


class ComplianceSerializer(serializers.Serializer):
    compliant = serializers.BooleanField()
    findings = FindingSerializer(many=True)


class DetailedFindingSerializer(FindingSerializer):
    title = serializers.CharField()
    title_vi = serializers.CharField()
    title_en = serializers.CharField()
    severity = serializers.ChoiceField(choices=["blocking", "finding"])


class ReviewComplianceSerializer(serializers.Serializer):
    review = serializers.IntegerField()
    organization = serializers.CharField()
    organization_name = serializers.CharField()
    year = serializers.IntegerField()
    state = serializers.ChoiceField(choices=ReviewState.choices)
    regime = serializers.CharField()
    compliant = serializers.BooleanField()
    findings = DetailedFindingSerializer(many=True)
