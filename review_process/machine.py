"""The one reading of the review's state machine, for everybody.

The prescribed sequence is written once, as django-fsm-2 transitions on ``review_process.models.Review``.
Everything else that needs "which transitions exist", "what comes after this stage", "does this step need
a reason", or "at which stages may this record be written" reads it here: the services, the availability
function, the API, the pages, the flow diagram and the consistency walker.  Nothing restates the list.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from permissions.roles import Action, Role, roles_allowed
from review_process.models import TRANSITION_NAMES, Review, ReviewState

S = ReviewState
__all__ = [
    "TRANSITION_NAMES",
    "OUT_OF_FLOW",
    "MAIN_TRANSITIONS",
    "STAGE_ORDER",
    "RECORD_STATES",
    "RECORD_ACTIONS",
    "RECORD_MODE",
]


def meta(name: str):
    """django-fsm-2's description of transition ``name`` (KeyError for an unknown name)."""
    if name not in TRANSITION_NAMES:
        raise KeyError(name)
    return getattr(Review, name)._django_fsm


def transition_from(state: str, name: str):
    """django-fsm-2's transition ``name`` out of ``state``, or None when the state does not allow it."""
    return meta(name).get_transition(state)


def requires_reason(name: str) -> bool:
    return any((t.custom or {}).get("requires_reason") for t in meta(name).transitions.values())


def is_side_exit(name: str) -> bool:
    """Transitions that leave the prescribed sequence: they need a reason (return, cancel)."""
    return requires_reason(name)


#: Transitions of the prescribed sequence, in order; the side exits (``return_for_revision``, ``cancel``)
#: are the transitions that need a reason.
MAIN_TRANSITIONS: tuple[str, ...] = tuple(n for n in TRANSITION_NAMES if not is_side_exit(n))


def _target(name: str, state: str) -> str | None:
    transition = transition_from(state, name)
    return None if transition is None else transition.target


def next_transition_from(state: str) -> str | None:
    """The transition of the prescribed sequence that leads out of stage ``state`` (None at the end)."""
    for name in MAIN_TRANSITIONS:
        if transition_from(state, name) is not None:
            return name
    return None


def _stage_order() -> tuple[str, ...]:
    state = Review._meta.get_field("state").default
    order = [state]
    while (name := next_transition_from(state)) is not None:
        state = _target(name, state)
        if state in order:  # a loop in the main sequence would be a bug in the state machine
            raise RuntimeError(f"The prescribed sequence loops at {state}")
        order.append(state)
    return tuple(order)


def _ends_review(name: str) -> bool:
    return all(t.target == S.CANCELLED for t in meta(name).transitions.values())


#: Transitions that end the review outside the task sequence (``cancel``, and any other whose target is
#: ``cancelled``): they run from any stage they allow, and end the flow instead of completing a task.
OUT_OF_FLOW: frozenset[str] = frozenset(n for n in TRANSITION_NAMES if _ends_review(n))

#: The stages of the prescribed sequence, from the first to the last (``cancelled`` is outside it).
STAGE_ORDER: tuple[str, ...] = _stage_order()


def stage_label(state: str) -> str:
    return str(ReviewState(state).label) if state in ReviewState.values else _("Unknown")


def waiting_on_roles(state: str) -> list[str]:
    """The roles whose holders may take the next step of the prescribed sequence from ``state``."""
    name = next_transition_from(state)
    if name is None:
        return []
    allowed = roles_allowed(name)
    return [role.value for role in Role if role in allowed]


#: At which stages each record may be written (the record actions of ``permissions.roles.Action``).
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
    Action.RECORD_BALLOT: (S.FINALIZING, S.SUBMITTED),
}
RECORD_ACTIONS: tuple[str, ...] = tuple(RECORD_STATES)

#: Does writing the record again replace the one recorded, or add another? One rule across records, which the
#: services follow and the forms state ("replaces the …" / "adds a …"):
#:
#: ====================================  ========  ==========================================================
#: action                                mode      what happens when it is written again
#: ====================================  ========  ==========================================================
#: add_report_version                    add       a new version (numbered); earlier versions stay
#: invite_participant                    add       another participant (the same person: nothing new; a
#:                                                 revoked one is restored)
#: add_opinion, record_opinion_for_...   add       another opinion
#: respond_opinion                       replace   the response to that opinion is changed
#: record_conference                     replace   the conference, its attendance and representatives
#: add_guidance                          add       another guidance; each is corrected or withdrawn by its
#:                                                 author until confirmed (``guidance_update``/``_withdraw``)
#: set_self_assessment                   replace   the proposed rating and its basis
#: set_decision                          replace   the decision and its vote
#: record_notification                   replace   the notification
#: set_remedial_plan                     replace   the whole plan and its items
#: record_ballot                         replace   the tally
#: ====================================  ========  ==========================================================
RECORD_MODE: dict[str, str] = {
    Action.ADD_REPORT_VERSION: "add",
    Action.INVITE_PARTICIPANT: "add",
    Action.ADD_OPINION: "add",
    Action.RECORD_OPINION_FOR_OTHERS: "add",
    Action.RESPOND_OPINION: "replace",
    Action.RECORD_CONFERENCE: "replace",
    Action.ADD_GUIDANCE: "add",
    Action.SET_SELF_ASSESSMENT: "replace",
    Action.SET_DECISION: "replace",
    Action.RECORD_NOTIFICATION: "replace",
    Action.SET_REMEDIAL_PLAN: "replace",
    Action.RECORD_BALLOT: "replace",
}

#: Records that only some kinds of review have (every other record belongs to every kind).
RECORD_KINDS: dict[str, frozenset[str]] = {Action.RECORD_BALLOT: frozenset({"individual"})}


def record_applies(action: str, kind: str) -> bool:
    return action not in RECORD_KINDS or kind in RECORD_KINDS[action]
