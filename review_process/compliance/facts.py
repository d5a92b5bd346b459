"""What a compliance check may read: one review's records and its audit events, loaded in bulk.

``load_facts`` turns a batch of reviews into ``ReviewFacts`` with a fixed number of queries whatever the
batch size (one per related table, see ``FACTS_QUERIES``), so the bulk audit never runs a query per review.
The checks in ``rules`` only read these objects; they never query the database.

An individual review of a leader also carries its secret-ballot tally (joined), the decision of the collective
review it follows and whether its subject was the organisation's head that year (``load_individual``: at most
``INDIVIDUAL_QUERIES`` more, and none for a batch without an individual review).

Dates: a check judges the day a thing happened, as the person who recorded it stated it, never the moment it
was typed in. ``record_day`` reads a record's ``occurred_on`` (a report version, an opinion and its response,
guidance, the decision, the remedial plan), ``transition_day`` the ``occurred_on`` of a transition's audit event
(its payload); for rows written before ``occurred_on`` existed both fall back to the day they were recorded,
in Hà Nội time. The conference's ``held_at`` and the notification's ``notified_on`` are dates of the event
already. The audit events keep the time each thing was recorded (``occurred_at``), which orders the trail.
Withdrawn guidance (``Guidance.withdrawn_at``) does not count: ``guidance`` holds the live guidance only.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.db.models.fields.json import KT

from permissions.models import Position
from permissions.roles import SUPERIOR_ROLES, Role
from permissions.tree import DatedTree, ancestor_ids_on, reference_day
from review_process.models import (
    AuditEvent,
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
    ReviewKind,
    ReviewState,
    SelfAssessment,
)
from review_process.regimes import Regime

TRANSITION_PREFIX = "review.transition."
#: Hà Nội time: the day a timestamp fell on, for rows recorded before ``occurred_on`` existed.
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

# Queries per batch: reviews (with their one-to-one records joined), report versions, opinions (with
# responses), guidance, attendance, superior representatives, remedial items, audit events, positions, and
# the dated tree (organisations and their dated superiors: ``permissions.tree.DatedTree``).
FACTS_QUERIES = 11
# Plus one aggregate query, only for a batch holding a decided collective review whose regime caps the ratings
# of organisations (2023 on): the final ratings of its peers (``ReviewFacts.peer_ratings``).
PEER_QUERIES = 1
# Plus, only for a batch holding an individual review: the decisions of the collective reviews those follow, and
# the secretary positions of their subjects (``load_individual``).
INDIVIDUAL_QUERIES = 2

AUDIT_EVENT_FIELDS = (
    "id",
    "review_id",
    "sequence",
    "global_sequence",
    "action",
    "actor_id",
    "actor_role",
    "occurred_at",
    "from_state",
    "to_state",
)


def facts_queryset(qs: QuerySet[Review]) -> QuerySet[Review]:
    """``qs`` with everything a check reads joined or prefetched."""
    return qs.select_related(
        "organization",
        "conference",
        "conference__chair",
        "self_assessment",
        "decision",
        "decision__decided_by",
        "notification",
        "remedial_plan",
        "subject",
        "ballot",
        "ballot__recorded_by",
    ).prefetch_related(
        Prefetch("report_versions", queryset=ReportVersion.objects.order_by("number")),
        Prefetch(
            "opinions", queryset=Opinion.objects.select_related("response", "author").order_by("created_at", "pk")
        ),
        "guidance",
        "conference__attendance",
        "conference__superior_representatives",
        "remedial_plan__items",
        Prefetch(
            "audit_events",
            # The day a step happened, read from the payload in the query (the payloads are not loaded).
            queryset=AuditEvent.objects.only(*AUDIT_EVENT_FIELDS)
            .annotate(stated_day=KT("payload__occurred_on"))
            .order_by("sequence"),
        ),
    )


def _one(instance, name):
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


def local_date(moment: datetime.datetime) -> datetime.date:
    """The day ``moment`` fell on in Hà Nội."""
    return moment.astimezone(HANOI).date()


def _as_date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return local_date(value)
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def record_day(record, recorded: str = "created_at") -> datetime.date | None:
    """The day ``record`` happened: its ``occurred_on``, else (a row written before ``occurred_on`` existed) the
    day its ``recorded`` timestamp fell on in Hà Nội."""
    if record is None:
        return None
    stated = getattr(record, "occurred_on", None)
    if stated is not None:
        return stated
    moment = getattr(record, recorded, None)
    return local_date(moment) if moment is not None else None


def event_day(event: AuditEvent) -> datetime.date:
    """The day a step happened: the ``occurred_on`` of its audit event's payload, else the day it was recorded
    (Hà Nội). Events loaded by ``facts_queryset`` carry it as ``stated_day``; others are read from the payload."""
    stated = getattr(event, "stated_day", None)
    if stated is None and "payload" in event.__dict__:
        stated = (event.payload or {}).get("occurred_on")
    return _as_date(stated) or local_date(event.occurred_at)


@dataclass
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
    events: list[AuditEvent]
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

    @property
    def regime(self) -> Regime | None:
        return self.review.regime

    # --- The audit trail ---

    def transition_events(self, name: str | None = None) -> list[AuditEvent]:
        prefix = TRANSITION_PREFIX + (name or "")
        return [e for e in self.events if e.action.startswith(prefix) and (name is None or e.action == prefix)]

    def first_transition(self, name: str) -> AuditEvent | None:
        events = self.transition_events(name)
        return events[0] if events else None

    def last_transition(self, name: str) -> AuditEvent | None:
        events = self.transition_events(name)
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
        return self.first_transition(name) is not None

    # --- Records ---

    @property
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

    @property
    def final_version(self) -> ReportVersion | None:
        finals = [v for v in self.versions if v.is_final]
        return finals[-1] if finals else None

    def response(self, opinion: Opinion) -> OpinionResponse | None:
        return self.responses.get(opinion.pk)

    @property
    def accepted_opinions(self) -> list[Opinion]:
        return [o for o in self.opinions if (r := self.response(o)) and r.decision == ResponseDecision.ACCEPTED]

    @property
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


def load_facts(reviews: Iterable[Review]) -> list[ReviewFacts]:
    """Facts for reviews that came from ``facts_queryset`` (plus one query for the people's positions)."""
    reviews = list(reviews)
    facts = []
    people: set[int] = set()
    for review in reviews:
        conference = _one(review, "conference")
        plan = _one(review, "remedial_plan")
        decision = _one(review, "decision")
        opinions = list(review.opinions.all())
        item = ReviewFacts(
            review=review,
            versions=list(review.report_versions.all()),
            opinions=opinions,
            responses={o.pk: r for o in opinions if (r := _one(o, "response")) is not None},
            conference=conference,
            attendance=list(conference.attendance.all()) if conference else [],
            # In a fixed order (PostgreSQL returns a many-to-many's rows in any order): the report reads the same.
            representatives=sorted(conference.superior_representatives.all(), key=lambda user: user.pk)
            if conference
            else [],
            guidance=[g for g in review.guidance.all() if getattr(g, "withdrawn_at", None) is None],
            self_assessment=_one(review, "self_assessment"),
            decision=decision,
            notification=_one(review, "notification"),
            remedial_plan=plan,
            remedial_items=list(plan.items.all()) if plan else [],
            events=list(review.audit_events.all()),
        )
        if decision is not None:
            people.add(decision.decided_by_id)
        people.update(u.pk for u in item.representatives)
        people.update(g.given_by_id for g in item.guidance)
        facts.append(item)
    if people:
        by_person: dict[int, list[Position]] = defaultdict(list)
        for position in Position.objects.filter(person_id__in=people, role__in=SUPERIOR_ROLES).order_by("start"):
            by_person[position.person_id].append(position)
        tree = DatedTree()  # the dated tree for the whole batch: two queries, whatever its size
        for item in facts:
            item.positions = by_person
            item.tree = tree
        load_peer_ratings(facts, tree)
    load_individual(facts)
    return facts


def load_individual(facts: list[ReviewFacts]) -> None:
    """Set the individual reviews' ``ballot``, ``collective_decision`` and ``subject_was_head`` (no query for a
    batch without an individual review; ``INDIVIDUAL_QUERIES`` at most otherwise)."""
    wanted = [item for item in facts if item.review.kind == ReviewKind.INDIVIDUAL]
    if not wanted:
        return
    organizations = {item.review.organization_id for item in wanted}
    years = {item.review.year for item in wanted}
    collective: dict[tuple[int, int], Decision] = {}
    rows = (
        Decision.objects.filter(
            review__kind=ReviewKind.COLLECTIVE, review__organization_id__in=organizations, review__year__in=years
        )
        .exclude(review__state=ReviewState.CANCELLED)
        .select_related("review")
        .order_by("review_id")
    )
    for decision in rows:
        collective.setdefault((decision.review.organization_id, decision.review.year), decision)
    subjects = {item.review.subject_id for item in wanted if item.review.subject_id is not None}
    spans: dict[tuple[int, int], list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
    if subjects:
        positions = Position.objects.held_during(
            datetime.date(min(years), 1, 1), datetime.date(max(years), 12, 31)
        ).filter(person_id__in=subjects, organization_id__in=organizations, role=Role.SECRETARY)
        for position in positions:
            spans[(position.person_id, position.organization_id)].append((position.start, position.end))
    for item in wanted:
        review = item.review
        first, last = datetime.date(review.year, 1, 1), datetime.date(review.year, 12, 31)
        item.ballot = _one(review, "ballot")
        item.collective_decision = collective.get((review.organization_id, review.year))
        item.subject_was_head = any(
            start <= last and (end is None or end >= first)
            for start, end in spans.get((review.subject_id, review.organization_id), ())
        )


def caps_organizations(item: ReviewFacts) -> bool:
    """Is ``item`` a decided collective review under a regime that caps the ratings of organisations?"""
    regime = item.regime
    return (
        item.decision is not None
        and item.review.kind == ReviewKind.COLLECTIVE
        and item.review.subject_id is None
        and regime is not None
        and regime.quota_scope("organizations") is not None
    )


def _year_end_of(year: int, valid_to: datetime.date | None) -> datetime.date:
    """``permissions.tree.reference_day`` for an organisation known only by its ``valid_to``."""
    return reference_day(year, SimpleNamespace(valid_to=valid_to))


def load_peer_ratings(facts: list[ReviewFacts], tree: DatedTree) -> None:
    """Set ``peer_ratings`` on the batch's reviews that the quota rule reads (one aggregate query at most): the
    decisions of the live collective reviews of their years whose organisation had the same direct superior."""
    wanted = [item for item in facts if caps_organizations(item)]
    if not wanted:
        return
    keys = {id(item): (item.review.year, item.direct_superior_id(item.reference_day)) for item in wanted}
    superiors = {superior for _year, superior in keys.values() if superior is not None}
    if not superiors:
        return
    # Organisations that ever had one of these superiors (the exact day is checked below, per peer).
    candidates = {org for org, superior in tree.superior.items() if superior in superiors}
    candidates |= {org for org, periods in tree.periods.items() if any(p[0] in superiors for p in periods)}
    rows = (
        Decision.objects.filter(
            review__year__in={year for year, _superior in keys.values()},
            review__kind=ReviewKind.COLLECTIVE,
            review__subject__isnull=True,
            review__organization_id__in=candidates,
        )
        .exclude(review__state=ReviewState.CANCELLED)
        .values_list(
            "review_id", "review__year", "review__organization_id", "review__organization__valid_to", "final_rating"
        )
    )
    groups: dict[tuple[int, int | None], dict[int, str]] = defaultdict(dict)
    for review_id, year, org_id, valid_to, rating in rows:
        groups[(year, tree.superior_id_on(org_id, _year_end_of(year, valid_to)))][review_id] = rating
    for item in wanted:
        key = keys[id(item)]
        if key[1] is not None:
            item.peer_ratings = dict(groups.get(key, {}))


def release(facts: Iterable[ReviewFacts]) -> None:
    """Break the reference cycles Django's caches make between a batch's objects (a review and its related
    objects point at each other), so each batch is freed as soon as it is done with, not at the next full
    garbage collection. This is what keeps the bulk audit's memory flat however many reviews it reads."""
    for item in facts:
        objects = [
            item.review,
            item.conference,
            item.self_assessment,
            item.decision,
            item.notification,
            item.remedial_plan,
            item.ballot,
            item.collective_decision,
            *item.versions,
            *item.opinions,
            *item.responses.values(),
            *item.attendance,
            *item.guidance,
            *item.remedial_items,
            *item.events,
        ]
        for obj in objects:
            if obj is not None:
                obj._state.fields_cache.clear()
                obj.__dict__.pop("_prefetched_objects_cache", None)


def facts_for(review: Review | int) -> ReviewFacts:
    """Facts for one review (the same queries as one batch of the bulk audit)."""
    pk = review.pk if isinstance(review, Review) else review
    return load_facts(facts_queryset(Review.objects.filter(pk=pk)))[0]
