"""What only an individual review of a leader records: the secret-ballot tally, and who is the head.

The individual review runs on the same states and transitions as the collective one, with guards of its own
(``review_process.guards.KIND_GUARDS``): the ballot is recorded before approval, and the leader is rated after
the collective they lead and, under the regimes that say so, not above it (``review_process.ratings``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.roles import Action, Role
from permissions.selectors import held_position_in
from review_process.audit import audit_record
from review_process.errors import Forbidden, InvalidInput
from review_process.models import Ballot, Decision, Review
from review_process.ratings import BALLOT_FIELDS, ballot_error
from review_process.services.base import authorise, locked

TALLY_HIDDEN = _("The tally is shown to the person reviewed once the rating has been decided.")
BOARD_INVALID = _("List the members of the vote-counting board by name.")


def is_head(review: Review) -> bool:
    """Was the subject the organisation's secretary (its head) during the review's year?"""
    if review.subject_id is None:
        return False
    return held_position_in(
        user=review.subject, organization=review.organization, year=review.year, roles=(Role.SECRETARY,)
    )


@transaction.atomic
def ballot_record(*, review: Review | int, by, counts: dict, counting_board: list[str]) -> Ballot:
    """Record (or correct) the tally: counts only, with the vote-counting board's members."""
    review = locked(review)
    role = authorise(review, by, Action.RECORD_BALLOT)
    error = ballot_error(counts)
    if error is not None:
        raise error
    board = [str(name).strip() for name in counting_board or [] if str(name).strip()]
    if not board:
        raise InvalidInput(BOARD_INVALID, code="blank", field="counting_board")
    values = {name: counts[name] for name in BALLOT_FIELDS}
    ballot, created = Ballot.objects.update_or_create(
        review=review, defaults={**values, "counting_board": board, "recorded_by": by, "recorded_at": timezone.now()}
    )
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.ballot.recorded" if created else "review.ballot.corrected",
        records=[ballot],
        from_state=review.state,
        to_state=review.state,
        # The counts are in the record (fingerprinted above), not in the event: the person reviewed may read the
        # audit trail and sees the tally only after the decision.
        payload={"counting_board": board, "cast": values["cast"], "eligible": values["eligible"]},
    )
    return ballot


def ballot_for(*, review: Review, user) -> Ballot | None:
    """The tally as ``user`` may see it: the subject sees it only after the decision (403 ``tally_hidden``)."""
    ballot = Ballot.objects.filter(review=review).first()
    if ballot is not None and review.subject_id == user.pk and not Decision.objects.filter(review=review).exists():
        raise Forbidden(TALLY_HIDDEN, code="tally_hidden")
    return ballot
