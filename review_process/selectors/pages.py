"""Page-shaped reads: one row per review for lists (stage, next step, who it waits on, deadline), the
superior's overview of a year, and the people in a review's line.  A constant number of queries each."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from guardian.models import UserObjectPermission

from permissions.models import OrganizationKind, Position
from permissions.roles import LOCAL_ROLES, SUPERIOR_ROLES, review_codename
from permissions.selectors import superior_scope
from review_process.access import prefetch_review_perms
from review_process.machine import next_transition_from, waiting_on_roles
from review_process.models import Review, ReviewKind, ReviewState
from review_process.selectors.deadlines import DEADLINE_BY_STATE, review_deadlines, review_overdue
from review_process.selectors.reviews import reviews_visible_to


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


def overview_for(*, user, year: int, today: datetime.date | None = None) -> dict:
    """The superior's overview of a year: one row per subordinate organisation (with its review, if any), followed
    by one row per individual review of its leaders; counts per stage (of the organisations' reviews), and the
    overdue rows.  Party cells appear only when they have a review in the engine (their ward rates them in a rating
    round).  A constant number of queries."""
    organizations = list(superior_scope(user=user, day=datetime.date(year, 12, 31)))
    reviews = list(
        reviews_visible_to(user=user)
        .filter(year=year, organization__in=[o.pk for o in organizations])
        .select_related("organization", "conference", "subject")
    )
    summaries, leaders = {}, {}
    for row in review_summaries(user=user, reviews=reviews, today=today):
        if row["review"].kind == ReviewKind.INDIVIDUAL:
            leaders.setdefault(row["review"].organization_id, []).append(row)
        else:
            summaries[row["review"].organization_id] = row
    rows = []
    for org in organizations:
        if org.kind == OrganizationKind.CELL and org.pk not in summaries and org.pk not in leaders:
            continue  # party cells are rated by their ward in a rating round; listed only with a review here
        rows.append({"organization": org, **summaries.get(org.pk, {"review": None})})
        rows += [{"organization": org, **row} for row in leaders.get(org.pk, [])]
    counts = {state: 0 for state in ReviewState.values}
    for review in reviews:
        if review.kind != ReviewKind.INDIVIDUAL:
            counts[review.state] += 1
    not_opened = sum(1 for row in rows if row["review"] is None)
    return {
        "year": year,
        "rows": rows,
        "counts": counts,
        "not_opened": not_opened,
        "overdue": [row for row in rows if row.get("overdue")],
    }


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
