"""The record forms of the review page, as one table: ``RECORD_FORMS[key] = RecordForm(...)``.

Each row says which record action the form takes (``permissions.roles.Action``), its form class, how its
initial values are read from the review's records, which service it calls, what is said on success and where
the page scrolls to afterwards.  The key is the form's prefix and the value of the ``key`` URL kwarg that
routes the one generic POST view (``web.views.records.record_post``) to its row.

Whether a form is shown is not decided here: the review page shows a row's form when
``review_process.availability`` allows its action.  Every rule is the service's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from permissions.roles import Action
from review_process.models import Ballot, Rating, ReviewState
from review_process.services import records as svc
from review_process.services.individual import ballot_record
from web import forms as f
from web.views.common import draft_get, has_related

NO_PEOPLE = {"local": [], "superior": []}


def _none(*args, **kwargs) -> dict:
    return {}


@dataclass(frozen=True)
class RecordForm:
    """One record form of the review page (see the module's docstring)."""

    action: str
    form_class: type[f.ReviewActionForm]
    #: ``service(review=, by=, data=, form=)`` writes the record and returns it (raises ``ReviewError``)
    service: Callable[..., Any]
    #: ``success(record)`` says what was done
    success: Callable[[Any], str]
    #: where the review page scrolls to after the action
    anchor: str
    #: ``initial(review, records)``: the form's initial values from what is recorded
    initial: Callable[..., dict] = _none
    #: ``options(records, people, data)``: further keyword arguments of the form class
    options: Callable[..., dict] = _none
    #: fields "Save draft" keeps in the person's session (empty: the form has no draft)
    draft_fields: tuple[str, ...] = field(default=())
    #: the form lists the people in the review's line (``selectors.review_people``)
    needs_people: bool = False

    @property
    def label(self) -> str:
        return str(Action(self.action).label)


# --- Initial values and form options, by form --------------------------------------------------------


def _report_initial(review, recs) -> dict:
    latest = recs["report_versions"][-1] if recs["report_versions"] else None
    initial = {"text": latest.text} if latest else {}
    if review.state == ReviewState.FINALIZING:
        initial["is_final"] = True
    return initial


def _spoken_options(recs, people, data) -> dict:
    conference, attendees = recs["conference"], []
    if conference is not None:
        attendees = [a.person for a in conference.attendance.all() if a.present]
        attendees += [p for p in conference.superior_representatives.all() if p not in attendees]
    return {"attendees": attendees}


def _conference_initial(review, recs) -> dict:
    conference = recs["conference"]
    if conference is None:
        return {}
    held = timezone.localtime(conference.held_at)
    initial = {
        "held_on": held.date(),
        "held_time": held.time().replace(second=0, microsecond=0),
        "location": conference.location,
        "chair": conference.chair.username if conference.chair else "",
        "superior_representatives": [p.username for p in conference.superior_representatives.all()],
        "minutes_secretary": conference.minutes_secretary.username if conference.minutes_secretary else "",
        "minutes_approved": {True: "yes", False: "no"}.get(conference.minutes_approved, ""),
        "minutes_approval": conference.minutes_approval,
    }
    for a in conference.attendance.all():
        initial[f"present_{a.person.username}"] = a.present
        initial[f"reason_{a.person.username}"] = a.reason
    return initial


def _conference_options(recs, people, data) -> dict:
    return {"local_people": people["local"], "superior_people": people["superior"]}


def _assessment_initial(review, recs) -> dict:
    current = recs["self_assessment"]
    if current is None:
        return {}
    return {
        "proposed_rating": current.proposed_rating,
        "score": current.score,
        "triggers": list(current.triggers or []),
        "justification": current.justification,
    }


def _decision_initial(review, recs) -> dict:
    current = recs["decision"]
    if current is None:
        return {}
    initial = {
        "final_rating": current.final_rating,
        "score": current.score,
        "triggers": list(current.triggers or []),
        "reason": current.reason,
    }
    initial.update({name: (current.vote or {}).get(key) for name, key in f.VOTE_FIELDS.items()})
    return initial


def _ballot_initial(review, recs) -> dict:
    """The tally as recorded, to correct it (the form is never shown to the person reviewed)."""
    current = Ballot.objects.filter(review=review).first()
    if current is None:
        return {}
    return {**current.counts(), "counting_board": "\n".join(current.counting_board)}


def _notification_initial(review, recs) -> dict:
    current = recs["notification"]
    initial = {"notified_on": current.notified_on, "note": current.note} if current else {}
    initial.setdefault("notified_on", timezone.localdate())
    return initial


def _plan_items(recs) -> list:
    plan = recs["remedial_plan"]
    return list(plan.items.all()) if plan else []


def _plan_initial(review, recs) -> dict:
    initial = {}
    for i, item in enumerate(_plan_items(recs)):
        initial[f"item_{i}_description"] = item.description
        initial[f"item_{i}_owner"] = item.owner
        initial[f"item_{i}_due_date"] = item.due_date
    return initial


def _plan_options(recs, people, data) -> dict:
    rows = max(3, len(_plan_items(recs)) + 1)
    if data is not None:  # as many rows as were posted
        rows = max(rows, sum(1 for k in data if k.startswith("plan-item_") and k.endswith("_owner")))
    return {"rows": rows}


# --- Services and what is said on success -------------------------------------------------------------


def _add_report_version(*, review, by, data, form):
    return svc.report_version_add(
        review=review,
        by=by,
        text=data["text"],
        is_final=data.get("is_final", False),
        attachment=data.get("attachment"),
    )


def _add_opinion(*, review, by, data, form):
    return svc.opinion_add(review=review, by=by, text=data["text"], channel=data["channel"])


def _add_spoken_opinion(*, review, by, data, form):
    return svc.opinion_add(
        review=review, by=by, text=data["text"], channel="conference", author_username=data["author"]
    )


def _record_conference(*, review, by, data, form):
    return svc.conference_record(
        review=review,
        by=by,
        held_at=form.held_at(),
        location=data["location"],
        chair_username=data.get("chair") or None,
        attendees=form.attendees(),
        superior_representatives=data.get("superior_representatives", []),
        minutes_secretary_username=data.get("minutes_secretary") or None,
        minutes_approved=data.get("minutes_approved"),
        minutes_approval=data.get("minutes_approval", ""),
    )


def _add_guidance(*, review, by, data, form):
    return svc.guidance_add(review=review, by=by, text=data["text"])


def _set_self_assessment(*, review, by, data, form):
    return svc.self_assessment_set(
        review=review,
        by=by,
        proposed_rating=data["proposed_rating"],
        justification=data["justification"],
        **form.rating_values(),
    )


def _set_decision(*, review, by, data, form):
    return svc.decision_set(
        review=review,
        by=by,
        final_rating=data["final_rating"],
        reason=data["reason"],
        vote=form.vote(),
        **form.rating_values(),
    )


def _record_ballot(*, review, by, data, form):
    return ballot_record(review=review, by=by, counts=form.counts(), counting_board=form.board())


def _record_notification(*, review, by, data, form):
    return svc.notification_record(review=review, by=by, notified_on=data["notified_on"], note=data["note"])


def _set_remedial_plan(*, review, by, data, form):
    return svc.remedial_plan_set(review=review, by=by, items=form.items())


def _invite_participant(*, review, by, data, form):
    return svc.participant_invite(review=review, by=by, username=data["username"])


RECORD_FORMS: dict[str, RecordForm] = {
    "report": RecordForm(
        action=Action.ADD_REPORT_VERSION,
        form_class=f.ReportVersionForm,
        service=_add_report_version,
        success=lambda version: (
            _("Report version %(number)s added (%(label)s).") % {"number": version.number, "label": version.label}
        ),
        anchor="report",
        initial=_report_initial,
        draft_fields=("text", "is_final"),
    ),
    "opinion": RecordForm(
        action=Action.ADD_OPINION,
        form_class=f.OwnOpinionForm,
        service=_add_opinion,
        success=lambda opinion: _("Your opinion was recorded."),
        anchor="opinions",
    ),
    "spoken": RecordForm(
        action=Action.RECORD_OPINION_FOR_OTHERS,
        form_class=f.SpokenOpinionForm,
        service=_add_spoken_opinion,
        success=lambda opinion: _("The opinion of %(name)s was recorded.") % {"name": opinion.author.get_full_name()},
        anchor="opinions",
        options=_spoken_options,
    ),
    "conference": RecordForm(
        action=Action.RECORD_CONFERENCE,
        form_class=f.ConferenceForm,
        service=_record_conference,
        success=lambda conference: _("The conference was recorded."),
        anchor="conference",
        initial=_conference_initial,
        options=_conference_options,
        needs_people=True,
    ),
    "guidance": RecordForm(
        action=Action.ADD_GUIDANCE,
        form_class=f.GuidanceForm,
        service=_add_guidance,
        success=lambda guidance: _("The guidance was recorded."),
        anchor="guidance",
    ),
    "assessment": RecordForm(
        action=Action.SET_SELF_ASSESSMENT,
        form_class=f.SelfAssessmentForm,
        service=_set_self_assessment,
        success=lambda assessment: (
            _("Self-assessment submitted: proposed rating “%(rating)s”.")
            % {"rating": Rating(assessment.proposed_rating).label}
        ),
        anchor="assessment",
        initial=_assessment_initial,
        draft_fields=("proposed_rating", "score", "triggers", "justification"),
    ),
    "decision": RecordForm(
        action=Action.SET_DECISION,
        form_class=f.DecisionForm,
        service=_set_decision,
        success=lambda decision: (
            _("Final rating decided: “%(rating)s”.") % {"rating": Rating(decision.final_rating).label}
        ),
        anchor="assessment",
        initial=_decision_initial,
    ),
    "ballot": RecordForm(
        action=Action.RECORD_BALLOT,
        form_class=f.BallotForm,
        service=_record_ballot,
        success=lambda ballot: (
            _("The secret-ballot tally was recorded: %(cast)s ballots cast of %(eligible)s eligible.")
            % {"cast": ballot.cast, "eligible": ballot.eligible}
        ),
        anchor="ballot",
        initial=_ballot_initial,
    ),
    "notification": RecordForm(
        action=Action.RECORD_NOTIFICATION,
        form_class=f.NotificationForm,
        service=_record_notification,
        success=lambda notification: (
            _("The notification of results dated %(date)s was recorded.")
            % {"date": notification.notified_on.strftime("%d/%m/%Y")}
        ),
        anchor="results",
        initial=_notification_initial,
    ),
    "plan": RecordForm(
        action=Action.SET_REMEDIAL_PLAN,
        form_class=f.RemedialPlanForm,
        service=_set_remedial_plan,
        success=lambda plan: _("The remedial plan was filed (%(count)s items).") % {"count": plan.items.count()},
        anchor="results",
        initial=_plan_initial,
        options=_plan_options,
    ),
    "invite": RecordForm(
        action=Action.INVITE_PARTICIPANT,
        form_class=f.InviteForm,
        service=_invite_participant,
        success=lambda participant: (
            _("%(name)s was invited to read the draft and give an opinion.")
            % {"name": participant.person.get_full_name()}
        ),
        anchor="participants",
    ),
}

#: The anchor of the opinions, where the response forms are (they are one form per opinion, not a row above).
RESPOND_ANCHOR = "opinions"


# --- Building the forms -------------------------------------------------------------------------------


def build_record_form(key, request, review, recs, people, data=None, files=None):
    """The form of row ``key``: initial values from the records, or the person's saved draft."""
    spec = RECORD_FORMS[key]
    draft = draft_get(request, review, key) if spec.draft_fields else None
    return spec.form_class(
        review=review,
        prefix=key,
        data=data,
        files=files,
        initial=draft or spec.initial(review, recs),
        **spec.options(recs, people, data),
    )


def respond_key(opinion) -> str:
    return f"respond-{opinion.pk}"


def respond_form(review, opinion, data=None):
    """The response form of one opinion (pre-filled with its response, if any)."""
    response = opinion.response if has_related(opinion, "response") else None
    initial = {"decision": response.decision, "note": response.note} if response else {}
    return f.OpinionResponseForm(data=data, review=review, prefix=respond_key(opinion), initial=initial)
