"""Serializers of a review's records (opinions and responses, conference, guidance, self-assessment, decision
and vote, notification, remedial plan, participants), the audit trail and compliance."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.fields import PersonRefField
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
    ResponseDecision,
    ReviewParticipant,
    ReviewState,
    SelfAssessment,
)
from review_process.regimes import Trigger

OCCURRED_ON_HELP = (
    "The day it happened (YYYY-MM-DD): not after today, in the procedure's order (`date_in_future`, "
    "`date_out_of_order`). Default: today (a spoken opinion: the conference's day)."
)


def occurred_on_field():
    return serializers.DateField(required=False, allow_null=True, default=None, help_text=OCCURRED_ON_HELP)


class OpinionResponseSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ResponseDecision.choices)
    note = serializers.CharField(allow_blank=True)
    responded_by = serializers.CharField(source="responded_by.username")
    responded_at = serializers.DateTimeField()
    occurred_on = serializers.DateField()


class OpinionSerializer(serializers.ModelSerializer):
    author = PersonRefField()
    recorded_by = PersonRefField()
    response = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = ["id", "author", "recorded_by", "channel", "text", "occurred_on", "created_at", "response"]

    def get_response(self, opinion) -> OpinionResponseSerializer(allow_null=True):
        response = getattr(opinion, "response", None) if hasattr(opinion, "response") else None
        return OpinionResponseSerializer(response).data if response else None


class OpinionInputSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="At most 10,000 characters (`text_too_long`).")
    occurred_on = occurred_on_field()
    channel = serializers.ChoiceField(choices=OpinionChannel.choices)
    author = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text=_("Username of the attendee who spoke (a secretary recording a spoken opinion)."),
    )


class OpinionResponseInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ResponseDecision.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_on = occurred_on_field()


class OpinionsAcceptAllSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="One note for all.")
    occurred_on = occurred_on_field()


class AcceptedCountSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="How many unanswered opinions were accepted.")


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
    withdrawn_by = PersonRefField(allow_null=True)

    class Meta:
        model = Guidance
        fields = [
            "id",
            "given_by",
            "text",
            "occurred_on",
            "created_at",
            "withdrawn_at",
            "withdrawn_by",
            "withdraw_reason",
        ]


class GuidanceInputSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="At most 10,000 characters (`text_too_long`).")
    occurred_on = occurred_on_field()


class GuidanceUpdateSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The corrected text (its author, until `give_guidance`).")
    occurred_on = occurred_on_field()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why (at most 2,000 characters).")


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


TRIGGERS_HELP = "Grounds that force `not_complete`, by code (the review's regime lists which apply)."
SCORE_HELP = "From 2025 (regime `2025+`): the score, 0 to 100, that the rating must match (90/70/50). Before: omit."


class SelfAssessmentSerializer(serializers.ModelSerializer):
    proposed_rating = serializers.ChoiceField(choices=Rating.choices)
    score = serializers.IntegerField(required=False, allow_null=True, default=None, help_text=SCORE_HELP)
    triggers = serializers.ListField(
        child=serializers.ChoiceField(choices=Trigger.choices), required=False, default=list, help_text=TRIGGERS_HELP
    )
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The basis of the proposed rating: required (`basis_required`), at most 10,000 characters.",
    )
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
        help_text="Required when the final rating is below the proposed one.",
    )
    vote = VoteSerializer()
    score = serializers.IntegerField(required=False, allow_null=True, default=None, help_text=SCORE_HELP)
    triggers = serializers.ListField(
        child=serializers.ChoiceField(choices=Trigger.choices), required=False, default=list, help_text=TRIGGERS_HELP
    )
    decided_by = PersonRefField()
    occurred_on = occurred_on_field()

    class Meta:
        model = Decision
        fields = ["final_rating", "reason", "vote", "score", "triggers", "occurred_on", "decided_by", "decided_at"]
        read_only_fields = ["decided_at"]


class NotificationSerializer(serializers.ModelSerializer):
    recorded_by = PersonRefField()
    note = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = Notification
        fields = ["notified_on", "note", "recorded_by", "recorded_at"]
        read_only_fields = ["recorded_at"]


class RemedialItemSerializer(serializers.Serializer):
    description = serializers.CharField()
    owner = serializers.CharField()
    due_date = serializers.DateField(help_text="After the approval (`date_out_of_order`).")


class RemedialPlanSerializer(serializers.Serializer):
    items = RemedialItemSerializer(many=True)
    occurred_on = occurred_on_field()
    filed_by = serializers.CharField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @staticmethod
    def from_model(plan: RemedialPlan) -> dict:
        return {
            "items": [
                {"description": i.description, "owner": i.owner, "due_date": i.due_date} for i in plan.items.all()
            ],
            "occurred_on": plan.occurred_on,
            "filed_by": plan.filed_by.username,
            "updated_at": plan.updated_at,
        }


class ParticipantSerializer(serializers.ModelSerializer):
    person = PersonRefField()
    invited_by = PersonRefField()
    revoked_by = PersonRefField(allow_null=True)

    class Meta:
        model = ReviewParticipant
        fields = ["id", "person", "invited_by", "invited_at", "revoked_at", "revoked_by", "revoke_reason"]


class PersonFoundSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")


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
