"""Records of the conference stage: the conference itself (attendance, superior representatives) and the
superior's guidance.

The conference is dated by ``held_at`` (never in the future, after the circulation of the draft, not before an
opinion already recorded); guidance by ``occurred_on`` (on or after the conference). Guidance is a record that
adds (``machine.RECORD_MODE``): each is its own row, which its author may correct (``guidance_update``) or
withdraw (``guidance_withdraw``, the row stays) until it is confirmed by ``give_guidance``.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.roles import Action
from review_process import machine
from review_process.audit import audit_record
from review_process.availability import record_verdict
from review_process.errors import Conflict, Forbidden, InvalidInput, NotFound
from review_process.grants import acting_role
from review_process.models import Attendance, Conference, Guidance, Review, ReviewState
from review_process.services.base import authorise, dated, locked, person, require_text

GUIDANCE_NOT_FOUND = _("Guidance not found.")
GUIDANCE_CONFIRMED = _("The guidance has been confirmed: it can no longer be corrected or withdrawn.")
GUIDANCE_WITHDRAWN = _("This guidance has been withdrawn.")
NOT_AUTHOR = _("Only the person who gave this guidance may correct or withdraw it.")


@transaction.atomic
def conference_record(
    *,
    review: Review | int,
    by,
    held_at: datetime.datetime,
    location: str,
    chair_username: str | None,
    attendees: list[dict],
    superior_representatives: list[str],
    minutes_secretary_username: str | None = None,
    minutes_approved: bool | None = None,
    minutes_approval: str = "",
) -> Conference:
    """Record (or correct) the conference: when, where, who chaired, who attended, who came from above, and what
    the minutes may say about themselves (who kept them; whether and how they were approved). What is not
    given stays blank: the minutes never invent it."""
    review = locked(review)
    role = authorise(review, by, Action.RECORD_CONFERENCE)
    location = require_text(location, "location", limit="location")
    dated(review, "conference", conference_day_of(held_at), field="held_at")
    chair = person(chair_username, "chair") if chair_username else None
    rows = []
    seen = set()
    for i, item in enumerate(attendees):
        attendee = person(item.get("person", ""), f"attendees[{i}].person")
        if attendee.pk in seen:
            raise InvalidInput(_("A person is listed twice."), code="duplicate", field=f"attendees[{i}].person")
        seen.add(attendee.pk)
        present = bool(item.get("present", True))
        reason = (item.get("reason") or "").strip()
        if not present and not reason:
            raise InvalidInput(_("Give the reason for the absence."), code="blank", field=f"attendees[{i}].reason")
        rows.append((attendee, present, reason))
    representatives = [person(u, f"superior_representatives[{i}]") for i, u in enumerate(superior_representatives)]
    secretary = person(minutes_secretary_username, "minutes_secretary") if minutes_secretary_username else None
    minutes_approval = (minutes_approval or "").strip()
    if minutes_approval and minutes_approved is not True:
        raise InvalidInput(
            _("Say how the minutes were approved only when they were approved."),
            code="invalid",
            field="minutes_approval",
        )
    conference, created = Conference.objects.update_or_create(
        review=review,
        defaults={
            "held_at": held_at,
            "location": location,
            "chair": chair,
            "minutes_secretary": secretary,
            "minutes_approved": minutes_approved,
            "minutes_approval": minutes_approval,
            "recorded_by": by,
        },
    )
    conference.attendance.all().delete()
    Attendance.objects.bulk_create(
        [Attendance(conference=conference, person=p, present=present, reason=reason) for p, present, reason in rows]
    )
    conference.superior_representatives.set(representatives)
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.conference.recorded" if created else "review.conference.corrected",
        records=[conference],
        from_state=review.state,
        to_state=review.state,
        payload={
            "held_at": held_at.isoformat(),
            "occurred_on": conference_day_of(held_at).isoformat(),
            "location": location,
            "chair": chair.username if chair else None,
            "attendees": [{"person": p.username, "present": pr, "reason": r} for p, pr, r in rows],
            "superior_representatives": [u.username for u in representatives],
            "minutes_secretary": secretary.username if secretary else None,
            "minutes_approved": minutes_approved,
            "minutes_approval": minutes_approval,
        },
    )
    return conference


def conference_day_of(held_at: datetime.datetime) -> datetime.date:
    """The local day of a conference's ``held_at`` (a naive value is read as local time)."""
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    return timezone.localtime(held_at).date()


