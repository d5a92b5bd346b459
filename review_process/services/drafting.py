"""Records of the first stages: report versions, invited participants, opinions and the responses to them."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.grants import sync_object_grants
from permissions.roles import Action
from review_process.access import forget_review_perms
from review_process.audit import audit_record
from review_process.errors import InvalidInput, NotFound
from review_process.grants import ReviewGrantTarget
from review_process.models import (
    Conference,
    Opinion,
    OpinionChannel,
    OpinionResponse,
    ReportVersion,
    ResponseDecision,
    Review,
    ReviewParticipant,
)
from review_process.services.base import authorise, locked, person, require_text

ATTACHMENT_TOO_LARGE = _("The attachment is larger than %(mb)s MB.")


@transaction.atomic
def report_version_add(
    *, review: Review | int, by, text: str, is_final: bool = False, attachment=None
) -> ReportVersion:
    review = locked(review)
    role = authorise(review, by, Action.ADD_REPORT_VERSION)
    text = require_text(text, "text")
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
        from_state=review.state,
        to_state=review.state,
        payload={"opinion_id": opinion.pk, "author": author.username, "channel": channel, "text": text},
    )
    return opinion


@transaction.atomic
def opinion_respond(*, review: Review | int, by, opinion_id: int, decision: str, note: str = "") -> OpinionResponse:
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
