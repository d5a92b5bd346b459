"""Reads of rating rounds, with visibility built in, and the tallies every door shows.

* Who sees a round: whoever may see its rating body (``permissions.selectors.organizations_visible_to``: the
  body's own members, superior roles above it, inspection); anyone else gets 404.
* Who acts on a round (opens, records entries, decides): a position valid today **in the rating body**, with a
  role of ``ROUND_ROLES[subject]``: the secretary rates its cells and members; the standing committee and the
  organisation board rate the organisations below.
* The quota table is ``review_process.ratings.quota_errors`` read row by row: the same rule the decision
  enforces, so the page, the API and the service agree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from permissions.models import Organization, Position
from permissions.roles import Role
from permissions.selectors import organizations_visible_to
from permissions.tree import parents_on, reference_day
from review_process.errors import NotFound
from review_process.models import (
    RatingEntry,
    RatingRound,
    Review,
    ReviewKind,
    ReviewState,
    RoundState,
    RoundSubject,
    SelfAssessment,
)
from review_process.ratings import RATING_ORDER, quota_errors
from review_process.regimes import SCOPE_ROUND

#: The roles (held today in the rating body) that open, record and decide a round of each subject.
ROUND_ROLES: dict[str, tuple[str, ...]] = {
    RoundSubject.MEMBERS: (Role.SECRETARY,),
    RoundSubject.ORGANIZATIONS: (Role.SECRETARY, Role.STANDING_COMMITTEE, Role.ORGANIZATION_BOARD),
    RoundSubject.LEADERS: (Role.STANDING_COMMITTEE, Role.ORGANIZATION_BOARD),
}
WHOLE_ROUND = _("the whole round")


def rounds_visible_to(*, user) -> QuerySet[RatingRound]:
    if not user.is_authenticated:
        return RatingRound.objects.none()
    visible = organizations_visible_to(user=user).values("pk")
    return RatingRound.objects.filter(organization__in=visible).select_related(
        "organization", "opened_by", "decided_by"
    )


def round_get_for_user(*, user, round_id) -> RatingRound:
    """The round, or NotFound when it does not exist or ``user`` may not see its rating body."""
    try:
        pk = int(round_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = rounds_visible_to(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def round_role(*, user, organization: Organization, subject: str) -> str | None:
    """The role by which ``user`` rates ``subject`` for ``organization`` (None: they may not)."""
    if not user.is_authenticated or subject not in ROUND_ROLES:
        return None
    roles = set(
        Position.objects.active_on()
        .filter(person_id=user.pk, organization_id=organization.pk, role__in=ROUND_ROLES[subject])
        .values_list("role", flat=True)
    )
    return next((role for role in ROUND_ROLES[subject] if role in roles), None)


def rating_bodies_of(*, user) -> list[tuple[Organization, list[str]]]:
    """The organisations where ``user`` may open rounds today, each with the subjects they may rate."""
    if not user.is_authenticated:
        return []
    positions = Position.objects.active_on().filter(person_id=user.pk).select_related("organization")
    subjects: dict[int, set[str]] = defaultdict(set)
    organizations: dict[int, Organization] = {}
    for position in positions:
        for subject, roles in ROUND_ROLES.items():
            if position.role in roles:
                subjects[position.organization_id].add(subject)
                organizations[position.organization_id] = position.organization
    order = list(RoundSubject.values)
    return [
        (organizations[pk], sorted(subjects[pk], key=order.index))
        for pk in sorted(organizations, key=lambda pk: organizations[pk].path)
    ]


def direct_subordinates(*, organization: Organization, year: int) -> list[Organization]:
    """The organisations directly below ``organization`` in the tree of ``year`` (its 31 December)."""
    day = reference_day(year, organization)
    ids = [pk for pk, parent in parents_on(day).items() if parent == organization.pk]
    return list(Organization.objects.filter(pk__in=ids).order_by("code"))


def live_collective_reviews(*, organization_ids: Iterable[int], year: int) -> dict[int, Review]:
    """The live (not cancelled) collective review of each organisation for ``year``."""
    reviews = (
        Review.objects.filter(organization_id__in=list(organization_ids), year=year, kind=ReviewKind.COLLECTIVE)
        .filter(subject__isnull=True)
        .exclude(state=ReviewState.CANCELLED)
    )
    return {review.organization_id: review for review in reviews}


def self_assessments(*, organization_ids: Iterable[int], year: int) -> dict[int, SelfAssessment]:
    """The self-assessment of each organisation's live collective review of ``year``, where there is one."""
    reviews = live_collective_reviews(organization_ids=organization_ids, year=year)
    by_review = SelfAssessment.objects.filter(review__in=list(reviews.values()))
    review_org = {review.pk: org_id for org_id, review in reviews.items()}
    return {review_org[a.review_id]: a for a in by_review}


