"""The rating rules: one function per rule, used by the engine (to refuse) and by the compliance report (to find).

Each check returns ``None`` when the rule holds, or the ``ReviewError`` the engine raises (its code is the API's
error code and the compliance finding's reason).  They read plain values, never the database, so the services,
the rating rounds and the compliance rules call the very same code:

* ``assessment_error``: a rating consistent with the regime's scheme (a score from 2025 and the thresholds
  90/70/50; no score before), and "not complete" forced by any trigger;
* ``vote_error``: a leading body's decision is valid only when more than half of its members approve
  (Party Statute Art. 9 §5), with a coherent tally;
* ``reason_error``: a final rating below the proposed one states its reason;
* ``quota_errors``: in each group, excellent x 5 <= good (the 20% cap, regime by regime and scope by scope).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from review_process.errors import Conflict, InvalidInput, ReviewError
from review_process.models import Rating
from review_process.regimes import Regime, Trigger

#: Lowest first.
RATING_ORDER = (Rating.NOT_COMPLETE, Rating.COMPLETE, Rating.GOOD, Rating.EXCELLENT)

SCORE_REQUIRED = _("From 2025 the rating is based on a score: give the score (0 to 100).")
SCORE_NOT_ALLOWED = _("Before 2025 ratings are not scored: leave the score out.")
SCORE_RANGE = _("The score is a whole number from 0 to 100.")
SCORE_MISMATCH = _("A score of %(score)s gives “%(expected)s”, not “%(rating)s” (thresholds 90/70/50).")
UNKNOWN_TRIGGER = _("“%(trigger)s” is not a ground for “not complete” under the rules of %(regime)s.")
FORCED = _("“%(trigger)s” forces the rating “not complete”.")
VOTE_REQUIRED = _("Record the vote of the standing committee (members, present, for, against, abstain).")
VOTE_INVALID = _(
    "The vote does not add up: present cannot exceed members, and for + against + abstain cannot exceed present."
)
VOTE_NOT_CARRIED = _(
    "The decision is not valid: %(for)s of %(members)s members voted for it; more than half (%(needed)s) are needed."
)
REASON_REQUIRED = _("The final rating is below the proposed one: give the reason.")
QUOTA_EXCEEDED = _(
    "Group “%(group)s”: %(excellent)s rated excellent for %(good)s rated good; at most %(allowed)s "
    "(one excellent for every %(divisor)s good)."
)


def rank(rating: str) -> int:
    return RATING_ORDER.index(rating)


def rating_for_score(regime: Regime, score: int) -> str:
    excellent, good, complete = regime.thresholds or (90, 70, 50)
    if score >= excellent:
        return Rating.EXCELLENT
    if score >= good:
        return Rating.GOOD
    if score >= complete:
        return Rating.COMPLETE
    return Rating.NOT_COMPLETE


def assessment_error(
    regime: Regime, rating: str, score: int | None, triggers: Iterable[str] = (), *, field: str = "rating"
) -> ReviewError | None:
    """Is ``rating`` (with its score and the triggers found) consistent with the regime's rules?"""
    if regime.uses_score:
        if score is None:
            return InvalidInput(SCORE_REQUIRED, code="score_required", field="score")
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
            return InvalidInput(SCORE_RANGE, code="invalid_score", field="score")
    elif score is not None:
        return InvalidInput(SCORE_NOT_ALLOWED, code="score_not_allowed", field="score")
    for trigger in triggers:
        if trigger not in regime.triggers:
            return InvalidInput(
                UNKNOWN_TRIGGER,
                code="invalid_trigger",
                field="triggers",
                params={"trigger": trigger, "regime": regime.code},
            )
    forcing = [t for t in triggers if t in regime.triggers]
    if forcing and rating != Rating.NOT_COMPLETE:
        return InvalidInput(
            FORCED, code="forced_not_complete", field=field, params={"trigger": str(Trigger(forcing[0]).label)}
        )
    if regime.uses_score and not forcing:
        expected = rating_for_score(regime, score)
        if expected != rating:
            return InvalidInput(
                SCORE_MISMATCH,
                code="rating_score_mismatch",
                field=field,
                params={"score": score, "expected": Rating(expected).label, "rating": Rating(rating).label},
            )
    return None


@dataclass(frozen=True)
class Vote:
    members: int
    present: int
    for_: int
    against: int
    abstain: int

    @classmethod
    def from_dict(cls, data: Mapping | None) -> Vote | None:
        if not data:
            return None
        return cls(
            members=data.get("members"),
            present=data.get("present"),
            for_=data.get("for"),
            against=data.get("against", 0),
            abstain=data.get("abstain", 0),
        )

    def as_dict(self) -> dict:
        return {
            "members": self.members,
            "present": self.present,
            "for": self.for_,
            "against": self.against,
            "abstain": self.abstain,
        }


