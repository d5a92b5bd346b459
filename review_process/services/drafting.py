"""Records of the first stages: report versions, invited participants, opinions and the responses to them."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.grants import sync_object_grants
from permissions.roles import Action
from review_process.access import forget_review_perms
from review_process.attachments import accept_upload
from review_process.audit import audit_record
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
)
from review_process.services.base import authorise, locked, person, require_text


@transaction.atomic
def report_version_add(
    *, review: Review | int, by, text: str, is_final: bool = False, attachment=None
) -> ReportVersion:
    review = locked(review)
    role = authorise(review, by, Action.ADD_REPORT_VERSION)
    text = require_text(text, "text")
    # Checked before anything is written: the type by content, the size while reading (review_process.attachments).
    checked = accept_upload(attachment) if attachment is not None else None
    digest = checked.sha256 if checked is not None else ""
    number = (review.report_versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ReportVersion(review=review, number=number, text=text, is_final=bool(is_final), created_by=by)
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
        },
    )
    return version


@transaction.atomic
def participant_invite(*, review: Review | int, by, username: str) -> ReviewParticipant:
    review = locked(review)
    role = authorise(review, by, Action.INVITE_PARTICIPANT)
    invitee = person(username, "person")
    participant, created = ReviewParticipant.objects.get_or_create(
        review=review, person=invitee, defaults={"invited_by": by}
    )
    if created:
        sync_object_grants(ReviewGrantTarget(), review, only_user_ids=[invitee.pk])
        forget_review_perms(review)
        audit_record(
            review=review,
            actor=by,
            role=role,
            action="review.participant.invited",
            records=[participant],
            from_state=review.state,
            to_state=review.state,
            payload={"person": invitee.username},
        )
    return participant


@transaction.atomic
def opinion_add(*, review: Review | int, by, text: str, channel: str, author_username: str | None = None) -> Opinion:
    """Record an opinion. The author is the caller, unless a secretary records what an attendee said."""
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
    text = require_text(text, "text")
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
    opinion = Opinion.objects.create(review=review, author=author, recorded_by=by, channel=channel, text=text)
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.opinion.added",
        records=[opinion],
        from_state=review.state,
        to_state=review.state,
        payload={"opinion_id": opinion.pk, "author": author.username, "channel": channel, "text": text},
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
    note = (note or "").strip()
    if decision == ResponseDecision.EXPLAINED and not note:
        raise InvalidInput(_("An explanation is required."), code="blank", field="note")
    response = OpinionResponse.objects.filter(opinion=opinion).first()
    if response is not None and (
        correction is False or (correction is None and (response.decision, response.note) == (decision, note))
    ):
        raise Conflict(SOMEONE_ELSE_RESPONDED, code=SOMEONE_ELSE_ACTED)
    response = response or OpinionResponse(opinion=opinion)
    response.decision, response.note = decision, note
    response.responded_by, response.responded_at = by, timezone.now()
    response.save()
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.opinion.responded",
        records=[response],
        from_state=review.state,
        to_state=review.state,
        payload={"opinion_id": opinion.pk, "decision": decision, "note": note},
    )
    return response
