"""The superior's overview of a year, one level of the tree at a time.

``overview_for(user=, year=, org=)`` answers for one level: the organisations directly below ``org`` (by default
below the organisations where the person holds a superior role today), in the tree of the year (its 31 December,
``permissions.tree.parents_on``), one page of them (``pages.PAGE_SIZE``). Each row is the organisation with its
own review of the year (stage, next step and who it waits on, deadline, overdue: ``pages.review_summaries``),
followed by one row per individual review of its leaders, and, for an organisation with organisations below it,
their figures: how many reviews at each stage, how many not opened, how many overdue, with a link one level down.
Above the rows: the counts per stage of the whole level (the chart), "not opened", and the first overdue reviews.

Invariants:

* The figures are counted by the database: one aggregate query over the reviews of the level's whole subtree,
  grouped by the row they belong to (the tree of the year maps each organisation to its row) and stage. Nothing
  is drawn or loaded per organisation of the subtree: the city's overview costs what a district's does (a
  constant number of queries, about ten).
* Only reviews the person may see are counted or listed (``reviews_visible_to``); an ``org`` outside their
  scope in the tree of that year is ``None`` (the page answers 404).
* Party cells are rated by their ward in a rating round: a cell is a row only when it has a review here, and is
  never counted as "not opened".
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.utils import timezone

from permissions.models import Organization, OrganizationKind, Position
from permissions.roles import SUPERIOR_ROLES
from permissions.tree import parents_on
from review_process.models import ReviewKind, ReviewState
from review_process.selectors.pages import OVERDUE_SHOWN, PAGE_SIZE, overdue_filter, review_summaries
from review_process.selectors.reviews import reviews_visible_to

#: A level whose subtree has at most this many organisations is asked of the database by their keys; a larger one
#: (the city's) reads the person's reviews of the year and leaves out, in Python, those outside the level.
SMALL_SUBTREE = 500
#: How many overdue reviews are looked at to name the first few of the level.
OVERDUE_SCANNED = 200


class _Tree:
    """The tree of ``day`` below the person's superior positions (two queries: ``parents_on``)."""

    def __init__(self, *, user, day: datetime.date) -> None:
        self.parent = parents_on(day)
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for org_id, parent_id in self.parent.items():
            self.children[parent_id].append(org_id)
        held = set(
            Position.objects.active_on()
            .filter(person=user, role__in=SUPERIOR_ROLES)
            .values_list("organization_id", flat=True)
        )
        self.roots = [pk for pk in held if not self._below(pk, held)]  # the highest of the person's positions

    def _below(self, org_id: int, of: set[int]) -> bool:
        return bool(set(self.line(org_id)) & of)

    def line(self, org_id: int) -> list[int]:
        """The superiors of ``org_id`` in this tree, the root first (excluding ``org_id``)."""
        line, seen, current = [], {org_id}, self.parent.get(org_id)
        while current is not None and current not in seen:
            line.append(current)
            seen.add(current)
            current = self.parent.get(current)
        return list(reversed(line))

    def descendants(self, org_id: int) -> list[int]:
        result, stack = [], list(self.children.get(org_id, ()))
        while stack:
            node = stack.pop()
            result.append(node)
            stack.extend(self.children.get(node, ()))
        return result

    def in_scope(self, org_id: int) -> bool:
        return org_id in self.roots or self._below(org_id, set(self.roots))


def _first_overdue(overdue, subtree: set[int]) -> list:
    """The first ``OVERDUE_SHOWN`` overdue reviews of the level, in the order of the tree (two queries: the
    candidates' keys, then the reviews shown)."""
    keys = overdue.order_by("organization__path", "pk").values_list("pk", "organization_id")[:OVERDUE_SCANNED]
    shown = [pk for pk, org_id in keys if org_id in subtree][:OVERDUE_SHOWN]
    reviews = overdue.model.objects.filter(pk__in=shown).select_related("organization", "conference", "subject")
    return sorted(reviews, key=lambda review: shown.index(review.pk))


def _figures() -> dict:
    return {"counts": {state: 0 for state in ReviewState.values}, "overdue": 0, "opened": 0, "organizations": 0}


