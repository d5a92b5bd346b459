"""Records of the conference stage: the conference itself (attendance, superior representatives) and the
superior's guidance."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from permissions.roles import Action
from review_process.audit import audit_record
from review_process.errors import InvalidInput
from review_process.models import Attendance, Conference, Guidance, Review
from review_process.services.base import authorise, locked, person, require_text


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
    location = require_text(location, "location")
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


@transaction.atomic
def guidance_add(*, review: Review | int, by, text: str) -> Guidance:
    review = locked(review)
    role = authorise(review, by, Action.ADD_GUIDANCE)
    text = require_text(text, "text")
    guidance = Guidance.objects.create(review=review, given_by=by, text=text)
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.guidance.added",
        records=[guidance],
        from_state=review.state,
        to_state=review.state,
        payload={"guidance_id": guidance.pk, "text": text},
    )
    return guidance
