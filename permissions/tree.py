"""The organisation tree as of a date.

Organisations exist from ``valid_from`` to ``valid_to``; their direct superior is dated
(``SuperiorPeriod``; an organisation without periods has always had its ``Organization.superior``).
From 1 July 2025 districts were abolished and wards report directly to the city (domain-rules.md §0, §8):
the tree of 2021 and the tree of 2025 differ, and every question about a review is asked of the tree of
the review's year (``reference_day``), every question about an event of the tree on the event's date.

``Organization.path`` (the materialised path) is *today's* tree, kept for today's questions.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from permissions.models import Organization, SuperiorPeriod
from permissions.statements import Compiled

#: An organisation's dated superiors with the superior itself (compiled once: ``permissions.statements``).
_PERIODS = Compiled(
    lambda organization_id: SuperiorPeriod.objects.filter(organization_id=organization_id).select_related("superior"),
    int,
)


def reference_day(year: int, organization: Organization | None = None) -> datetime.date:
    """The day whose tree decides a review of ``year``: the year's end, or the organisation's last day
    when it ended during that year."""
    day = datetime.date(year, 12, 31)
    if organization is not None and organization.valid_to is not None and organization.valid_to < day:
        day = max(organization.valid_to, datetime.date(year, 1, 1))
    return day


def superior_on(organization: Organization, day: datetime.date) -> Organization | None:
    """The direct superior of ``organization`` on ``day`` (None for a root, or when none is recorded)."""
    periods = _PERIODS.instances(organization.pk)
    if not periods:
        return organization.superior
    for period in periods:
        if period.covers(day):
            return period.superior
    return None


def ancestors_on(organization: Organization, day: datetime.date) -> list[Organization]:
    """The superiors of ``organization`` on ``day``, the root first and the direct superior last."""
    line: list[Organization] = []
    seen = {organization.pk}
    current = superior_on(organization, day)
    while current is not None and current.pk not in seen:
        line.append(current)
        seen.add(current.pk)
        current = superior_on(current, day)
    return list(reversed(line))


def ancestor_ids_on(organization: Organization, day: datetime.date) -> list[int]:
    return [o.pk for o in ancestors_on(organization, day)]


def parents_on(day: datetime.date, organization_ids: Iterable[int] | None = None) -> dict[int, int | None]:
    """Every organisation existing on ``day`` mapped to its direct superior on that day (two queries)."""
    orgs = Organization.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    if organization_ids is not None:
        orgs = orgs.filter(pk__in=list(organization_ids))
    parents: dict[int, int | None] = dict(orgs.values_list("pk", "superior_id"))
    dated: dict[int, int | None] = {}
    has_periods: set[int] = set()
    for org_id, superior_id, start, end in SuperiorPeriod.objects.values_list(
        "organization_id", "superior_id", "valid_from", "valid_to"
    ):
        has_periods.add(org_id)
        if (start is None or start <= day) and (end is None or end >= day):
            dated[org_id] = superior_id
    for org_id in parents:
        if org_id in has_periods:
            parents[org_id] = dated.get(org_id)
    return parents


def descendant_ids_on(roots: Iterable[int], day: datetime.date, *, include_roots: bool = False) -> set[int]:
    """Primary keys of every organisation below ``roots`` on ``day`` (one pass over the dated tree)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for org_id, parent_id in parents_on(day).items():
        children[parent_id].append(org_id)
    result: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        for child in children.get(node, ()):
            if child not in result:
                result.add(child)
                stack.append(child)
    if include_roots:
        result |= set(roots)
    return result


def today() -> datetime.date:
    return timezone.localdate()


class DatedTree:
    """The whole dated tree in memory (two queries), for questions asked of many organisations at once
    (the bulk compliance audit): ``ancestor_ids_on`` answers like the function of the same name."""

    def __init__(self) -> None:
        self.superior: dict[int, int | None] = dict(Organization.objects.values_list("pk", "superior_id"))
        self.periods: dict[int, list[tuple]] = defaultdict(list)
        for org_id, superior_id, start, end in SuperiorPeriod.objects.values_list(
            "organization_id", "superior_id", "valid_from", "valid_to"
        ):
            self.periods[org_id].append((superior_id, start, end))

    def superior_id_on(self, organization_id: int, day: datetime.date) -> int | None:
        periods = self.periods.get(organization_id)
        if not periods:
            return self.superior.get(organization_id)
        for superior_id, start, end in periods:
            if (start is None or start <= day) and (end is None or end >= day):
                return superior_id
        return None

    def ancestor_ids_on(self, organization_id: int, day: datetime.date) -> list[int]:
        line: list[int] = []
        seen = {organization_id}
        current = self.superior_id_on(organization_id, day)
        while current is not None and current not in seen:
            line.append(current)
            seen.add(current)
            current = self.superior_id_on(current, day)
        return list(reversed(line))
