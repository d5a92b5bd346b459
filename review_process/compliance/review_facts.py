"""``ReviewFacts``: one review and its records as the compliance checks read them (loaded by ``compliance.facts``).

Everything here reads what was loaded; nothing queries the database (the dated tree and the people's positions
come loaded with the batch). What several checks would each re-derive is derived once per review and kept
(``functools.cached_property``): the regime, the transition events by name, the circulated draft, the final
version, the accepted opinions, the guidance with text. The facts of a review are not changed after loading.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from permissions.models import Position
from permissions.roles import SUPERIOR_ROLES
from permissions.tree import ancestor_ids_on, reference_day
from review_process.compliance.trail import (
    TRANSITION_PREFIX,
    TrailEvent,
    TransitionIndex,
    event_day,
    local_date,
    record_day,
)
from review_process.models import (
    Ballot,
    Conference,
    Decision,
    Notification,
    Opinion,
    OpinionResponse,
    Rating,
    RemedialPlan,
    ReportVersion,
    ResponseDecision,
    Review,
    SelfAssessment,
)
from review_process.regimes import Regime


def _is_transition(event) -> bool:
    return event.action.startswith(TRANSITION_PREFIX)


@dataclass(eq=False)
class ReviewFacts:
    """One review and its records, as loaded for the checks (no further queries)."""

    review: Review
    versions: list[ReportVersion]
    opinions: list[Opinion]
    responses: dict[int, OpinionResponse]
    conference: Conference | None
    attendance: list
    representatives: list
    guidance: list
    self_assessment: SelfAssessment | None
    decision: Decision | None
    notification: Notification | None
    remedial_plan: RemedialPlan | None
    remedial_items: list
    events: list[TrailEvent]  # the audit trail in sequence order (``trail.TrailEvent``)
    positions: dict[int, list[Position]] = field(default_factory=dict)
    # The peer group of a decided collective review whose regime caps organisations: the final ratings of the
    # live collective reviews of the same year under the same direct superior in the tree of that year (the
    # review's own included), by review id. None when not loaded (no decision, or no cap on organisations).
    peer_ratings: dict[int, str] | None = None
    # Individual reviews of leaders (``load_individual``): the secret-ballot tally; the decision of the live
    # collective review of the same organisation and year (None while undecided); was the subject its secretary?
    ballot: Ballot | None = None
    collective_decision: Decision | None = None
    subject_was_head: bool = False

    @property
    def organization(self):
        return self.review.organization

    @cached_property
    def regime(self) -> Regime | None:
        """The review's pinned regime, read once (``Review.regime`` derives it on every call)."""
        return self.review.regime

    # --- The audit trail ---

    @cached_property
    def transitions(self) -> TransitionIndex:
        return TransitionIndex(self.events)

    def transition_events(self, name: str | None = None) -> list:
        return self.transitions.all(name) if name is not None else [e for e in self.events if _is_transition(e)]

    def first_transition(self, name: str):
        events = self.transitions.by_name.get(name)
        return events[0] if events else None

    def last_transition(self, name: str):
        events = self.transitions.by_name.get(name)
        return events[-1] if events else None

    def transition_day(self, name: str, *, last: bool = False) -> datetime.date | None:
        """The day the (first, or ``last``) transition ``name`` happened, as stated (``event_day``)."""
        event = self.last_transition(name) if last else self.first_transition(name)
        return event_day(event) if event is not None else None

    def dates(self) -> dict[str, list[datetime.date]]:
        """The days the review's events happened, keyed by ``review_process.dates``' event names, for its order
        checks (``sequence_errors``). One day per step: the circulated draft, the first circulation, the last
        submission (a review returned for revision is judged on its last round), the final report in force."""
        versions = [self.circulated_draft] if self.circulated_draft is not None else []
        found = {
            "draft": [record_day(v) for v in versions],
            "circulation": [self.transition_day("circulate_draft")],
            "opinion": [record_day(o) for o in self.opinions],
            "conference": [local_date(self.conference.held_at)] if self.conference else [],
            "opinions_closed": [self.transition_day("close_opinions")],
            "guidance": [record_day(g) for g in self.guidance_with_text],
            "guidance_confirmed": [self.transition_day("give_guidance")],
            "final_report": [record_day(self.final_version)],
            "submission": [self.transition_day("submit_assessment", last=True)],
            "decision": [record_day(self.decision, "decided_at")],
            "approval": [self.transition_day("approve")],
            "notification": [self.notification.notified_on] if self.notification else [],
            "remedial_plan": [record_day(self.remedial_plan, "updated_at")],
            "due_date": [item.due_date for item in self.remedial_items],
            "close": [self.transition_day("close")],
        }
        return {event: [d for d in days if d is not None] for event, days in found.items()}

    def reached(self, name: str) -> bool:
        """Has the transition ``name`` happened (according to the audit trail)?"""
        return name in self.transitions.by_name

    # --- Records ---

    @cached_property
    def circulated_draft(self) -> ReportVersion | None:
        """The draft as circulated: the last version written before ``circulate_draft`` (else version 1)."""
        if not self.versions:
            return None
        event = self.first_transition("circulate_draft")
        if event is not None:
            before = [v for v in self.versions if v.created_at <= event.occurred_at and not v.is_final]
            if before:
                return before[-1]
        return self.versions[0]

    @cached_property
    def final_version(self) -> ReportVersion | None:
        finals = [v for v in self.versions if v.is_final]
        return finals[-1] if finals else None

    def response(self, opinion: Opinion) -> OpinionResponse | None:
        return self.responses.get(opinion.pk)

    @cached_property
    def accepted_opinions(self) -> list[Opinion]:
        return [o for o in self.opinions if (r := self.response(o)) and r.decision == ResponseDecision.ACCEPTED]

    @cached_property
    def guidance_with_text(self) -> list:
        return [g for g in self.guidance if g.text.strip()]

    def shortcomings(self) -> dict[str, object]:
        """How the review named shortcomings (documented in docs/compliance.md, rule ``remedial_plan``):
        an opinion the organisation accepted, or a final rating below excellent."""
        found: dict[str, object] = {}
        if self.accepted_opinions:
            found["accepted_opinions"] = len(self.accepted_opinions)
        if self.decision is not None and self.decision.final_rating != Rating.EXCELLENT:
            found["final_rating"] = self.decision.final_rating
        return found

    def ancestor_ids_on(self, day: datetime.date) -> list[int]:
        """The organisations above the reviewed one in the tree of ``day`` (``permissions.tree``), the direct
        superior last; cached per day."""
        cache = self.__dict__.setdefault("_ancestors_on", {})
        if day not in cache:
            tree = self.__dict__.get("tree")
            cache[day] = (
                tree.ancestor_ids_on(self.organization.pk, day)
                if tree is not None
                else ancestor_ids_on(self.organization, day)
            )
        return cache[day]

    def direct_superior_id(self, day: datetime.date) -> int | None:
        line = self.ancestor_ids_on(day)
        return line[-1] if line else None

    @property
    def reference_day(self) -> datetime.date:
        """The day whose tree decides who was competent for the review (the end of its year)."""
        return reference_day(self.review.year, self.organization)

    def superior_positions(
        self,
        user_id: int,
        day: datetime.date,
        roles: Iterable[str] = SUPERIOR_ROLES,
        line_day: datetime.date | None = None,
    ):
        """``user_id``'s positions on ``day`` with one of ``roles`` in an organisation above the reviewed one in
        the tree of ``line_day`` (the event's own day by default: what happened is judged by the tree of then;
        deciding by the tree of the review's year, ``reference_day``).  A later reorganisation changes nothing."""
        ancestors = set(self.ancestor_ids_on(line_day or day))
        roles = set(roles)
        return [
            p
            for p in self.positions.get(user_id, ())
            if p.organization_id in ancestors and p.role in roles and p.is_active(day)
        ]
