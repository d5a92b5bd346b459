"""The parts of the record forms' table (``web.views.record_forms.RECORD_FORMS``): each form's initial values
from what is recorded, its further options, and how it calls its service (keyword arguments only; every rule is
the service's).  ``occurred_on`` is the day the person says the event happened (``review_process.dates``)."""

from __future__ import annotations

from django.utils import timezone

from review_process.models import Ballot, ReviewState
from review_process.services import drafting
from review_process.services import records as svc
from review_process.services.individual import ballot_record
from web import forms as f
from web.views.common import has_related
from workflows import invitations

# --- Initial values and form options, by form --------------------------------------------------------


def report_initial(review, recs) -> dict:
    latest = recs["report_versions"][-1] if recs["report_versions"] else None
    initial = {"text": latest.text} if latest else {}
    if review.state == ReviewState.FINALIZING:
        initial["is_final"] = True
    return initial


def spoken_initial(review, recs) -> dict:
    """An opinion spoken at the conference is dated the conference's day."""
    conference = recs["conference"]
    return {"occurred_on": timezone.localtime(conference.held_at).date()} if conference else {}


def spoken_options(recs, people, data) -> dict:
    conference, attendees = recs["conference"], []
    if conference is not None:
        attendees = [a.person for a in conference.attendance.all() if a.present]
        attendees += [p for p in conference.superior_representatives.all() if p not in attendees]
    return {"attendees": attendees}


def conference_initial(review, recs) -> dict:
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


def conference_options(recs, people, data) -> dict:
    return {"local_people": people["local"], "superior_people": people["superior"]}


def assessment_initial(review, recs) -> dict:
    current = recs["self_assessment"]
    if current is None:
        return {}
    return {
        "proposed_rating": current.proposed_rating,
        "score": current.score,
        "triggers": list(current.triggers or []),
        "justification": current.justification,
    }


def decision_initial(review, recs) -> dict:
    current = recs["decision"]
    if current is None:
        return {}
    initial = {
        "final_rating": current.final_rating,
        "score": current.score,
        "triggers": list(current.triggers or []),
        "reason": current.reason,
        "occurred_on": current.occurred_on,
    }
    initial.update({name: (current.vote or {}).get(key) for name, key in f.VOTE_FIELDS.items()})
    return initial


def ballot_initial(review, recs) -> dict:
    """The tally as recorded, to correct it (the form is never shown to the person reviewed)."""
    current = Ballot.objects.filter(review=review).first()
    if current is None:
        return {}
    return {**current.counts(), "counting_board": "\n".join(current.counting_board)}


def notification_initial(review, recs) -> dict:
    current = recs["notification"]
    return {"notified_on": current.notified_on, "note": current.note} if current else {}


def _plan_items(recs) -> list:
    plan = recs["remedial_plan"]
    return list(plan.items.all()) if plan else []


def plan_initial(review, recs) -> dict:
    plan = recs["remedial_plan"]
    initial = {"occurred_on": plan.occurred_on} if plan else {}
    for i, item in enumerate(_plan_items(recs)):
        initial[f"item_{i}_description"] = item.description
        initial[f"item_{i}_owner"] = item.owner
        initial[f"item_{i}_due_date"] = item.due_date
    return initial


def plan_options(recs, people, data) -> dict:
    rows = max(3, len(_plan_items(recs)) + 1)
    if data is not None:  # as many rows as were posted
        rows = max(rows, sum(1 for k in data if k.startswith("plan-item_") and k.endswith("_owner")))
    return {"rows": rows}


def has_unanswered(recs) -> bool:
    """ "Accept all remaining opinions" is offered while an opinion has no response."""
    return any(not has_related(o, "response") for o in recs["opinions"])


# --- Services ---------------------------------------------------------------------------------------------


def add_report_version(*, review, by, data, form):
    return svc.report_version_add(
        review=review,
        by=by,
        text=data["text"],
        is_final=data.get("is_final", False),
        attachment=data.get("attachment"),
        occurred_on=data.get("occurred_on"),
    )


def add_opinion(*, review, by, data, form):
    return svc.opinion_add(
        review=review, by=by, text=data["text"], channel=data["channel"], occurred_on=data.get("occurred_on")
    )


def add_spoken_opinion(*, review, by, data, form):
    return svc.opinion_add(
        review=review,
        by=by,
        text=data["text"],
        channel="conference",
        author_username=data["author"],
        occurred_on=data.get("occurred_on"),
    )


def record_conference(*, review, by, data, form):
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


def add_guidance(*, review, by, data, form):
    return svc.guidance_add(review=review, by=by, text=data["text"], occurred_on=data.get("occurred_on"))


def set_self_assessment(*, review, by, data, form):
    return svc.self_assessment_set(
        review=review,
        by=by,
        proposed_rating=data["proposed_rating"],
        justification=data["justification"],
        **form.rating_values(),
    )


def set_decision(*, review, by, data, form):
    return svc.decision_set(
        review=review,
        by=by,
        final_rating=data["final_rating"],
        reason=data["reason"],
        vote=form.vote(),
        occurred_on=data.get("occurred_on"),
        **form.rating_values(),
    )


def record_ballot(*, review, by, data, form):
    return ballot_record(review=review, by=by, counts=form.counts(), counting_board=form.board())


def record_notification(*, review, by, data, form):
    return svc.notification_record(review=review, by=by, notified_on=data["notified_on"], note=data["note"])


def set_remedial_plan(*, review, by, data, form):
    return svc.remedial_plan_set(review=review, by=by, items=form.items(), occurred_on=data.get("occurred_on"))


def invite_participant(*, review, by, data, form):
    return invitations.participant_invite(review=review, by=by, username=data["username"])


def accept_all(*, review, by, data, form):
    return drafting.opinions_accept_all(review=review, by=by, note=data["note"], occurred_on=data.get("occurred_on"))
