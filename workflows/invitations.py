"""Inviting a participant once the draft is out: they are asked for their opinion by e-mail, like everyone else.

``circulate_draft`` e-mails everybody who gives an opinion (``workflows.opinion_requests``). A person invited
later, while opinions are still being collected, would otherwise learn of it only from their home page: here the
invitation (``review_process.services.drafting.participant_invite``) and an ``opinion_requested`` outbox message
for that one person (payload ``review_id``, ``person_id``) are written in one transaction, so the e-mail is sent
if and only if the invitation committed. Inviting someone already invited sends nothing; re-inviting a revoked
participant is a new invitation and asks again. The web page and the API call this, not the domain service.
"""

from __future__ import annotations

from django.db import transaction

from review_process.models import ReviewParticipant, ReviewState
from review_process.services import drafting
from workflows import outbox


def participant_invite(*, review, by, username: str) -> ReviewParticipant:
    with transaction.atomic():
        review_id = getattr(review, "pk", review)
        already = ReviewParticipant.objects.active().filter(review_id=review_id, person__username=username).exists()
        participant = drafting.participant_invite(review=review, by=by, username=username)
        if not already and participant.review.state == ReviewState.COLLECTING_OPINIONS:
            outbox.enqueue("opinion_requested", review_id=participant.review_id, person_id=participant.person_id)
    return participant
