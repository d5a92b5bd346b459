"""The one answer to "which actions may this person take on this review now, and if not, why not".

``available_actions(user, review)`` gives, for every action on a review (the state machine's transitions and
the record actions), either "allowed" or the exact error the service would raise: 404 when the review is
not visible, 403 when the person's roles do not allow the action, 409 ``invalid_state`` at the wrong stage,
409 with the guard's code when a guard of the procedure fails, 409 with the rule's code when a blocking
compliance rule fails.  The services (``require``), the API's ``available_transitions`` and the pages'
"next step" box all read it, so they cannot disagree.

Cost: guards are evaluated once per review instance (``review_process.guards.Guard.check`` caches them) and
object permissions are loaded once (``review_process.access``), so asking for every action costs the same
queries as asking for one, plus one load of the records when a blocking rule applies.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from permissions.roles import COMPETENT_BODY_ACTIONS, Action
from permissions.selectors import held_position_in
from review_process import guards, machine
from review_process.access import may, may_view
from review_process.compliance.blocking import blocking_failures
from review_process.errors import Conflict, Forbidden, InvalidInput, NotFound, ReviewError
from review_process.models import Review, ReviewState

WRONG_STATE = _("“%(action)s” is not possible while the review is at the stage “%(state)s”.")
REASON_REQUIRED = _("A reason is required for this action.")
UNKNOWN_ACTION = _("Unknown action “%(name)s”.")
CONFLICT_OF_INTEREST = _(
    "You held a position in the reviewed organisation during the year, or submitted this review: you may not "
    "decide, vote on or approve it."
)


@dataclass(frozen=True)
class Verdict:
    """May the person take ``action`` now? ``error`` is None when they may, else what the service raises.

    ``obstacles`` lists every failed guard and blocking rule (the service raises the first, ``error``), so a
    page can say everything that is still missing at once."""

    action: str
    error: ReviewError | None = None
    obstacles: tuple[ReviewError, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.error is None

    @property
    def code(self) -> str | None:
        return None if self.error is None else self.error.code

    @property
    def message(self) -> str:
        return "" if self.error is None else self.error.message

    @property
    def status(self) -> int | None:
        return None if self.error is None else self.error.status

    def raise_if_refused(self) -> None:
        if self.error is not None:
            raise self.error


def _wrong_state(review: Review, action: str) -> Conflict:
    return Conflict(
        WRONG_STATE,
        code="invalid_state",
        params={"action": Action(action).label, "state": ReviewState(review.state).label},
    )


def _gate(user, review: Review, action: str) -> ReviewError | None:
    """The checks every action shares: visible (404), then the person's roles (403), then, for the competent
    body's actions, no conflict of interest (403 ``conflict_of_interest``)."""
    if not may_view(user, review):
        return NotFound()
    if not may(user, review, action):
        return Forbidden()
    if action in COMPETENT_BODY_ACTIONS and has_conflict_of_interest(user, review):
        return Forbidden(CONFLICT_OF_INTEREST, code="conflict_of_interest")
    if action in SUBJECT_EXCLUDED_ACTIONS and review.subject_id == user.pk:
        return Forbidden(CONFLICT_OF_INTEREST, code="conflict_of_interest")  # nobody judges their own review
    return None


#: The subject of an individual review may not record its ballot either (the competent body's actions are
#: covered by the conflict of interest above).
SUBJECT_EXCLUDED_ACTIONS = frozenset({Action.RECORD_BALLOT})


def has_conflict_of_interest(user, review: Review) -> bool:
    """Did ``user`` submit the review, or hold any position in the reviewed organisation during its year?
    Such a person may not decide, vote on or approve it (cached on the review for this request)."""
    cache = review.__dict__.setdefault("_conflict_cache", {})
    if user.pk not in cache:
        cache[user.pk] = (
            review.submitted_by_id == user.pk
            or review.subject_id == user.pk
            or held_position_in(user=user, organization=review.organization, year=review.year)
        )
    return cache[user.pk]


def transition_verdict(user, review: Review, name: str, *, reason: str | None = None) -> Verdict:
    """The verdict on transition ``name``; with ``reason`` given, a missing required reason is refused too
    (after the stage check and before the guards, as the service has always answered)."""
    if name not in machine.TRANSITION_NAMES:
        return Verdict(name, NotFound(UNKNOWN_ACTION, code="unknown_transition", params={"name": name}))
    error = _gate(user, review, name)
    if error is not None:
        return Verdict(name, error)
    transition = machine.transition_from(review.state, name)
    if transition is None:
        return Verdict(name, _wrong_state(review, name))
    if reason is not None and machine.requires_reason(name) and not reason.strip():
        return Verdict(name, InvalidInput(REASON_REQUIRED, code="reason_required", field="reason"))
    user_failed = [
        Conflict(g.message, code=g.code) for g in guards.USER_GUARDS.get(name, ()) if not g.check(review, user)
    ]
    obstacles = transition_obstacles(review, name, before_blocking=tuple(user_failed))
    return Verdict(name, obstacles[0] if obstacles else None, obstacles)


def transition_obstacles(
    review: Review, name: str, *, before_blocking: tuple[Conflict, ...] = ()
) -> tuple[Conflict, ...]:
    """What stops transition ``name`` now whoever takes it: the failed guards of the procedure (then
    ``before_blocking``: the guards that depend on who acts), then the failed blocking compliance rules
    (``review_process.compliance.blocking``). Empty at a stage the transition does not leave."""
    transition = machine.transition_from(review.state, name)
    if transition is None:
        return ()
    kind_guards = guards.KIND_GUARDS.get(review.kind, {}).get(name, ())
    failed = [Conflict(g.message, code=g.code) for g in (*transition.conditions, *kind_guards) if not g.check(review)]
    failed += before_blocking
    # Compliance rules the engine enforces: evaluated only when the guards pass (they need the records).
    if not failed:
        failed += [Conflict(f.message, code=f.rule) for f in blocking_failures(review, name)]
    return tuple(failed)


def record_verdict(user, review: Review, action: str) -> Verdict:
    """The verdict on a record action (add a report version, an opinion, record the conference …)."""
    error = _gate(user, review, action)
    if error is None and (
        review.state not in machine.RECORD_STATES[action] or not machine.record_applies(action, review.kind)
    ):
        error = _wrong_state(review, action)
    return Verdict(action, error)


def verdict(user, review: Review, action: str) -> Verdict:
    if action in machine.RECORD_STATES:
        return record_verdict(user, review, action)
    return transition_verdict(user, review, action)


def available_actions(user, review: Review) -> dict[str, Verdict]:
    """Every action on a review (transitions first, in the state machine's order, then record actions)."""
    names = (*machine.TRANSITION_NAMES, *machine.RECORD_ACTIONS)
    return {name: verdict(user, review, name) for name in names}


def available_transitions(user, review: Review) -> list[str]:
    """Names of the transitions ``user`` may run now: stage, role, guards and blocking rules all allow it."""
    return [name for name in machine.TRANSITION_NAMES if transition_verdict(user, review, name).allowed]


def require_transition(user, review: Review, name: str, *, reason: str = "") -> None:
    """Raise the error that explains why ``user`` may not run ``name`` now; return quietly if they may."""
    transition_verdict(user, review, name, reason=reason).raise_if_refused()


def require_record(user, review: Review, action: str) -> None:
    record_verdict(user, review, action).raise_if_refused()