@transaction.atomic
def guidance_add(*, review: Review | int, by, text: str, occurred_on: datetime.date | None = None) -> Guidance:
    review = locked(review)
    role = authorise(review, by, Action.ADD_GUIDANCE)
    text = require_text(text, "text", limit="guidance_text")
    day = dated(review, "guidance", occurred_on)
    guidance = Guidance.objects.create(review=review, given_by=by, text=text, occurred_on=day)
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.guidance.added",
        records=[guidance],
        from_state=review.state,
        to_state=review.state,
        payload={"guidance_id": guidance.pk, "text": text, "occurred_on": day.isoformat()},
    )
    return guidance


def _correctable(review: Review, by, guidance: Guidance | int) -> tuple[Guidance, str]:
    """The guidance ``by`` may still correct, and the role they act under; else 404 / 403 ``not_author`` / 409
    ``guidance_confirmed`` (the review has gone past ``give_guidance``) or ``guidance_withdrawn``."""
    pk = guidance.pk if isinstance(guidance, Guidance) else guidance
    verdict = record_verdict(by, review, Action.ADD_GUIDANCE)
    if verdict.status == 404:
        verdict.raise_if_refused()
    found = Guidance.objects.filter(review=review, pk=pk).first()
    if found is None:
        raise NotFound(GUIDANCE_NOT_FOUND, code="guidance_not_found")
    if found.given_by_id != by.pk:
        raise Forbidden(NOT_AUTHOR, code="not_author")
    confirmed = review.state in machine.STAGE_ORDER and machine.STAGE_ORDER.index(
        review.state
    ) > machine.STAGE_ORDER.index(ReviewState.AWAITING_GUIDANCE)
    if confirmed:
        raise Conflict(GUIDANCE_CONFIRMED, code="guidance_confirmed")
    verdict.raise_if_refused()
    if found.withdrawn_at is not None:
        raise Conflict(GUIDANCE_WITHDRAWN, code="guidance_withdrawn")
    return found, acting_role(user=by, review=review, action=Action.ADD_GUIDANCE)


@transaction.atomic
def guidance_update(*, guidance: Guidance, by, text: str, occurred_on: datetime.date | None = None) -> Guidance:
    """Correct the text (and the day) of one's own guidance until it is confirmed; one audit event."""
    review = locked(guidance.review_id)
    guidance, role = _correctable(review, by, guidance)
    text = require_text(text, "text", limit="guidance_text")
    day = dated(review, "guidance", occurred_on or guidance.occurred_on)
    before = {"text": guidance.text, "occurred_on": guidance.occurred_on.isoformat()}
    guidance.text, guidance.occurred_on = text, day
    guidance.save(update_fields=["text", "occurred_on"])
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.guidance.corrected",
        records=[guidance],
        from_state=review.state,
        to_state=review.state,
        payload={"guidance_id": guidance.pk, "text": text, "occurred_on": day.isoformat(), "before": before},
    )
    return guidance


@transaction.atomic
def guidance_withdraw(*, guidance: Guidance, by, reason: str) -> Guidance:
    """Withdraw one's own guidance until it is confirmed: the row stays, it no longer counts; one audit event."""
    review = locked(guidance.review_id)
    guidance, role = _correctable(review, by, guidance)
    reason = require_text(reason, "reason", limit="reason")
    guidance.withdrawn_at, guidance.withdrawn_by, guidance.withdraw_reason = timezone.now(), by, reason
    guidance.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.guidance.withdrawn",
        records=[guidance],
        from_state=review.state,
        to_state=review.state,
        payload={"guidance_id": guidance.pk, "reason": reason},
    )
    return guidance