def overview_for(
    *, user, year: int, org: str = "", page: str | int = 1, today: datetime.date | None = None
) -> dict | None:
    """One level of the overview of ``year`` (see the module's docstring); None when ``org`` is not in the
    person's scope that year, or when the person holds no superior role."""
    today = today or timezone.localdate()
    tree = _Tree(user=user, day=datetime.date(year, 12, 31))
    if not tree.roots:
        return None
    level_org = None
    if org:
        level_org = Organization.objects.filter(code=org).first()
        if level_org is None or level_org.pk not in tree.parent or not tree.in_scope(level_org.pk):
            return None
        heads = [level_org.pk]
    else:
        heads = sorted(tree.roots)
    child_ids = [child for head in heads for child in tree.children.get(head, ())]
    below = {child: tree.descendants(child) for child in child_ids}
    subtree = [*child_ids, *(pk for ids in below.values() for pk in ids)]

    # Every figure of the level in one aggregate query: per organisation and stage, folded into the level's rows
    # by the tree of the year (no list of the subtree's organisations is sent to the database when it is large).
    reviews = reviews_visible_to(user=user).filter(year=year)
    if len(subtree) <= SMALL_SUBTREE:
        reviews = reviews.filter(organization_id__in=subtree)
    overdue = overdue_filter(reviews, today)
    collective = Q(kind=ReviewKind.COLLECTIVE)
    aggregate = (
        reviews.order_by()
        .values("organization_id", "state")
        .annotate(
            n=Count("pk", filter=collective),
            late=Count("pk", filter=overdue),
            opened=Count("pk", filter=collective & ~Q(organization__kind=OrganizationKind.CELL)),
        )
        .values_list("organization_id", "state", "n", "late", "opened")
    )
    row_of = {pk: child for child, ids in below.items() for pk in ids}
    level, figures, has_review = _figures(), defaultdict(_figures), set()
    for org_id, state, n, late, opened in aggregate:
        if org_id in below:  # the row's own reviews
            has_review.add(org_id)
        elif org_id in row_of:
            row = figures[row_of[org_id]]
            row["counts"][state] += n
            row["overdue"] += late
            row["opened"] += opened
        else:
            continue  # a review the person may see outside this level (a participant, a past actor)
        level["counts"][state] += n
        level["overdue"] += late
        level["opened"] += opened

    # The organisations of the level (and of the breadcrumb), in one query; not-cell counts come with them.
    crumbs = [*tree.line(level_org.pk), level_org.pk] if level_org else []
    crumbs = [pk for pk in crumbs if tree.in_scope(pk)]
    named = Organization.objects.filter(pk__in=[*child_ids, *crumbs]).order_by("code")
    organizations = {o.pk: o for o in named}
    cells = set(Organization.objects.filter(kind=OrganizationKind.CELL).values_list("pk", flat=True))
    for child, ids in below.items():
        figures[child]["organizations"] = sum(1 for pk in ids if pk not in cells)
    level["organizations"] = sum(1 for pk in subtree if pk not in cells)
    listed = [
        o
        for o in named
        if o.pk in below and (o.kind != OrganizationKind.CELL or o.pk in has_review or figures[o.pk]["organizations"])
    ]
    current = Paginator(listed, PAGE_SIZE).get_page(page)

    # The rows of this page, and the first overdue reviews of the level, in one summary.
    on_page = [o.pk for o in current]
    page_reviews = list(
        reviews.filter(organization_id__in=on_page)
        .select_related("organization", "conference", "subject")
        .order_by("organization__path", "kind", "pk")
    )
    first_overdue = _first_overdue(reviews.filter(overdue), set(subtree)) if level["overdue"] else []
    unique = {r.pk: r for r in [*page_reviews, *first_overdue]}
    summaries = {row["review"].pk: row for row in review_summaries(user=user, reviews=unique.values(), today=today)}
    collective_of, leaders = {}, defaultdict(list)
    for review in page_reviews:
        if review.kind == ReviewKind.INDIVIDUAL:
            leaders[review.organization_id].append(summaries[review.pk])
        else:
            collective_of[review.organization_id] = summaries[review.pk]
    rows = []
    for organization in current:
        below_figures = figures[organization.pk] if below[organization.pk] else None
        if below_figures is not None:
            below_figures["not_opened"] = max(below_figures["organizations"] - below_figures["opened"], 0)
        rows.append(
            {
                "organization": organization,
                "below": below_figures,
                **collective_of.get(organization.pk, {"review": None}),
            }
        )
        rows += [{"organization": organization, "below": None, **row} for row in leaders[organization.pk]]
    return {
        "year": year,
        "org": level_org,
        "breadcrumbs": [organizations[pk] for pk in crumbs if pk in organizations],
        "page": current,
        "rows": rows,
        "counts": level["counts"],
        "not_opened": max(level["organizations"] - level["opened"], 0),
        "overdue_count": level["overdue"],
        "overdue": [{"organization": summaries[r.pk]["review"].organization, **summaries[r.pk]} for r in first_overdue],
    }
