"""Writes to the records a review's stages produce. Each: authorise, lock, change, audit — in one transaction."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.grants import sync_object_grants
from permissions.models import User
from permissions.roles import Action
from review_process.access import forget_review_perms, may, may_view
from review_process.audit import audit_record
from review_process.errors import Conflict, Forbidden, InvalidInput, NotFound
from review_process.models import (
    Attendance,
    Conference,
    Decision,
    Guidance,
    Notification,
    Opinion,
    OpinionChannel,
    OpinionResponse,
    Rating,
    RemedialItem,
    RemedialPlan,
    ReportVersion,
    ResponseDecision,
    Review,
    ReviewParticipant,
    ReviewState,
    SelfAssessment,
)
from review_process.selectors import ReviewGrantTarget, acting_role

S = ReviewState
RECORD_STATES: dict[str, tuple[str, ...]] = {
    Action.ADD_REPORT_VERSION: (S.DRAFT, S.COLLECTING_OPINIONS, S.AWAITING_GUIDANCE, S.FINALIZING),
    Action.INVITE_PARTICIPANT: (S.DRAFT, S.COLLECTING_OPINIONS),
    Action.ADD_OPINION: (S.COLLECTING_OPINIONS,),
    Action.RECORD_OPINION_FOR_OTHERS: (S.COLLECTING_OPINIONS,),
    Action.RESPOND_OPINION: (S.COLLECTING_OPINIONS, S.AWAITING_GUIDANCE, S.FINALIZING),
    Action.RECORD_CONFERENCE: (S.COLLECTING_OPINIONS, S.AWAITING_GUIDANCE),
    Action.ADD_GUIDANCE: (S.COLLECTING_OPINIONS, S.AWAITING_GUIDANCE),
    Action.SET_SELF_ASSESSMENT: (S.FINALIZING,),
    Action.SET_DECISION: (S.SUBMITTED,),
    Action.RECORD_NOTIFICATION: (S.APPROVED,),
    Action.SET_REMEDIAL_PLAN: (S.APPROVED,),
}

NOT_AT_THIS_STAGE = _("“%(action)s” is not possible while the review is at the stage “%(state)s”.")
TEXT_REQUIRED = _("This field may not be blank.")
UNKNOWN_PERSON = _("No person with the username “%(username)s”.")
ATTACHMENT_TOO_LARGE = _("The attachment is larger than %(mb)s MB.")


def _locked(review: Review | int) -> Review:
    pk = review.pk if isinstance(review, Review) else review
    return Review.objects.select_for_update().select_related("organization").get(pk=pk)


def _authorise(review: Review, by, action: str) -> str:
    """Return the acting role, or raise NotFound / Forbidden / Conflict."""
    if not may_view(by, review):
        raise NotFound()
    if not may(by, review, action):
        raise Forbidden()
    if review.state not in RECORD_STATES[action]:
        raise Conflict(
            NOT_AT_THIS_STAGE,
            code="invalid_state",
            params={"action": Action(action).label, "state": ReviewState(review.state).label},
        )
    return acting_role(user=by, review=review, action=action)


def _require_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(TEXT_REQUIRED, code="blank", field=field)
    return value


def _person(username: str, field: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput(UNKNOWN_PERSON, code="unknown_person", field=field, params={"username": username})
    return user


@transaction.atomic
def report_version_add(
    *, review: Review | int, by, text: str, is_final: bool = False, attachment=None
) -> ReportVersion:
    review = _locked(review)
    role = _authorise(review, by, Action.ADD_REPORT_VERSION)
    text = _require_text(text, "text")
    digest = ""
    if attachment is not None:
        if attachment.size > settings.REVIEW_ATTACHMENT_MAX_BYTES:
            raise InvalidInput(
                ATTACHMENT_TOO_LARGE,
                code="attachment_too_large",
                field="attachment",
                params={"mb": settings.REVIEW_ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            )
        sha = hashlib.sha256()
        for chunk in attachment.chunks():
            sha.update(chunk)
        digest = sha.hexdigest()
    number = (review.report_versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ReportVersion(review=review, number=number, text=text, is_final=bool(is_final), created_by=by)
    if attachment is not None:
        version.attachment_sha256 = digest
        version.attachment.save(attachment.name, attachment, save=False)
    version.save()
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.report_version.added",
        from_state=review.state,
        to_state=review.state,
        payload={
            "version_id": version.pk,
            "number": number,
            "is_final": version.is_final,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "attachment_sha256": digest,
        },
    )
    return version


@transaction.atomic
def participant_invite(*, review: Review | int, by, username: str) -> ReviewParticipant:
    review = _locked(review)
    role = _authorise(review, by, Action.INVITE_PARTICIPANT)
    person = _person(username, "person")
    participant, created = ReviewParticipant.objects.get_or_create(
        review=review, person=person, defaults={"invited_by": by}
    )
    if created:
        sync_object_grants(ReviewGrantTarget(), review, only_user_ids=[person.pk])
        forget_review_perms(review)
        audit_record(
            review=review,
            actor=by,
            role=role,
            action="review.participant.invited",
            from_state=review.state,
            to_state=review.state,
            payload={"person": person.username},
        )
    return participant


@transaction.atomic
def opinion_add(*, review: Review | int, by, text: str, channel: str, author_username: str | None = None) -> Opinion:
    """Record an opinion. The author is the caller, unless a secretary records what an attendee said."""
    review = _locked(review)
    if channel not in OpinionChannel.values:
        raise InvalidInput(_("Unknown channel."), code="invalid_channel", field="channel")
    text = _require_text(text, "text")
    if author_username and author_username != by.username:
        role = _authorise(review, by, Action.RECORD_OPINION_FOR_OTHERS)
        author = _person(author_username, "author")
        if channel != OpinionChannel.CONFERENCE:
            raise InvalidInput(
                _("Only opinions spoken at the conference can be recorded on someone's behalf."),
                code="written_needs_author",
                field="channel",
            )
        conference = Conference.objects.filter(review=review).first()
        attended = conference is not None and (
            conference.attendance.filter(person=author, present=True).exists()
            or conference.superior_representatives.filter(pk=author.pk).exists()
        )
        if not attended:
            raise InvalidInput(
                _("%(name)s is not recorded as present at the conference."),
                code="author_not_attendee",
                field="author",
                params={"name": author.get_full_name()},
            )
    else:
        role = _authorise(review, by, Action.ADD_OPINION)
        author = by
    opinion = Opinion.objects.create(review=review, author=author, recorded_by=by, channel=channel, text=text)
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.opinion.added",
        from_state=review.state,
        to_state=review.state,
        payload={"opinion_id": opinion.pk, "author": author.username, "channel": channel, "text": text},
    )
    return opinion


@transaction.atomic
def opinion_respond(*, review: Review | int, by, opinion_id: int, decision: str, note: str = "") -> OpinionResponse:
    review = _locked(review)
    role = _authorise(review, by, Action.RESPOND_OPINION)
    opinion = Opinion.objects.filter(review=review, pk=opinion_id).first()
    if opinion is None:
        raise NotFound(_("Opinion not found."), code="opinion_not_found")
    if decision not in ResponseDecision.values:
        raise InvalidInput(_("Choose “accepted” or “explained”."), code="invalid_decision", field="decision")
    note = (note or "").strip()
    if decision == ResponseDecision.EXPLAINED and not note:
        raise InvalidInput(_("An explanation is required."), code="blank", field="note")
    response, _created = OpinionResponse.objects.update_or_create(
        opinion=opinion,
        defaults={"decision": decision, "note": note, "responded_by": by, "responded_at": timezone.now()},
    )
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.opinion.responded",
        from_state=review.state,
        to_state=review.state,
        payload={"opinion_id": opinion.pk, "decision": decision, "note": note},
    )
    return response


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
) -> Conference:
    """Record (or correct) the conference: when, where, who chaired, who attended, who came from above."""
    review = _locked(review)
    role = _authorise(review, by, Action.RECORD_CONFERENCE)
    location = _require_text(location, "location")
    chair = _person(chair_username, "chair") if chair_username else None
    rows = []
    seen = set()
    for i, item in enumerate(attendees):
        person = _person(item.get("person", ""), f"attendees[{i}].person")
        if person.pk in seen:
            raise InvalidInput(_("A person is listed twice."), code="duplicate", field=f"attendees[{i}].person")
        seen.add(person.pk)
        present = bool(item.get("present", True))
        reason = (item.get("reason") or "").strip()
        if not present and not reason:
            raise InvalidInput(_("Give the reason for the absence."), code="blank", field=f"attendees[{i}].reason")
        rows.append((person, present, reason))
    representatives = [_person(u, f"superior_representatives[{i}]") for i, u in enumerate(superior_representatives)]
    conference, created = Conference.objects.update_or_create(
        review=review, defaults={"held_at": held_at, "location": location, "chair": chair, "recorded_by": by}
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
        from_state=review.state,
        to_state=review.state,
        payload={
            "held_at": held_at.isoformat(),
            "location": location,
            "chair": chair.username if chair else None,
            "attendees": [{"person": p.username, "present": pr, "reason": r} for p, pr, r in rows],
            "superior_representatives": [u.username for u in representatives],
        },
    )
    return conference


@transaction.atomic
def guidance_add(*, review: Review | int, by, text: str) -> Guidance:
    review = _locked(review)
    role = _authorise(review, by, Action.ADD_GUIDANCE)
    text = _require_text(text, "text")
    guidance = Guidance.objects.create(review=review, given_by=by, text=text)
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.guidance.added",
        from_state=review.state,
        to_state=review.state,
        payload={"guidance_id": guidance.pk, "text": text},
    )
    return guidance


def _rating(value: str, field: str) -> str:
    if value not in Rating.values:
        raise InvalidInput(
            _("Choose one of: excellent, good, complete, not_complete."), code="invalid_rating", field=field
        )
    return value


@transaction.atomic
def self_assessment_set(*, review: Review | int, by, proposed_rating: str, justification: str = "") -> SelfAssessment:
    review = _locked(review)
    role = _authorise(review, by, Action.SET_SELF_ASSESSMENT)
    proposed_rating = _rating(proposed_rating, "proposed_rating")
    assessment, _created = SelfAssessment.objects.update_or_create(
        review=review,
        defaults={
            "proposed_rating": proposed_rating,
            "justification": (justification or "").strip(),
            "set_by": by,
            "updated_at": timezone.now(),
        },
    )
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.self_assessment.set",
        from_state=review.state,
        to_state=review.state,
        payload={"proposed_rating": proposed_rating, "justification": assessment.justification},
    )
    return assessment


@transaction.atomic
def decision_set(*, review: Review | int, by, final_rating: str) -> Decision:
    review = _locked(review)
    role = _authorise(review, by, Action.SET_DECISION)
    final_rating = _rating(final_rating, "final_rating")
    decision, _created = Decision.objects.update_or_create(
        review=review, defaults={"final_rating": final_rating, "decided_by": by, "decided_at": timezone.now()}
    )
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.decision.set",
        from_state=review.state,
        to_state=review.state,
        payload={"final_rating": final_rating},
    )
    return decision


@transaction.atomic
def notification_record(*, review: Review | int, by, notified_on: datetime.date, note: str = "") -> Notification:
    review = _locked(review)
    role = _authorise(review, by, Action.RECORD_NOTIFICATION)
    if notified_on > timezone.localdate():
        raise InvalidInput(_("The notification cannot be dated in the future."), code="in_future", field="notified_on")
    if review.approved_at and notified_on < timezone.localtime(review.approved_at).date():
        raise InvalidInput(
            _("The notification cannot be dated before the approval."), code="before_approval", field="notified_on"
        )
    notification, _created = Notification.objects.update_or_create(
        review=review,
        defaults={"notified_on": notified_on, "note": (note or "").strip(), "recorded_by": by},
    )
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.notification.recorded",
        from_state=review.state,
        to_state=review.state,
        payload={"notified_on": notified_on.isoformat(), "note": notification.note},
    )
    return notification


@transaction.atomic
def remedial_plan_set(*, review: Review | int, by, items: list[dict]) -> RemedialPlan:
    """File (or replace) the remedial plan: items of (description, owner, due_date)."""
    review = _locked(review)
    role = _authorise(review, by, Action.SET_REMEDIAL_PLAN)
    if not items:
        raise InvalidInput(_("Add at least one item."), code="blank", field="items")
    clean = []
    for i, item in enumerate(items):
        description = _require_text(item.get("description", ""), f"items[{i}].description")
        owner = _require_text(item.get("owner", ""), f"items[{i}].owner")
        due = item.get("due_date")
        if not isinstance(due, datetime.date):
            raise InvalidInput(_("Give a due date."), code="blank", field=f"items[{i}].due_date")
        clean.append((description, owner, due))
    plan, _created = RemedialPlan.objects.update_or_create(
        review=review, defaults={"filed_by": by, "updated_at": timezone.now()}
    )
    plan.items.all().delete()
    RemedialItem.objects.bulk_create(
        [RemedialItem(plan=plan, description=d, owner=o, due_date=due) for d, o, due in clean]
    )
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.remedial_plan.filed",
        from_state=review.state,
        to_state=review.state,
        payload={"items": [{"description": d, "owner": o, "due_date": due.isoformat()} for d, o, due in clean]},
    )
    return plan