def positions_held_during(*, user, organization_ids: Iterable[int], year: int) -> list[Organization]:
    """The organisations among ``organization_ids`` where ``user`` held any position during ``year``."""
    held = (
        Position.objects.held_in_year(year)
        .filter(person_id=user.pk, organization_id__in=list(organization_ids))
        .values_list("organization_id", flat=True)
    )
    return list(Organization.objects.filter(pk__in=set(held)).order_by("code"))


def ratings_by_group(entries: Iterable[RatingEntry], field: str = "final_rating") -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        bucket = groups[entry.group]  # a group with no rating yet still shows
        value = getattr(entry, field)
        if value:
            bucket.append(value)
    return dict(groups)


def rating_counts(entries: Iterable[RatingEntry], field: str) -> dict[str, int]:
    counted = Counter(getattr(entry, field) for entry in entries)
    return {rating: counted.get(rating, 0) for rating in reversed(RATING_ORDER)}


def quota_table(round_: RatingRound, entries: list[RatingEntry]) -> list[dict]:
    """One row per group of the round's quota scope (the whole round as one row for scope ``round``), with the
    final ratings' excellent and good, the most excellent allowed, and whether the cap holds.  A subject the
    regime does not cap shows its groups with ``ok`` true and ``capped`` false."""
    regime = round_.regime
    scope = round_.quota_scope
    groups = ratings_by_group(entries)
    if scope == SCOPE_ROUND:
        groups = {"": [r for ratings in groups.values() for r in ratings]}
    divisor = regime.quota_divisor if regime else 5
    over = {str(error.params["group"]) for error in (quota_errors(regime, round_.subject, groups) if regime else [])}
    rows = []
    for group, ratings in sorted(groups.items()):
        counted = Counter(ratings)
        label = group or str(WHOLE_ROUND)
        rows.append(
            {
                "group": group,
                "label": label,
                "excellent": counted.get("excellent", 0),
                "good": counted.get("good", 0),
                "allowed": counted.get("good", 0) // divisor,
                "capped": scope is not None,
                "ok": label not in over,
            }
        )
    return rows


def superseded_by(round_: RatingRound) -> RatingRound | None:
    """The decided correction that replaced ``round_`` (None while it stands)."""
    return round_.corrections.filter(state__in=[RoundState.DECIDED, RoundState.SUPERSEDED]).order_by("pk").first()


def open_correction(round_: RatingRound) -> RatingRound | None:
    return round_.corrections.filter(state=RoundState.OPEN).first()


def round_entries(round_: RatingRound) -> list[RatingEntry]:
    return list(round_.entries.all().order_by("position", "pk"))


def round_view(round_: RatingRound) -> dict:
    """Everything the API and the page show of a round, in a fixed number of queries."""
    entries = round_entries(round_)
    replaced = superseded_by(round_)
    correction = open_correction(round_)
    return {
        "id": round_.pk,
        "round": round_,
        "organization": round_.organization.code,
        "organization_name": round_.organization.name,
        "year": round_.year,
        "regime": round_.regime_code,
        "subject": round_.subject,
        "state": round_.state,
        "quota_scope": round_.quota_scope,
        "quota_divisor": round_.regime.quota_divisor if round_.regime else 5,
        "counts": {
            "proposed": rating_counts(entries, "proposed_rating"),
            "final": rating_counts(entries, "final_rating"),
        },
        "quota": quota_table(round_, entries),
        "entries": entries,
        "vote": round_.vote,
        "supersedes": round_.supersedes_id,
        "supersede_reason": round_.supersede_reason,
        "superseded_by": replaced.pk if replaced else None,
        "open_correction": correction.pk if correction else None,
        "opened_by": round_.opened_by,
        "opened_at": round_.opened_at,
        "decided_by": round_.decided_by,
        "decided_at": round_.decided_at,
    }