def vote_error(vote: Vote | None) -> ReviewError | None:
    """400 ``invalid_vote`` for a tally that does not add up; 409 ``vote_not_carried`` without a majority of
    the body's members (more than half of ``members``, not of those present)."""
    if vote is None:
        return InvalidInput(VOTE_REQUIRED, code="invalid_vote", field="vote")
    numbers = (vote.members, vote.present, vote.for_, vote.against, vote.abstain)
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in numbers) or vote.members < 1:
        return InvalidInput(VOTE_INVALID, code="invalid_vote", field="vote")
    if vote.present > vote.members or vote.for_ + vote.against + vote.abstain > vote.present:
        return InvalidInput(VOTE_INVALID, code="invalid_vote", field="vote")
    if vote.for_ * 2 <= vote.members:
        return Conflict(
            VOTE_NOT_CARRIED,
            code="vote_not_carried",
            params={"for": vote.for_, "members": vote.members, "needed": vote.members // 2 + 1},
        )
    return None


def reason_error(proposed: str | None, final: str, reason: str, *, field: str = "reason") -> ReviewError | None:
    if proposed and rank(final) < rank(proposed) and not (reason or "").strip():
        return InvalidInput(REASON_REQUIRED, code="reason_required", field=field)
    return None


def quota_errors(regime: Regime, subject: str, ratings_by_group: Mapping[str, Iterable[str]]) -> list[ReviewError]:
    """The groups whose "excellent" ratings break the cap, under the regime's scope for ``subject``.

    ``ratings_by_group`` maps each entry's group to the ratings of that group. With the scope ``round`` the whole
    round is one group; with ``group`` each group counts apart; with no scope the subject is not capped."""
    scope = regime.quota_scope(subject)
    if scope is None:
        return []
    if scope == "round":
        merged: list[str] = [r for ratings in ratings_by_group.values() for r in ratings]
        groups = {"": merged}
    else:
        groups = {g: list(r) for g, r in ratings_by_group.items()}
    errors = []
    for group, ratings in sorted(groups.items()):
        counts = Counter(ratings)
        excellent, good = counts[Rating.EXCELLENT], counts[Rating.GOOD]
        if excellent * regime.quota_divisor > good:
            errors.append(
                Conflict(
                    QUOTA_EXCEEDED,
                    code="quota_exceeded",
                    params={
                        "group": group or _("the whole round"),
                        "excellent": excellent,
                        "good": good,
                        "allowed": good // regime.quota_divisor,
                        "divisor": regime.quota_divisor,
                    },
                )
            )
    return errors


# --- Individual reviews of leaders (domain-rules.md §1B): secret ballot, order and ceiling ---

BALLOT_INVALID = _(
    "The tally does not add up: ballots cast cannot exceed those eligible, and the levels plus the invalid "
    "ballots must add up to the ballots cast."
)
COLLECTIVE_NOT_DECIDED = _(
    "The collective review of %(organization)s for %(year)s has not been decided yet: a leader is rated after "
    "the collective they lead."
)
ABOVE_COLLECTIVE = _(
    "The head of the organisation cannot be rated above the collective they lead (“%(collective)s”) under the "
    "rules of %(regime)s."
)
BALLOT_FIELDS = ("eligible", "cast", "excellent", "good", "complete", "not_complete", "invalid")


def ballot_error(counts: Mapping) -> ReviewError | None:
    """400 ``invalid_ballot`` unless ``cast <= eligible`` and the four levels plus invalid add up to ``cast``.
    Counts only: a secret ballot records no one's vote."""
    values = [counts.get(name) for name in BALLOT_FIELDS]
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in values):
        return InvalidInput(BALLOT_INVALID, code="invalid_ballot", field="ballot")
    eligible, cast, excellent, good, complete, not_complete, invalid = values
    if cast > eligible or excellent + good + complete + not_complete + invalid != cast:
        return InvalidInput(BALLOT_INVALID, code="invalid_ballot", field="ballot")
    return None


def order_error(collective_rating: str | None, *, organization: str, year: int) -> ReviewError | None:
    """409 ``collective_not_decided``: a leader's review is decided after their organisation's collective one."""
    if collective_rating is None:
        return Conflict(
            COLLECTIVE_NOT_DECIDED, code="collective_not_decided", params={"organization": organization, "year": year}
        )
    return None


def ceiling_error(regime: Regime, *, is_head: bool, rating: str, collective_rating: str | None) -> ReviewError | None:
    """409 ``above_collective``: under the regimes that say so, the head is not rated above the collective."""
    if not (regime.head_not_above_collective and is_head and collective_rating):
        return None
    if rank(rating) > rank(collective_rating):
        return Conflict(
            ABOVE_COLLECTIVE,
            code="above_collective",
            params={"collective": Rating(collective_rating).label, "regime": regime.code},
        )
    return None
