"""Page-shaped reads: one row per review for lists (stage, next step, who it waits on, deadline), the home page's
paginated, filtered list of the reviews a person can see with its counts per stage, and the people in a review's
line.  A constant number of queries each, whatever the number of reviews: the lists draw only one page of rows
(``PAGE_SIZE``), and what is counted over all of them (per stage, overdue) is counted by the database.

``overdue_filter`` is the SQL reading of ``deadlines.review_overdue`` (the deadline of the review's current stage
has passed), built from the same regime parameters; ``tests/web/test_home_lists.py`` checks that the two agree on
every stage."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Subquery
from django.utils import timezone
from guardian.models import UserObjectPermission

from permissions.models import Organization, Position
from permissions.roles import LOCAL_ROLES, SUPERIOR_ROLES, review_codename
from review_process.access import prefetch_review_perms
from review_process.machine import next_transition_from, waiting_on_roles
from review_process.models import Review, ReviewState
from review_process.regimes import pinned_regime, regime_for
from review_process.selectors.deadlines import DEADLINE_BY_STATE, review_deadlines, review_overdue
from review_process.selectors.reviews import reviews_visible_to

#: Rows per page of the lists (home, overview, task list).
PAGE_SIZE = 25
#: Overdue reviews named on the home page and the overview before "see all" (the filtered list).
OVERDUE_SHOWN = 5


def next_transition(review: Review) -> str | None:
    return next_transition_from(review.state)


def next_actors_by_review(reviews) -> dict[int, list]:
    """For each review, the people who may take its next step (one query for all reviews)."""
    wanted: dict[int, str] = {}
    for review in reviews:
        name = next_transition(review)
        if name is not None:
            wanted[review.pk] = review_codename(name)
    result: dict[int, list] = {pk: [] for pk in wanted}
    if not wanted:
        return result
    rows = (
        UserObjectPermission.objects.filter(
            content_type=ContentType.objects.get_for_model(Review),
            object_pk__in=[str(pk) for pk in wanted],
            permission__codename__in=set(wanted.values()),
            user__is_active=True,
        )
        .select_related("user", "permission")
        .order_by("user__full_name", "user__username")
    )
    for row in rows:
        pk = int(row.object_pk)
        if wanted.get(pk) == row.permission.codename:
            result[pk].append(row.user)
    return result


def review_summaries(*, user, reviews, today: datetime.date | None = None) -> list[dict]:
    """One row per review for lists: stage, next step, who it waits on, the current deadline and whether it
    is overdue.  A constant number of queries whatever the number of reviews (select_related("conference")
    on the queryset keeps the deadlines free)."""
    reviews = list(reviews)
    prefetch_review_perms(user, reviews)
    actors = next_actors_by_review(reviews)
    rows = []
    for review in reviews:
        key = DEADLINE_BY_STATE.get(review.state)
        deadline = review_deadlines(review).get(key) if key else None
        rows.append(
            {
                "review": review,
                "next_transition": next_transition(review),
                "waiting_on_roles": waiting_on_roles(review.state),
                "waiting_on_people": actors.get(review.pk, []),
                "deadline_key": key,
                "deadline": deadline,
                "overdue": review_overdue(review, today) is not None,
            }
        )
    return rows


def review_people(*, review: Review) -> dict[str, list]:
    """People in the review's line today: ``local`` (the organisation's own roles) and ``superior``."""
    organization = review.organization
    positions = (
        Position.objects.active_on()
        .filter(
            Q(organization_id=organization.pk, role__in=LOCAL_ROLES)
            | Q(organization_id__in=organization.ancestor_ids, role__in=SUPERIOR_ROLES)
        )
        .select_related("person")
        .order_by("person__full_name", "person__username")
    )
    local: dict[int, object] = {}
    superior: dict[int, object] = {}
    for position in positions:
        if not position.person.is_active:
            continue
        (local if position.role in LOCAL_ROLES else superior).setdefault(position.person_id, position.person)
    return {"local": list(local.values()), "superior": list(superior.values())}


def _midnight_utc(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def _regime_overdue_q(regime, year: int, today: datetime.date) -> Q:
    """Reviews of ``year`` under ``regime`` whose current stage's deadline has passed (``review_deadlines``:
    draft and opinions by the conference deadline, finalising from the conference held (or its deadline),
    the notification from the approval; dates of stored moments are their UTC days, as there)."""
    S = ReviewState
    conference_by = regime.conference_deadline(year)
    finalize = datetime.timedelta(days=regime.finalize_days)
    q = Q(pk__in=[])
    if conference_by - datetime.timedelta(days=regime.draft_notice_days) < today:
        q |= Q(state=S.DRAFT)
    if conference_by < today:
        q |= Q(state=S.COLLECTING_OPINIONS)
    finalizing = Q(state__in=[S.AWAITING_GUIDANCE, S.FINALIZING])
    q |= finalizing & Q(conference__held_at__lt=_midnight_utc(today - finalize))
    if conference_by + finalize < today:
        q |= finalizing & Q(conference__isnull=True)
    q |= Q(state=S.APPROVED, approved_at__lt=_midnight_utc(today - datetime.timedelta(days=regime.notify_days)))
    return q


def overdue_filter(reviews: QuerySet[Review], today: datetime.date | None = None) -> Q:
    """A filter for the reviews of ``reviews`` that ``review_overdue`` finds overdue (one query: the regimes
    pinned by those reviews, per year; a review without a regime has no deadline)."""
    today = today or timezone.localdate()
    pins = (
        reviews.filter(state__in=list(DEADLINE_BY_STATE))
        .order_by()
        .values_list("regime_code", "regime_rules", "year")
        .distinct()
    )
    pins = list(pins)
    rules_per_code_year: dict[tuple[str, int], int] = {}
    for code, _rules, year in pins:
        rules_per_code_year[(code, year)] = rules_per_code_year.get((code, year), 0) + 1
    q = Q(pk__in=[])
    for code, rules, year in pins:
        regime = pinned_regime(code, rules) if code else regime_for(year)
        if regime is None:
            continue
        pin = Q(regime_code=code, year=year)
        if rules_per_code_year[(code, year)] > 1:  # the same code pinned with other rules: tell them apart
            pin &= Q(regime_rules=rules)
        q |= pin & _regime_overdue_q(regime, year, today)
    return q


@dataclass(frozen=True)
class ReviewFilters:
    """The home list's filters (query parameters): ``stage``, ``overdue`` ("1"), ``q`` (organisation name or
    code, or the person an individual review is about) and ``org`` (an organisation's code: it and everything
    below it in today's tree)."""

    stage: str = ""
    overdue: bool = False
    q: str = ""
    org: str = ""

    @classmethod
    def from_query(cls, params) -> ReviewFilters:
        stage = params.get("stage", "")
        return cls(
            stage=stage if stage in ReviewState.values else "",
            overdue=params.get("overdue") == "1",
            q=params.get("q", "").strip()[:100],
            org=params.get("org", "").strip()[:50],
        )

    @property
    def active(self) -> bool:
        return bool(self.stage or self.overdue or self.q or self.org)

    def query(self, **changes) -> str:
        """The query string of these filters with ``changes`` (for links: another stage, another page)."""
        values = {"stage": self.stage, "overdue": "1" if self.overdue else "", "q": self.q, "org": self.org}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def organization_choices(*, user) -> list[Organization]:
    """The organisations a person may narrow their list to: those where they hold a superior role today and
    those directly below them (one query)."""
    held = Position.objects.active_on().filter(person=user, role__in=SUPERIOR_ROLES).values("organization_id")
    return list(Organization.objects.filter(Q(superior_id__in=held) | Q(pk__in=held)).order_by("path"))


def _scoped(reviews: QuerySet[Review], filters: ReviewFilters) -> QuerySet[Review]:
    if filters.org:
        path = Organization.objects.filter(code=filters.org).values("path")[:1]
        reviews = reviews.filter(organization__path__startswith=Subquery(path))
    if filters.q:
        reviews = reviews.filter(
            Q(organization__name__icontains=filters.q)
            | Q(organization__code__iexact=filters.q)
            | Q(subject__full_name__icontains=filters.q)
        )
    return reviews


def review_list(*, user, filters: ReviewFilters, page: str | int = 1, today: datetime.date | None = None) -> dict:
    """The home page's list of the reviews ``user`` can see: one page of rows (``review_summaries``) under the
    filters; the counts per stage and overdue (one aggregate query, under the organisation filters but not the
    stage's, so that every stage stays one click away); the first overdue reviews. About seven queries."""
    today = today or timezone.localdate()
    scoped = _scoped(reviews_visible_to(user=user), filters)
    overdue = overdue_filter(scoped, today)
    counts = {state: 0 for state in ReviewState.values}
    late = {state: 0 for state in ReviewState.values}
    aggregate = scoped.order_by().values("state").annotate(n=Count("pk"), late=Count("pk", filter=overdue))
    for state, n, n_late in aggregate.values_list("state", "n", "late"):
        counts[state], late[state] = n, n_late
    listed = scoped.filter(state=filters.stage) if filters.stage else scoped
    if filters.overdue:
        listed = listed.filter(overdue)
    # The page's keys are ordered (and cut) with the organisation alone; only its rows are joined to the rest.
    keys = listed.order_by("-year", "organization__path", "pk").values("pk")
    paginator = Paginator(keys, PAGE_SIZE)
    counted = late if filters.overdue else counts
    # The aggregate already counted the list: spare the paginator its COUNT query.
    paginator.__dict__["count"] = counted[filters.stage] if filters.stage else sum(counted.values())
    current = paginator.get_page(page)
    current.object_list = sorted(
        Review.objects.filter(pk__in=current.object_list).select_related("organization", "conference", "subject"),
        key=lambda review: (-review.year, review.organization.path, review.pk),
    )
    overdue_count = sum(late.values())
    first_overdue = (
        list(
            scoped.filter(overdue)
            .select_related("organization", "conference", "subject")
            .order_by("-year", "organization__path", "pk")[:OVERDUE_SHOWN]
        )
        if overdue_count
        else []
    )
    summaries = review_summaries(user=user, reviews={r.pk: r for r in [*current, *first_overdue]}.values(), today=today)
    rows = {row["review"].pk: row for row in summaries}
    return {
        "page": current,
        "rows": [rows[review.pk] for review in current],
        "counts": counts,
        "total": sum(counts.values()),
        "overdue_count": overdue_count,
        "overdue": [rows[review.pk] for review in first_overdue],
        "filters": filters,
    }


def page_links(page: Page, query) -> dict:
    """The pagination of ``page``: links to the first and last pages and two either side of the current one
    (``gap`` where pages are skipped), and to the previous and next pages; ``query(number)`` is the query string
    of page ``number``. Empty when everything fits on one page."""
    count = page.paginator.num_pages
    if count <= 1:
        return {}
    shown = sorted({1, count, *range(max(1, page.number - 2), min(count, page.number + 2) + 1)})
    links, previous = [], 0
    for number in shown:
        if number - previous > 1:
            links.append({"gap": True})
        links.append({"number": number, "current": number == page.number, "query": query(number)})
        previous = number
    return {
        "links": links,
        "previous": query(page.previous_page_number()) if page.has_previous() else None,
        "next": query(page.next_page_number()) if page.has_next() else None,
        "start": page.start_index(),
        "end": page.end_index(),
        "count": page.paginator.count,
    }
