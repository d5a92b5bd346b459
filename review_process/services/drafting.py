"""Records of the first stages: report versions, invited participants, opinions and the responses to them.

Each record carries the day it happened (``occurred_on``, default today; a spoken opinion defaults to the day of
the conference), checked by ``review_process.dates``; texts are limited by ``review_process.limits``. Corrections
(a participant's invitation revoked, every remaining opinion accepted at once) are audit events like any write.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.grants import sync_object_grants
from permissions.roles import Action
from review_process.access import forget_review_perms
from review_process.attachments import accept_upload
from review_process.audit import audit_record
from review_process.dates import conference_day
from review_process.errors import Conflict, InvalidInput, NotFound
from review_process.grants import ReviewGrantTarget
from review_process.models import (
    Conference,
    Opinion,
    OpinionChannel,
    OpinionResponse,
    ReportVersion,
    ResponseDecision,
    Review,
    ReviewKind,
    ReviewParticipant,
    ReviewState,
)
from review_process.services.base import authorise, dated, limit_text, locked, person, require_text

PARTICIPANT_NOT_FOUND = _("This person is not invited to the review.")
ALREADY_REVOKED = _("This invitation has already been revoked.")


def _version_event(review: Review, is_final: bool) -> str:
    """What a new report version dates: the final report, the draft (before circulation), or a revision."""
    if is_final:
        return "final_report"
    return "draft" if review.state == ReviewState.DRAFT else "revision"


@transaction.atomic
def report_version_add(
    *,
    review: Review | int,
    by,
    text: str,
    is_final: bool = False,
    attachment=None,
    occurred_on: datetime.date | None = None,
) -> ReportVersion:
    review = locked(review)
    role = authorise(review, by, Action.ADD_REPORT_VERSION)
    text = require_text(text, "text", limit="report_text")
    day = dated(review, _version_event(review, bool(is_final)), occurred_on)
    # Checked before anything is written: the type by content, the size while reading (review_process.attachments).
    checked = accept_upload(attachment) if attachment is not None else None
    digest = checked.sha256 if checked is not None else ""
    number = (review.report_versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ReportVersion(
        review=review, number=number, text=text, is_final=bool(is_final), created_by=by, occurred_on=day
    )
    if checked is not None:
        version.attachment_sha256 = digest
        try:
            version.attachment.save(checked.name, checked.as_file(), save=False)
        finally:
            checked.close()
    version.save()
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.report_version.added",
        records=[version],
        from_state=review.state,
        to_state=review.state,
        payload={
            "version_id": version.pk,
            "number": number,
            "is_final": version.is_final,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "attachment_sha256": digest,
            "occurred_on": day.isoformat(),
        },
    )
    return version


@transaction.atomic
def participant_invite(*, review: Review | int, by, username: str) -> ReviewParticipant:
    """Invite a person (their participant's access is granted at once); inviting a revoked participant again
    restores the invitation."""
    review = locked(review)
    role = authorise(review, by, Action.INVITE_PARTICIPANT)
    invitee = person(username, "person")
    participant, created = ReviewParticipant.objects.get_or_create(
        review=review, person=invitee, defaults={"invited_by": by}
    )
    restored = not created and participant.revoked_at is not None
    if restored:
        participant.revoked_at, participant.revoked_by, participant.revoke_reason = None, None, ""
        participant.invited_by, participant.invited_at = by, timezone.now()
        participant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "invited_by", "invited_at"])
    if created or restored:
        _sync_participant(review, invitee.pk)
        audit_record(
            review=review,
            actor=by,
            role=role,
            action="review.participant.invited",
            records=[participant],
            from_state=review.state,
            to_state=review.state,
            payload={"person": invitee.username, **({"restored": True} if restored else {})},
        )
    return participant


def _sync_participant(review: Review, person_id: int) -> None:
    sync_object_grants(ReviewGrantTarget(), review, only_user_ids=[person_id])
    forget_review_perms(review)


@transaction.atomic
def participant_revoke(
    *, review: Review | int, by, participant: ReviewParticipant | int, reason: str = ""
) -> ReviewParticipant:
    """Revoke an invitation: the row stays (``revoked_at``, ``revoked_by``), the participant's access goes (the
    grants are derived again; whoever acted on the review keeps read access as a past actor)."""
    review = locked(review)
    role = authorise(review, by, Action.INVITE_PARTICIPANT)
    pk = participant.pk if isinstance(participant, ReviewParticipant) else participant
    participant = ReviewParticipant.objects.filter(review=review, pk=pk).select_related("person").first()
    if participant is None:
        raise NotFound(PARTICIPANT_NOT_FOUND, code="participant_not_found")
    if participant.revoked_at is not None:
        raise Conflict(ALREADY_REVOKED, code="already_revoked")
    reason = limit_text(reason, "reason", limit="reason")
    participant.revoked_at, participant.revoked_by, participant.revoke_reason = timezone.now(), by, reason
    participant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    _sync_participant(review, participant.person_id)
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.participant.revoked",
        records=[participant],
        from_state=review.state,
        to_state=review.state,
        payload={"person": participant.person.username, "reason": reason},
    )
    return participant


@transaction.atomic
def opinion_add(
    *,
    review: Review | int,
    by,
    text: str,
    channel: str,
    author_username: str | None = None,
    occurred_on: datetime.date | None = None,
) -> Opinion:
    """Record an opinion. The author is the caller, unless a secretary records what an attendee said.

    Dated between the circulation of the draft and the conference; one spoken at the conference is dated the
    conference's day unless said otherwise."""
    review = locked(review)
    if channel not in OpinionChannel.values:
        raise InvalidInput(_("Unknown channel."), code="invalid_channel", field="channel")
    if channel == OpinionChannel.RESIDENCE and review.kind != ReviewKind.INDIVIDUAL:
        # The residence party committee comments on a leader (QĐ 89 III.2.2), not on a collective.
        raise InvalidInput(
            _("The residence committee's comment belongs to an individual review."),
            code="invalid_channel",
            field="channel",
        )
    text = require_text(text, "text", limit="opinion_text")
    if author_username and author_username != by.username:
        role = authorise(review, by, Action.RECORD_OPINION_FOR_OTHERS)
        author = person(author_username, "author")
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
        role = authorise(review, by, Action.ADD_OPINION)
        author = by
    if occurred_on is None and channel == OpinionChannel.CONFERENCE:
        occurred_on = conference_day(Conference.objects.filter(review=review).first())
    day = dated(review, "opinion", occurred_on)
    opinion = Opinion.objects.create(
        review=review, author=author, recorded_by=by, channel=channel, text=text, occurred_on=day
    )
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.opinion.added",
        records=[opinion],
        from_state=review.state,
        to_state=review.state,
        payload={
            "opinion_id": opinion.pk,
            "author": author.username,
            "channel": channel,
            "text": text,
            "occurred_on": day.isoformat(),
        },
    )
    return opinion


