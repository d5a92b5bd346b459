"""Forms of the web pages: one per action. They only shape input; every rule is the services'.

Each action form carries the review's stage as it was when the page was drawn (``state``, hidden), so
the view can tell "someone else acted first" apart from an error.  ``add_service_error`` puts a
service's ``ReviewError`` on the field it names (``error.field``), or on the form as a whole.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from review_process.models import Ballot, OpinionChannel, Rating, ResponseDecision, ReviewKind
from review_process.ratings import BALLOT_FIELDS, Vote
from review_process.regimes import Trigger

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATE_HELP = _("Day/month/year, for example 30/11/2021.")


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        ),
        help_text=DATE_HELP,
        **kwargs,
    )


def text_area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def person_label(user) -> str:
    return f"{user.get_full_name()} ({user.username})"


class ReviewActionForm(forms.Form):
    """Base of every action form: the hidden stage, and service errors mapped onto fields."""

    state = forms.CharField(widget=forms.HiddenInput)
    #: service error field -> form field, where the names differ
    service_fields: dict[str, str] = {}

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        if review is not None:
            self.fields["state"].initial = review.state

    def form_field_for(self, service_field: str | None) -> str | None:
        if not service_field:
            return None
        name = self.service_fields.get(service_field, service_field)
        return name if name in self.fields and name != "state" else None

    def add_service_error(self, error) -> None:
        self.add_error(self.form_field_for(getattr(error, "field", None)), str(error))


class TransitionForm(ReviewActionForm):
    reason = forms.CharField(label=_("Reason"), widget=text_area(3), required=False)

    def __init__(self, *args, requires_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if requires_reason:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = _("Required: say why, in a sentence or two.")
        else:
            self.fields["reason"].label = _("Comment (optional)")


class ReportVersionForm(ReviewActionForm):
    text = forms.CharField(label=_("Report text"), widget=text_area(14))
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("A signed or scanned copy, if you have one. It is kept only when you add the version."),
    )
    is_final = forms.BooleanField(
        label=_("This is the finalised report (after the superior's guidance)"), required=False
    )


class OwnOpinionForm(ReviewActionForm):
    channel = forms.ChoiceField(label=_("How was it given?"), widget=forms.RadioSelect)
    text = forms.CharField(label=_("Your opinion"), widget=text_area(5))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The residence party committee comments on a leader only (individual reviews).
        individual = self.review is not None and self.review.kind == ReviewKind.INDIVIDUAL
        self.fields["channel"].choices = [
            (value, label) for value, label in OpinionChannel.choices if individual or value != OpinionChannel.RESIDENCE
        ]
        self.fields["channel"].initial = OpinionChannel.WRITTEN


class SpokenOpinionForm(ReviewActionForm):
    author = forms.ChoiceField(label=_("Who spoke"))
    text = forms.CharField(label=_("What they said"), widget=text_area(5))

    def __init__(self, *args, attendees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].choices = [("", _("— choose an attendee —"))] + [
            (u.username, person_label(u)) for u in attendees
        ]
        self.fields["author"].help_text = _("Only people recorded as present at the conference can be chosen.")


class OpinionResponseForm(ReviewActionForm):
    decision = forms.ChoiceField(label=_("Response"), choices=ResponseDecision.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        widget=text_area(2),
        required=False,
        help_text=_("Required when you explain instead of accepting."),
    )


class ConferenceForm(ReviewActionForm):
    held_on = date_field(_("Date"))
    held_time = forms.TimeField(
        label=_("Time"),
        input_formats=["%H:%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm", "inputmode": "numeric"}),
        help_text=_("24-hour clock, for example 08:00."),
    )
    location = forms.CharField(label=_("Place"), max_length=255)
    chair = forms.ChoiceField(label=_("Chair"), required=False)
    superior_representatives = forms.MultipleChoiceField(
        label=_("Representatives of the superior present"), required=False, widget=forms.CheckboxSelectMultiple
    )
    minutes_secretary = forms.ChoiceField(label=_("Secretary of the conference (kept the minutes)"), required=False)
    minutes_approved = forms.TypedChoiceField(
        label=_("Were the minutes approved at the conference?"),
        required=False,
        choices=[("", _("— not recorded —")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
    )
    minutes_approval = forms.CharField(
        label=_("How they were approved"),
        required=False,
        max_length=255,
        help_text=_("For example: by show of hands, 15 of 15."),
    )

    def __init__(self, *args, local_people=(), superior_people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.local_people = list(local_people)
        self.fields["chair"].choices = [("", _("— nobody recorded —"))] + [
            (u.username, person_label(u)) for u in [*self.local_people, *superior_people]
        ]
        self.fields["minutes_secretary"].choices = [("", _("— nobody recorded —"))] + [
            (u.username, person_label(u)) for u in [*self.local_people, *superior_people]
        ]
        self.fields["superior_representatives"].choices = [(u.username, person_label(u)) for u in superior_people]
        for person in self.local_people:
            self.fields[f"present_{person.username}"] = forms.BooleanField(
                label=_("%(name)s was present") % {"name": person.get_full_name()}, required=False, initial=True
            )
            self.fields[f"reason_{person.username}"] = forms.CharField(
                label=_("Reason for the absence of %(name)s") % {"name": person.get_full_name()},
                required=False,
                max_length=255,
            )
        self.service_fields = {
            "location": "location",
            "chair": "chair",
            "minutes_secretary": "minutes_secretary",
            "minutes_approval": "minutes_approval",
        }
        for i, person in enumerate(self.local_people):
            self.service_fields[f"attendees[{i}].person"] = f"present_{person.username}"
            self.service_fields[f"attendees[{i}].reason"] = f"reason_{person.username}"

    def attendance_rows(self):
        for person in self.local_people:
            yield person, self[f"present_{person.username}"], self[f"reason_{person.username}"]

    def held_at(self) -> datetime.datetime:
        naive = datetime.datetime.combine(self.cleaned_data["held_on"], self.cleaned_data["held_time"])
        return timezone.make_aware(naive)

    def attendees(self) -> list[dict]:
        return [
            {
                "person": person.username,
                "present": bool(self.cleaned_data.get(f"present_{person.username}")),
                "reason": self.cleaned_data.get(f"reason_{person.username}", ""),
            }
            for person in self.local_people
        ]


class GuidanceForm(ReviewActionForm):
    text = forms.CharField(
        label=_("Guidance"),
        widget=text_area(6),
        help_text=_("What the superior's representatives asked the committee to do, as said at the conference."),
    )


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
    justification = forms.CharField(label=_("Justification"), widget=text_area(8), required=False)

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
    reason = forms.CharField(
        label=_("Reason"),
        widget=text_area(3),
        required=False,
        help_text=_("Required when the final rating is below the proposed one."),
    )
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

    counting_board = forms.CharField(
        label=capfirst(Ballot._meta.get_field("counting_board").verbose_name),
        widget=text_area(4),
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


class NotificationForm(ReviewActionForm):
    notified_on = date_field(_("Date of the notification"))
    note = forms.CharField(label=_("Note (optional)"), widget=text_area(2), required=False)


class RemedialPlanForm(ReviewActionForm):
    """Rows of (shortcoming and measure, owner, due date); blank rows are ignored."""

    def __init__(self, *args, rows: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_count = rows
        for i in range(rows):
            self.fields[f"item_{i}_description"] = forms.CharField(
                label=_("Shortcoming and measure"), widget=text_area(2), required=False
            )
            self.fields[f"item_{i}_owner"] = forms.CharField(label=_("Owner"), required=False, max_length=255)
            self.fields[f"item_{i}_due_date"] = date_field(_("Due date"), required=False)
        self._row_of_item: list[int] = []

    def rows(self):
        for i in range(self.row_count):
            yield i + 1, self[f"item_{i}_description"], self[f"item_{i}_owner"], self[f"item_{i}_due_date"]

    def items(self) -> list[dict]:
        items, self._row_of_item = [], []
        for i in range(self.row_count):
            description = self.cleaned_data.get(f"item_{i}_description", "")
            owner = self.cleaned_data.get(f"item_{i}_owner", "")
            due = self.cleaned_data.get(f"item_{i}_due_date")
            if not (description or owner or due):
                continue
            self._row_of_item.append(i)
            items.append({"description": description, "owner": owner, "due_date": due})
        return items

    def form_field_for(self, service_field):
        match = re.fullmatch(r"items\[(\d+)\]\.(\w+)", service_field or "")
        if match and int(match.group(1)) < len(self._row_of_item):
            return f"item_{self._row_of_item[int(match.group(1))]}_{match.group(2)}"
        return super().form_field_for(service_field)


class InviteForm(ReviewActionForm):
    username = forms.CharField(
        label=_("Login name of the person to invite"),
        max_length=150,
        help_text=_("They will be able to read the draft and give their opinion."),
    )
    service_fields = {"person": "username"}


class OpenReviewForm(forms.Form):
    organization = forms.ChoiceField(label=_("Organisation"))
    year = forms.IntegerField(label=_("Year"), min_value=2018, max_value=2100)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.code, o.name) for o in organizations]

    def add_service_error(self, error) -> None:
        field = error.field if error.field in ("organization", "year") else None
        self.add_error(field, str(error))


class CompareForm(forms.Form):
    """Which two report versions to compare (a GET form)."""

    old = forms.TypedChoiceField(label=_("Compare"), coerce=int)
    new = forms.TypedChoiceField(label=_("with"), coerce=int)

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.number, f"{v.label} — {v.number}") for v in versions]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices
