"""Input and output shapes of the rating rounds' API (``api.views.rounds``). Inputs validate their shape only:
ratings, keys, quotas and votes are the service's (``review_process.services.rounds``), whose 400 names the
entry."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import VoteSerializer
from review_process.models import Rating, RatingEntry, RatingRound, RoundState, RoundSubject


@extend_schema_field({"type": "string", "enum": list(RoundState.values)}, component_name="RatingRoundState")
class RoundStateField(serializers.ChoiceField):
    """The round's state, inline in the schema (``state`` of a review is another enum)."""

    def __init__(self, **kwargs):
        super().__init__(choices=RoundState.choices, **kwargs)


RATING_HELP = "One of `excellent`, `good`, `complete`, `not_complete` (blank: none yet)."


class RatingRoundCreateSerializer(serializers.Serializer):
    """Open a round (``organization``, ``year``, ``subject``), or a correction of a decided round
    (``supersedes`` and ``reason``)."""

    organization = serializers.CharField(max_length=50, required=False, help_text="The rating body's code.")
    year = serializers.IntegerField(min_value=1900, max_value=2200, required=False)
    subject = serializers.ChoiceField(choices=RoundSubject.choices, required=False)
    supersedes = serializers.IntegerField(
        min_value=1, required=False, help_text="A decided round to correct: its entries start the new round."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20_000, help_text="Required with `supersedes`."
    )

    def validate(self, attrs):
        if attrs.get("supersedes") is None:
            missing = [name for name in ("organization", "year", "subject") if attrs.get(name) in (None, "")]
            if missing:
                raise serializers.ValidationError({name: ["This field is required."] for name in missing})
        return attrs


class RatingEntryInputSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=100, help_text="Organisation code (subject organisations) or identifier.")
    name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    group = serializers.CharField(max_length=255, required=False, allow_blank=True, help_text="Quota group.")
    proposed_rating = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text=RATING_HELP)
    final_rating = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text=RATING_HELP)
    reason = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, help_text="Required when final is below proposed."
    )


class RatingEntriesUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX with a header row: the columns of the JSON entries.")


class RatingRoundDecideSerializer(serializers.Serializer):
    vote = VoteSerializer()


class RatingEntrySerializer(serializers.ModelSerializer):
    proposed_rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    final_rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    organization = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = RatingEntry
        fields = ["key", "name", "group", "organization", "proposed_rating", "final_rating", "reason"]


class RatingCountsSerializer(serializers.Serializer):
    excellent = serializers.IntegerField()
    good = serializers.IntegerField()
    complete = serializers.IntegerField()
    not_complete = serializers.IntegerField()


class RoundCountsSerializer(serializers.Serializer):
    proposed = RatingCountsSerializer()
    final = RatingCountsSerializer()


class QuotaRowSerializer(serializers.Serializer):
    group = serializers.CharField(allow_blank=True, help_text="Blank: the whole round (scope `round`).")
    excellent = serializers.IntegerField()
    good = serializers.IntegerField()
    allowed = serializers.IntegerField(help_text="The most `excellent` the cap allows: good // divisor.")
    capped = serializers.BooleanField(help_text="False when the regime does not cap this subject.")
    ok = serializers.BooleanField()


class RatingRoundSerializer(serializers.Serializer):
    """A round as ``review_process.selectors.rounds.round_view`` reads it."""

    id = serializers.IntegerField()
    organization = serializers.CharField(help_text="The rating body's code.")
    organization_name = serializers.CharField()
    year = serializers.IntegerField()
    regime = serializers.CharField()
    subject = serializers.ChoiceField(choices=RoundSubject.choices)
    state = RoundStateField()
    quota_scope = serializers.CharField(allow_null=True, help_text="`round`, `group`, or null (not capped).")
    quota_divisor = serializers.IntegerField()
    counts = RoundCountsSerializer()
    quota = QuotaRowSerializer(many=True)
    entries = RatingEntrySerializer(many=True)
    vote = VoteSerializer(allow_null=True)
    supersedes = serializers.IntegerField(allow_null=True)
    supersede_reason = serializers.CharField(allow_blank=True)
    superseded_by = serializers.IntegerField(allow_null=True)
    open_correction = serializers.IntegerField(allow_null=True)
    opened_by = serializers.CharField(source="opened_by.username", help_text="Username.")
    opened_at = serializers.DateTimeField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, help_text="Username.")
    decided_at = serializers.DateTimeField(allow_null=True)


class RatingRoundListSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    regime = serializers.CharField(source="regime_code", read_only=True)
    subject = serializers.ChoiceField(choices=RoundSubject.choices, read_only=True)
    state = RoundStateField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = RatingRound
        fields = ["id", "organization", "organization_name", "year", "subject", "regime", "state", "supersedes", "url"]

    def get_url(self, round_) -> str:
        return reverse("api:rating-round-detail", args=[round_.pk])
