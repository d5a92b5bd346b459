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
from django.utils.translation import gettext_lazy as _

from review_process.dates import TRANSITION_EVENTS
from review_process.models import OpinionChannel, ResponseDecision, ReviewKind
from web.form_base import (
    DATE_FORMATS,
    DATE_HELP,
    ReviewActionForm,
    date_field,
    day_field,
    limited_text,
    person_label,
    text_area,
)
from web.forms_rating import (
    VOTE_FIELDS,
    BallotForm,
    DecisionForm,
    RatingFormMixin,
    SelfAssessmentForm,
    _ballot_label,
    trigger_label,
)


def dated_transition(name: str) -> bool:
    """Does transition ``name`` record the day it happened (``review_process.dates.TRANSITION_EVENTS``)?"""
    return name in TRANSITION_EVENTS


class TransitionForm(ReviewActionForm):
    """A transition's small form: the reason (required for the side exits), and the day it happened for the
    transitions that record one."""

    reason = limited_text("reason", _("Reason"), rows=3, required=False)

    def __init__(self, *args, requires_reason: bool = False, dated: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if dated:
            self.fields["occurred_on"] = day_field()
            self.order_fields(["occurred_on", "reason"])
        if requires_reason:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = _("Required: say why, in a sentence or two.")
        else:
            self.fields["reason"].label = _("Comment (optional)")


class ReportVersionForm(ReviewActionForm):
    text = limited_text("report_text", _("Report text"), rows=14)
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("A signed or scanned copy, if you have one. It is kept only when you add the version."),
    )
    is_final = forms.BooleanField(
        label=_("This is the finalised report (after the superior's guidance)"), required=False
    )
    occurred_on = day_field(_("Date of this version"))


class OwnOpinionForm(ReviewActionForm):
    channel = forms.ChoiceField(label=_("How was it given?"), widget=forms.RadioSelect)
    text = limited_text("opinion_text", _("Your opinion"), rows=5)
    occurred_on = day_field(_("Date of the opinion"))

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
    text = limited_text("opinion_text", _("What they said"), rows=5)
    occurred_on = day_field(_("Date it was said"))

    def __init__(self, *args, attendees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].choices = [("", _("— choose an attendee —"))] + [
            (u.username, person_label(u)) for u in attendees
        ]
        self.fields["author"].help_text = _("Only people recorded as present at the conference can be chosen.")


class OpinionResponseForm(ReviewActionForm):
    decision = forms.ChoiceField(label=_("Response"), choices=ResponseDecision.choices, widget=forms.RadioSelect)
    note = limited_text(
        "response_note",
        _("Note"),
        rows=2,
        required=False,
        help_text=_("Required when you explain instead of accepting."),
    )
    occurred_on = day_field(_("Date of the response"))


class AcceptAllForm(ReviewActionForm):
    """Accept every opinion that has no response yet, with one note."""

    note = limited_text(
        "response_note",
        _("Note (the same for every opinion)"),
        rows=2,
        required=False,
        help_text=_("For example: accepted and taken into the final report."),
    )
    occurred_on = day_field(_("Date of the responses"))


class ConferenceForm(ReviewActionForm):
    held_on = date_field(_("Date"))
    held_time = forms.TimeField(
        label=_("Time"),
        input_formats=["%H:%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm", "inputmode": "numeric"}),
        help_text=_("24-hour clock, for example 08:00."),
    )
    location = limited_text("location", _("Place"), rows=None)
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
    text = limited_text(
        "guidance_text",
        _("Guidance"),
        rows=6,
        help_text=_("What the superior's representatives asked the committee to do, as said at the conference."),
    )
    occurred_on = day_field(_("Date the guidance was given"))


class GuidanceWithdrawForm(ReviewActionForm):
    reason = limited_text("reason", _("Why it is withdrawn"), rows=2)


class RevokeForm(ReviewActionForm):
    reason = limited_text("reason", _("Reason (optional)"), rows=None, required=False)


class NotificationForm(ReviewActionForm):
    notified_on = day_field(_("Date of the notification"), required=True)
    note = limited_text("note", _("Note (optional)"), rows=2, required=False)


class RemedialPlanForm(ReviewActionForm):
    """Rows of (shortcoming and measure, owner, due date); blank rows are ignored."""

    def __init__(self, *args, rows: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_count = rows
        for i in range(rows):
            self.fields[f"item_{i}_description"] = limited_text(
                "remedial_item", _("Shortcoming and measure"), rows=2, required=False
            )
            self.fields[f"item_{i}_owner"] = limited_text("remedial_owner", _("Owner"), rows=None, required=False)
            self.fields[f"item_{i}_due_date"] = date_field(_("Due date"), required=False)
        self.fields["occurred_on"] = day_field(_("Date the plan was adopted"))
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
    """Whom to invite: chosen among the people a name search found (``candidates``: a plain list, no script
    needed), or typed as a login name; the page's script fills it from the live search."""

    username = forms.CharField(
        label=_("Person to invite"),
        max_length=150,
        help_text=_(
            "Search by name above, then choose; or type their login name. They will be able to read the "
            "draft and give their opinion."
        ),
    )
    service_fields = {"person": "username", "participant": "username"}

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        if self.candidates:
            self.fields["username"].widget = forms.RadioSelect(
                choices=[(u.username, person_label(u)) for u in self.candidates]
            )
        else:
            self.fields["username"].widget.attrs.update({"data-people-target": "1", "autocomplete": "off"})


class PeopleSearchForm(forms.Form):
    """The name search of the invite form (a GET form: without a script, it draws the page with the matches)."""

    invite_q = forms.CharField(label=_("Search by name"), max_length=100, required=False)


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


__all__ = [
    "BallotForm",
    "DATE_FORMATS",
    "DATE_HELP",
    "DecisionForm",
    "RatingFormMixin",
    "ReviewActionForm",
    "SelfAssessmentForm",
    "VOTE_FIELDS",
    "_ballot_label",
    "date_field",
    "person_label",
    "text_area",
    "trigger_label",
]