#: The code of the refusal when the response the caller meant to give is no longer the one to give (the same as
#: ``workflows.services.SOMEONE_ELSE_ACTED``, which this layer may not import).
SOMEONE_ELSE_ACTED = "someone_else_acted"
SOMEONE_ELSE_RESPONDED = _(
    "Someone else responded to this opinion at the same moment. Nothing was saved: check the response now recorded."
)


@transaction.atomic
def opinion_respond(
    *,
    review: Review | int,
    by,
    opinion_id: int,
    decision: str,
    note: str = "",
    correction: bool | None = None,
    occurred_on: datetime.date | None = None,
) -> OpinionResponse:
    """Record the response to an opinion, or change it; one row per opinion, one audit event per change.

    Runs under the review's row lock, so concurrent responses to one opinion are taken one after the other and
    each sees the response the previous one recorded.  ``correction`` is what the caller saw:

    * ``False``: the opinion was unanswered. If a response is recorded by now, someone else acted: 409
      ``someone_else_acted``, nothing written.
    * ``True``: the caller changes the recorded response on purpose (or gives the first one).
    * ``None`` (not said): a response identical to the recorded one duplicates someone else's (409
      ``someone_else_acted``, no second audit event); a different one changes it.
    """
    review = locked(review)
    role = authorise(review, by, Action.RESPOND_OPINION)
    opinion = Opinion.objects.filter(review=review, pk=opinion_id).first()
    if opinion is None:
        raise NotFound(_("Opinion not found."), code="opinion_not_found")
    if decision not in ResponseDecision.values:
        raise InvalidInput(_("Choose “accepted” or “explained”."), code="invalid_decision", field="decision")
    note = limit_text(note, "note", limit="response_note")
    day = dated(review, "response", occurred_on)
    if decision == ResponseDecision.EXPLAINED and not note:
        raise InvalidInput(_("An explanation is required."), code="blank", field="note")
    response = OpinionResponse.objects.filter(opinion=opinion).first()
    if response is not None and (
        correction is False or (correction is None and (response.decision, response.note) == (decision, note))
    ):
        raise Conflict(SOMEONE_ELSE_RESPONDED, code=SOMEONE_ELSE_ACTED)
    response = response or OpinionResponse(opinion=opinion)
    response.decision, response.note = decision, note
    response.responded_by, response.responded_at, response.occurred_on = by, timezone.now(), day
    response.save()
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.opinion.responded",
        records=[response],
        from_state=review.state,
        to_state=review.state,
        payload={"opinion_id": opinion.pk, "decision": decision, "note": note, "occurred_on": day.isoformat()},
    )
    return response


@transaction.atomic
def opinions_accept_all(*, review: Review | int, by, note: str = "", occurred_on: datetime.date | None = None) -> int:
    """Accept every opinion still unanswered, with one note: one response per opinion, one audit event for all.
    Returns how many were accepted (0, and no event, when none was waiting)."""
    review = locked(review)
    role = authorise(review, by, Action.RESPOND_OPINION)
    note = limit_text(note, "note", limit="response_note")
    day = dated(review, "response", occurred_on)
    waiting = list(Opinion.objects.filter(review=review, response__isnull=True).order_by("pk"))
    if not waiting:
        return 0
    now = timezone.now()
    responses = [
        OpinionResponse(
            opinion=o, decision=ResponseDecision.ACCEPTED, note=note, responded_by=by, responded_at=now, occurred_on=day
        )
        for o in waiting
    ]
    OpinionResponse.objects.bulk_create(responses)
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.opinions.accepted_all",
        records=list(OpinionResponse.objects.filter(opinion__in=waiting)),
        from_state=review.state,
        to_state=review.state,
        payload={"opinion_ids": [o.pk for o in waiting], "note": note, "occurred_on": day.isoformat()},
    )
    return len(waiting)
