"""The record forms of the review page, as one table: ``RECORD_FORMS[key] = RecordForm(...)``.

Each row says which record action the form takes (``permissions.roles.Action``), its form class, how its
initial values are read from the review's records, which service it calls, what is said on success and where
the page scrolls to afterwards (``web.views.record_parts`` has the functions).  The key is the form's prefix and
the value of the ``key`` URL kwarg that routes the one generic POST view (``web.views.records.record_post``) to
its row.

Whether a form is shown is not decided here: the review page shows a row's form when
``review_process.availability`` allows its action (and, for a row with ``shown``, when the records call for it:
"accept all remaining opinions" only while one is unanswered).  Every rule is the service's.  Whether filing a
record again replaces it or adds another is ``review_process.machine.RECORD_MODE`` (``RecordForm.mode``), which
the form says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from permissions.roles import Action
from review_process import machine
from review_process.models import Rating
from web import forms as f
from web.views import record_parts as parts
from web.views.common import draft_get, has_related

NO_PEOPLE = {"local": [], "superior": []}
REPLACES, ADDS = "replace", "add"


def _none(*args, **kwargs) -> dict:
    return {}


def _always(recs) -> bool:
    return True


def record_mode(action: str) -> str:
    """``replace`` (filing again replaces the record) or ``add`` (each filing adds one), as the machine says."""
    return machine.RECORD_MODE.get(action, ADDS)


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
    #: ``shown(records)``: do the records call for this form (besides the action being allowed)?
    shown: Callable[[dict], bool] = _always

    @property
    def label(self) -> str:
        return str(Action(self.action).label)

    @property
    def mode(self) -> str:
        return record_mode(self.action)


RECORD_FORMS: dict[str, RecordForm] = {
    "report": RecordForm(
        action=Action.ADD_REPORT_VERSION,
        form_class=f.ReportVersionForm,
        service=parts.add_report_version,
        success=lambda version: (
            _("Report version %(number)s added (%(label)s).") % {"number": version.number, "label": version.label}
        ),
        anchor="report",
        initial=parts.report_initial,
        draft_fields=("text", "is_final"),
    ),
    "opinion": RecordForm(
        action=Action.ADD_OPINION,
        form_class=f.OwnOpinionForm,
        service=parts.add_opinion,
        success=lambda opinion: _("Your opinion was recorded."),
        anchor="opinions",
    ),
    "spoken": RecordForm(
        action=Action.RECORD_OPINION_FOR_OTHERS,
        form_class=f.SpokenOpinionForm,
        service=parts.add_spoken_opinion,
        success=lambda opinion: _("The opinion of %(name)s was recorded.") % {"name": opinion.author.get_full_name()},
        anchor="opinions",
        initial=parts.spoken_initial,
        options=parts.spoken_options,
    ),
    "acceptall": RecordForm(
        action=Action.RESPOND_OPINION,
        form_class=f.AcceptAllForm,
        service=parts.accept_all,
        success=lambda count: (
            ngettext("%(count)s opinion was accepted.", "%(count)s opinions were accepted.", count) % {"count": count}
        ),
        anchor="opinions",
        shown=parts.has_unanswered,
    ),
    "conference": RecordForm(
        action=Action.RECORD_CONFERENCE,
        form_class=f.ConferenceForm,
        service=parts.record_conference,
        success=lambda conference: _("The conference was recorded."),
        anchor="conference",
        initial=parts.conference_initial,
        options=parts.conference_options,
        needs_people=True,
    ),
    "guidance": RecordForm(
        action=Action.ADD_GUIDANCE,
        form_class=f.GuidanceForm,
        service=parts.add_guidance,
        success=lambda guidance: _("The guidance was recorded."),
        anchor="guidance",
    ),
    "assessment": RecordForm(
        action=Action.SET_SELF_ASSESSMENT,
        form_class=f.SelfAssessmentForm,
        service=parts.set_self_assessment,
        success=lambda assessment: (
            _("Self-assessment submitted: proposed rating “%(rating)s”.")
            % {"rating": Rating(assessment.proposed_rating).label}
        ),
        anchor="assessment",
        initial=parts.assessment_initial,
        draft_fields=("proposed_rating", "score", "triggers", "justification"),
    ),
    "decision": RecordForm(
        action=Action.SET_DECISION,
        form_class=f.DecisionForm,
        service=parts.set_decision,
        success=lambda decision: (
            _("Final rating decided: “%(rating)s”.") % {"rating": Rating(decision.final_rating).label}
        ),
        anchor="assessment",
        initial=parts.decision_initial,
    ),
    "ballot": RecordForm(
        action=Action.RECORD_BALLOT,
        form_class=f.BallotForm,
        service=parts.record_ballot,
        success=lambda ballot: (
            _("The secret-ballot tally was recorded: %(cast)s ballots cast of %(eligible)s eligible.")
            % {"cast": ballot.cast, "eligible": ballot.eligible}
        ),
        anchor="ballot",
        initial=parts.ballot_initial,
    ),
    "notification": RecordForm(
        action=Action.RECORD_NOTIFICATION,
        form_class=f.NotificationForm,
        service=parts.record_notification,
        success=lambda notification: (
            _("The notification of results dated %(date)s was recorded.")
            % {"date": notification.notified_on.strftime("%d/%m/%Y")}
        ),
        anchor="results",
        initial=parts.notification_initial,
    ),
    "plan": RecordForm(
        action=Action.SET_REMEDIAL_PLAN,
        form_class=f.RemedialPlanForm,
        service=parts.set_remedial_plan,
        success=lambda plan: _("The remedial plan was filed (%(count)s items).") % {"count": plan.items.count()},
        anchor="results",
        initial=parts.plan_initial,
        options=parts.plan_options,
    ),
    "invite": RecordForm(
        action=Action.INVITE_PARTICIPANT,
        form_class=f.InviteForm,
        service=parts.invite_participant,
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


def build_record_form(key, request, review, recs, people, data=None, files=None, extra=None):
    """The form of row ``key``: initial values from the records, or the person's saved draft; ``extra``: further
    keyword arguments of the form class (the invite form's candidates)."""
    spec = RECORD_FORMS[key]
    draft = draft_get(request, review, key) if spec.draft_fields else None
    return spec.form_class(
        review=review,
        prefix=key,
        data=data,
        files=files,
        initial=draft or spec.initial(review, recs),
        **spec.options(recs, people, data),
        **(extra or {}),
    )


def respond_key(opinion) -> str:
    return f"respond-{opinion.pk}"


def respond_form(review, opinion, data=None):
    """The response form of one opinion (pre-filled with its response, if any)."""
    response = opinion.response if has_related(opinion, "response") else None
    initial = (
        {"decision": response.decision, "note": response.note, "occurred_on": response.occurred_on} if response else {}
    )
    return f.OpinionResponseForm(data=data, review=review, prefix=respond_key(opinion), initial=initial)


# --- Corrections: one form per record corrected (guidance until it is confirmed, invitations) -----------------


def guidance_edit_key(guidance) -> str:
    return f"guidance-{guidance.pk}"


def guidance_withdraw_key(guidance) -> str:
    return f"gwithdraw-{guidance.pk}"


def revoke_key(participant) -> str:
    return f"revoke-{participant.pk}"


def guidance_edit_form(review, guidance, data=None):
    """Correct a guidance (its text and day), pre-filled with what is recorded."""
    initial = {"text": guidance.text, "occurred_on": guidance.occurred_on}
    return f.GuidanceForm(data=data, review=review, prefix=guidance_edit_key(guidance), initial=initial)


def guidance_withdraw_form(review, guidance, data=None):
    return f.GuidanceWithdrawForm(data=data, review=review, prefix=guidance_withdraw_key(guidance))


def revoke_form(review, participant, data=None):
    return f.RevokeForm(data=data, review=review, prefix=revoke_key(participant))
