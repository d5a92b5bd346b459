"""What a compliance check may read: one review's records and its audit events, loaded in bulk.

``load_facts`` turns a batch of reviews into ``ReviewFacts`` with a fixed number of queries whatever the
batch size (one per related table, see ``FACTS_QUERIES``), so the bulk audit never runs a query per review.
The checks in ``rules`` only read these objects; they never query the database.

Loading is plain: the reviews come with their one-to-one records joined (``facts_queryset``); each related table
is then read once for the batch and grouped by review in dictionaries (no ``prefetch_related``, whose cost per
review is a queryset clone per relation); the audit events are ``trail.TrailEvent`` objects, not model
instances, and so are the attendance and the remedial plan's items (``AttendanceRow``, ``RemedialItemRow``: value
rows with the model's attribute names; the checks only count them and read their columns). ``ReviewFacts``
(``compliance.review_facts``, importable from here) derives once per review what every check would otherwise
re-derive per rule: the regime, the transition events by name (``first_transition``,
``reached``...), the circulated draft, the final version, the accepted opinions, the live guidance with text.

An individual review of a leader also carries its secret-ballot tally (joined), the decision of the collective
review it follows and whether its subject was the organisation's head that year (``load_individual``: at most
``INDIVIDUAL_QUERIES`` more, and none for a batch without an individual review).

Dates (``compliance.trail``): a check judges the day a thing happened, as the person who recorded it stated it,
never the moment it was typed in. ``record_day`` reads a record's ``occurred_on`` (a report version, an opinion
and its response, guidance, the decision, the remedial plan), ``transition_day`` the ``occurred_on`` of a
transition's audit event (its payload); for rows written before ``occurred_on`` existed both fall back to the day
they were recorded, in Hà Nội time. The conference's ``held_at`` and the notification's ``notified_on`` are dates
of the event already. The audit events keep the time each thing was recorded (``occurred_at``), which orders the
trail. Withdrawn guidance (``Guidance.withdrawn_at``) does not count: ``guidance`` holds the live guidance only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from types import SimpleNamespace

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.db.models.fields.json import KT

from permissions.models import Position
from permissions.roles import SUPERIOR_ROLES, Role
from permissions.tree import DatedTree, reference_day
from review_process.compliance.review_facts import ReviewFacts
from review_process.compliance.trail import (
    HANOI,
    TRAIL_FIELDS,
    TRANSITION_PREFIX,
    TrailEvent,
    event_day,
    local_date,
    record_day,
)
from review_process.models import (
    Attendance,
    AuditEvent,
    Conference,
    Decision,
    Guidance,
    Opinion,
    RemedialItem,
    ReportVersion,
    Review,
    ReviewKind,
    ReviewState,
)

__all__ = [
    "FACTS_QUERIES",
    "HANOI",
    "INDIVIDUAL_QUERIES",
    "PEER_QUERIES",
    "TRANSITION_PREFIX",
    "ReviewFacts",
    "event_day",
    "facts_for",
    "facts_queryset",
    "load_facts",
    "local_date",
    "record_day",
    "release",
]

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

#: Kept for callers that named the audit event's columns read (``trail.TRAIL_FIELDS``).
AUDIT_EVENT_FIELDS = TRAIL_FIELDS


def facts_queryset(qs: QuerySet[Review]) -> QuerySet[Review]:
    """``qs`` with the one-to-one records a check reads joined (``load_facts`` reads the rest per batch)."""
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
    )


def _one(instance, name):
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


class _Row:
    """A row read as values, with its columns as attributes (``pk`` is ``id``): what a check reads of a table whose
    rows it only counts and looks into (attendance, remedial plan items), without building model instances."""

    __slots__ = ()
    columns: tuple[str, ...] = ()

    def __init__(self, *values) -> None:
        for name, value in zip(self.columns, values, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"


class AttendanceRow(_Row):
    columns = __slots__ = ("id", "conference_id", "person_id", "present", "reason")


class RemedialItemRow(_Row):
    columns = __slots__ = ("id", "plan_id", "description", "owner", "due_date")


def _rows(row_class: type[_Row], qs: QuerySet) -> list[_Row]:
    return [row_class(*values) for values in qs.values_list(*row_class.columns)]


def _grouped(rows, key: str) -> dict[int, list]:
    """``rows`` (model instances, in the query's order) by the value of their attribute ``key``."""
    groups: dict[int, list] = defaultdict(list)
    for row in rows:
        groups[getattr(row, key)].append(row)
    return groups


def _related(review_ids: list[int], conference_ids: list[int], plan_ids: list[int]) -> dict[str, dict]:
    """The batch's rows of every related table a check reads, grouped by their parent's id: one query per table,
    none for a table whose parents the batch lacks (a batch without a conference reads no attendance)."""
    events: dict[int, list[TrailEvent]] = defaultdict(list)
    rows = (
        AuditEvent.objects.filter(review_id__in=review_ids)
        # The day a step happened and the records fingerprinted, read from the payload in the query (the rest of
        # the payloads is not loaded).
        .annotate(stated_day=KT("payload__occurred_on"), fingerprinted=KT("payload__records"))
        .order_by("review_id", "sequence")
        .values_list(*TRAIL_FIELDS, "stated_day", "fingerprinted")
    )
    for values in rows:
        events[values[1]].append(TrailEvent(*values))
    related = {
        "events": events,
        "versions": _grouped(
            ReportVersion.objects.filter(review_id__in=review_ids).order_by("review_id", "number"), "review_id"
        ),
        "opinions": _grouped(
            Opinion.objects.filter(review_id__in=review_ids)
            .select_related("response", "author")
            .order_by("review_id", "created_at", "pk"),
            "review_id",
        ),
        "guidance": _grouped(
            Guidance.objects.filter(review_id__in=review_ids).order_by("review_id", "created_at", "pk"), "review_id"
        ),
        "attendance": {},
        "representatives": {},
        "items": {},
    }
    if conference_ids:
        attendance = Attendance.objects.filter(conference_id__in=conference_ids).order_by("conference_id", "pk")
        related["attendance"] = _grouped(_rows(AttendanceRow, attendance), "conference_id")
        # In a fixed order (PostgreSQL returns a many-to-many's rows in any order): the report reads the same.
        through = Conference.superior_representatives.through.objects.filter(conference_id__in=conference_ids)
        related["representatives"] = _representatives(through)
    if plan_ids:
        items = RemedialItem.objects.filter(plan_id__in=plan_ids).order_by("plan_id", "due_date", "pk")
        related["items"] = _grouped(_rows(RemedialItemRow, items), "plan_id")
    return related


def _representatives(through: QuerySet) -> dict[int, list]:
    groups: dict[int, list] = defaultdict(list)
    for row in through.select_related("user").order_by("conference_id", "user_id"):
        groups[row.conference_id].append(row.user)
    return groups


def load_facts(reviews: Iterable[Review]) -> list[ReviewFacts]:
    """Facts for reviews that came from ``facts_queryset`` (plus one query per related table, and one for the
    people's positions)."""
    reviews = list(reviews)
    if not reviews:
        return []
    conferences = {review.pk: _one(review, "conference") for review in reviews}
    plans = {review.pk: _one(review, "remedial_plan") for review in reviews}
    related = _related(
        [review.pk for review in reviews],
        [c.pk for c in conferences.values() if c is not None],
        [p.pk for p in plans.values() if p is not None],
    )
    facts = []
    people: set[int] = set()
    for review in reviews:
        pk = review.pk
        conference, plan = conferences[pk], plans[pk]
        decision = _one(review, "decision")
        opinions = related["opinions"].get(pk) or []
        item = ReviewFacts(
            review=review,
            versions=related["versions"].get(pk) or [],
            opinions=opinions,
            responses={o.pk: r for o in opinions if (r := _one(o, "response")) is not None},
            conference=conference,
            attendance=(related["attendance"].get(conference.pk) or []) if conference else [],
            representatives=(related["representatives"].get(conference.pk) or []) if conference else [],
            guidance=[g for g in related["guidance"].get(pk, ()) if g.withdrawn_at is None],
            self_assessment=_one(review, "self_assessment"),
            decision=decision,
            notification=_one(review, "notification"),
            remedial_plan=plan,
            remedial_items=(related["items"].get(plan.pk) or []) if plan else [],
            events=related["events"].get(pk) or [],
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
            *item.guidance,
        ]
        for obj in objects:
            if obj is not None:
                obj._state.fields_cache.clear()
                obj.__dict__.pop("_prefetched_objects_cache", None)


def facts_for(review: Review | int) -> ReviewFacts:
    """Facts for one review (the same queries as one batch of the bulk audit)."""
    pk = review.pk if isinstance(review, Review) else review
    return load_facts(facts_queryset(Review.objects.filter(pk=pk)))[0]
