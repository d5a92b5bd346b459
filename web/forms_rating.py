"""The rating forms: the self-assessment, the decision with the standing committee's vote, and the secret-ballot
tally of an individual review (web.forms re-exports them)."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from review_process.models import Ballot, Rating
from review_process.ratings import BALLOT_FIELDS, Vote
from review_process.regimes import Trigger
from web.form_base import ReviewActionForm, day_field, limited_text


def trigger_label(code: str) -> str:
    """A ground for "not complete" in words (its code, should a pinned regime name one no longer defined)."""
    return str(Trigger(code).label) if code in Trigger.values else code


class RatingFormMixin:
    """The fields every rating shares, shaped by the review's pinned regime (``review.regime``): the score only
    under a score regime (2025+), the grounds for "not complete" that regime lists. Whether the score is
    required, and whether the rating matches it, is the service's to say (``review_process.ratings``)."""

    def add_rating_fields(self, rating_field: str) -> None:
        regime = self.review.regime if self.review is not None else None
        if regime is not None and regime.uses_score:
            self.fields["score"] = forms.IntegerField(
                label=_("Score (0 to 100)"),
                min_value=0,
                max_value=100,
                required=False,  # the service says a score is required, on this field
                widget=forms.NumberInput(attrs={"required": True, "inputmode": "numeric"}),
                help_text=_("The rating follows the score: 90 and above excellent, 70 good, 50 complete."),
            )
        self.fields["triggers"] = forms.MultipleChoiceField(
            label=_("Grounds for “not complete”"),
            choices=[(code, trigger_label(code)) for code in (regime.triggers if regime else ())],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Tick any ground that was found: each one forces the rating “not complete”."),
        )
        order = [rating_field, "score", "triggers"]
        self.order_fields([name for name in order if name in self.fields] + list(self.fields))

    def rating_values(self) -> dict:
        """The score and the grounds as the service takes them."""
        return {"score": self.cleaned_data.get("score"), "triggers": list(self.cleaned_data.get("triggers") or [])}


class SelfAssessmentForm(RatingFormMixin, ReviewActionForm):
    proposed_rating = forms.ChoiceField(label=_("Proposed rating"), choices=Rating.choices, widget=forms.RadioSelect)
    justification = limited_text(
        "justification",
        _("Justification"),
        rows=8,
        help_text=_("Required: on what the proposed rating rests (results, shortcomings, the criteria met)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_rating_fields("proposed_rating")


#: The vote's fields: form field -> key of ``Vote.as_dict()``.
VOTE_FIELDS = {
    "vote_members": "members",
    "vote_present": "present",
    "vote_for": "for",
    "vote_against": "against",
    "vote_abstain": "abstain",
}


class DecisionForm(RatingFormMixin, ReviewActionForm):
    """The competent body's decision: the final rating (with the score and grounds its regime asks for), the
    reason when it is below the proposed rating, and the body's vote (valid with more than half of its
    members for it: Party Statute Art. 9 §5)."""

    final_rating = forms.ChoiceField(label=_("Final rating"), choices=Rating.choices, widget=forms.RadioSelect)
    reason = limited_text(
        "decision_reason",
        _("Reason"),
        rows=3,
        required=False,
        help_text=_("Required when the final rating is below the proposed one."),
    )
    occurred_on = day_field(_("Date of the decision"))
    vote_members = forms.IntegerField(label=_("Members of the standing committee"), min_value=1)
    vote_present = forms.IntegerField(label=_("Present"), min_value=0)
    vote_for = forms.IntegerField(label=_("Voted for"), min_value=0)
    vote_against = forms.IntegerField(label=_("Voted against"), min_value=0, initial=0)
    vote_abstain = forms.IntegerField(label=_("Abstained"), min_value=0, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_rating_fields("final_rating")
        for name in VOTE_FIELDS:
            self.fields[name].widget.attrs.setdefault("inputmode", "numeric")

    def vote_rows(self):
        return [self[name] for name in VOTE_FIELDS]

    def rating_rows(self):
        return [self[name] for name in self.fields if name != "state" and name not in VOTE_FIELDS]

    def vote(self) -> Vote:
        return Vote.from_dict({key: self.cleaned_data.get(name) for name, key in VOTE_FIELDS.items()})

    def vote_field_for(self, error) -> str:
        """Which of the vote's fields a vote error is about: the count that breaks the tally or the majority."""
        data = {key: self.cleaned_data.get(name) or 0 for name, key in VOTE_FIELDS.items()}
        if error.code == "invalid_vote" and data["present"] > data["members"]:
            return "vote_present"
        if error.code == "invalid_vote" and data["members"] < 1:
            return "vote_members"
        return "vote_for"

    def add_service_error(self, error) -> None:
        if getattr(error, "code", None) in ("invalid_vote", "vote_not_carried"):
            self.add_error(self.vote_field_for(error), str(error))
            return
        super().add_service_error(error)


def _ballot_label(name: str):
    """The label of a ballot count: the model's verbose name, capitalised (the levels: the ratings' labels)."""
    return Rating(name).label if name in Rating.values else capfirst(Ballot._meta.get_field(name).verbose_name)


class BallotForm(ReviewActionForm):
    """The secret-ballot tally of an individual review: counts only, never who voted how, and the vote-counting
    board one name per line. Whether the counts add up is the service's to say (``ratings.ballot_error``: a
    form-wide error, shown at the top of the form)."""

    COUNTS = BALLOT_FIELDS

    counting_board = limited_text(
        "note",
        capfirst(Ballot._meta.get_field("counting_board").verbose_name),
        rows=4,
        help_text=_("One name per line."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.COUNTS:
            self.fields[name] = forms.IntegerField(
                label=_ballot_label(name), min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
            )
        self.order_fields([*self.COUNTS, "counting_board"])

    def count_rows(self):
        return [self[name] for name in self.COUNTS]

    def board_rows(self):
        return [self["counting_board"]]

    def counts(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in self.COUNTS}

    def board(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["counting_board"].splitlines() if line.strip()]
