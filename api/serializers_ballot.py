"""The secret-ballot tally of an individual review (counts only)."""

from rest_framework import serializers

from api.serializers import PersonRefField
from review_process.models import Ballot


class BallotSerializer(serializers.ModelSerializer):
    """``cast <= eligible``; the four levels plus ``invalid`` add up to ``cast`` (400 ``invalid_ballot``)."""

    eligible = serializers.IntegerField(min_value=0)
    cast = serializers.IntegerField(min_value=0)
    excellent = serializers.IntegerField(min_value=0)
    good = serializers.IntegerField(min_value=0)
    complete = serializers.IntegerField(min_value=0)
    not_complete = serializers.IntegerField(min_value=0)
    invalid = serializers.IntegerField(min_value=0)
    counting_board = serializers.ListField(
        child=serializers.CharField(max_length=200),
        min_length=1,
        max_length=50,
        help_text="The vote-counting board's members, by name.",
    )
    recorded_by = PersonRefField()

    class Meta:
        model = Ballot
        fields = [
            "eligible",
            "cast",
            "excellent",
            "good",
            "complete",
            "not_complete",
            "invalid",
            "counting_board",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_at"]
