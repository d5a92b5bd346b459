"""Role grants as django-guardian object permissions, derived from positions and ROLE_ACTIONS.

A *grant target* is a model whose objects belong to an organisation (a review, for instance).
Its holders are the people with an active position in the organisation's line: local roles in the
organisation itself and superior roles in any organisation above it, plus per-object roles such as
invited participants.  ``sync_object_grants`` makes the guardian rows equal to what the table says;
it is idempotent and is called when an object is created, when a position starts or ends, and by
``manage.py sync_grants`` (daily, for positions dated in the future).

Only guardian's *generic* tables are used: viewflow's task queue reads only those.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from guardian.models import UserObjectPermission

from permissions.models import Organization, Position, SuperiorPeriod, User
from permissions.roles import ABOVE, LOCAL_ROLES, ROLE_ACTIONS, SUPERIOR_ROLES, above, actions_of, base_role
from permissions.selectors import person_positions
from permissions.tree import ancestor_ids_on, superior_on

RolesByUser = dict[int, set[str]]


class GrantTarget(Protocol):
    model: type[models.Model]

    def objects_in(self, organizations: models.QuerySet[Organization]) -> models.QuerySet: ...

    def organization_of(self, obj: models.Model) -> Organization: ...

    def extra_roles(self, obj: models.Model) -> RolesByUser: ...

    def line_day(self, obj: models.Model) -> datetime.date | None:
        """The day whose tree decides who is above ``obj``'s organisation (None: today's tree)."""
        ...

    def codename(self, action: str) -> str: ...


_targets: list[GrantTarget] = []


def register_target(target: GrantTarget) -> None:
    if all(t.model is not target.model for t in _targets):
        _targets.append(target)


def targets() -> list[GrantTarget]:
    return list(_targets)


def holders_for_line(
    organization: Organization, day: datetime.date | None = None, line_day: datetime.date | None = None
) -> RolesByUser:
    """Who holds which roles over ``organization``: its own local roles and its superiors' roles.

    Positions count when they are valid on ``day`` (today by default: rights to act follow the positions
    valid today); the superiors are those of the tree on ``line_day`` (a review's year: see
    ``permissions.tree.reference_day``), today's tree when it is None.  A superior role held above the direct
    superior is recorded as ``roles.above(role)``: it lacks the competent body's actions.
    """
    ancestors = organization.ancestor_ids if line_day is None else ancestor_ids_on(organization, line_day)
    positions = Position.objects.active_on(day).filter(
        Q(organization_id=organization.pk, role__in=LOCAL_ROLES)
        | Q(organization_id__in=ancestors, role__in=SUPERIOR_ROLES)
    )
    direct = ancestors[-1] if ancestors else None
    holders: RolesByUser = defaultdict(set)
    for person_id, role, organization_id in positions.values_list("person_id", "role", "organization_id"):
        indirect = role in SUPERIOR_ROLES and organization_id != direct
        holders[person_id].add(above(role) if indirect else role)
    return holders


def roles_of(
    user_id: int, organization: Organization, extra: RolesByUser | None = None, line_day: datetime.date | None = None
) -> set[str]:
    """The roles ``user_id`` holds over ``organization`` today (plus per-object roles in ``extra``)."""
    roles = set(holders_for_line(organization, line_day=line_day).get(user_id, set()))
    if extra:
        roles |= extra.get(user_id, set())
    return roles


class HeldRoles:
    """The roles one person holds over ``organization``, exactly as ``holders_for_line`` (plus ``extra``) says
    for them, asked one role at a time (``role in held``): their positions valid today are read once (one query),
    the direct superior in the tree of ``line_day`` only when a superior role is asked (one query), the whole line
    only for an "@above" role, and ``extra`` (a callable giving the person's per-object roles) only when such a
    role is asked.  ``acting_role`` asks for a few roles of one person; ``holders_for_line`` reads everyone's."""

    def __init__(self, user_id: int, organization: Organization, line_day: datetime.date | None = None, extra=None):
        self.user_id, self.organization, self.line_day, self._extra = user_id, organization, line_day, extra
        self._positions: set[tuple[str, int]] | None = None
        self._direct: list[int | None] = []
        self._ancestors: list[int] | None = None
        self._extra_roles: set[str] | None = None

    def positions(self) -> set[tuple[str, int]]:
        if self._positions is None:
            known = person_positions(self.user_id)
            if known is not None:
                today = timezone.localdate()
                self._positions = {(p.role, p.organization_id) for p in known.positions if p.active_on(today)}
            else:
                rows = (
                    Position.objects.active_on().filter(person_id=self.user_id).values_list("role", "organization_id")
                )
                self._positions = set(rows)
        return self._positions

    def direct_superior_id(self) -> int | None:
        """The direct superior in the tree of ``line_day`` (``ancestors[-1]`` of ``holders_for_line``)."""
        if not self._direct:
            if self.line_day is None:
                line = self.organization.ancestor_ids
                self._direct.append(line[-1] if line else None)
            else:
                superior = superior_on(self.organization, self.line_day)
                self._direct.append(None if superior is None or superior.pk == self.organization.pk else superior.pk)
        return self._direct[0]

    def ancestor_ids(self) -> list[int]:
        if self._ancestors is None:
            day = self.line_day
            self._ancestors = self.organization.ancestor_ids if day is None else ancestor_ids_on(self.organization, day)
        return self._ancestors

    def __contains__(self, role: str) -> bool:
        if role in LOCAL_ROLES:
            return (role, self.organization.pk) in self.positions()
        if role in SUPERIOR_ROLES:
            held = {org_id for r, org_id in self.positions() if r == role}
            return bool(held) and self.direct_superior_id() in held
        if role.endswith(ABOVE) and base_role(role) in SUPERIOR_ROLES:
            held = {org_id for r, org_id in self.positions() if r == base_role(role)}
            direct = self.direct_superior_id() if held else None
            return bool(held) and any(o in held and o != direct for o in self.ancestor_ids())
        if self._extra is None:
            return False
        if self._extra_roles is None:
            self._extra_roles = set(self._extra())
        return role in self._extra_roles


def _perm_ids(target: GrantTarget) -> tuple[ContentType, dict[str, int]]:
    ct = ContentType.objects.get_for_model(target.model)
    codenames = {target.codename(action) for actions in ROLE_ACTIONS.values() for action in actions}
    perms = dict(Permission.objects.filter(content_type=ct, codename__in=codenames).values_list("codename", "id"))
    return ct, perms


def sync_object_grants(
    target: GrantTarget, obj: models.Model, only_user_ids: Iterable[int] | None = None
) -> tuple[int, int]:
    """Make ``obj``'s guardian rows match the table. Returns (added, removed)."""
    ct, perm_ids = _perm_ids(target)
    holders = holders_for_line(target.organization_of(obj), line_day=target.line_day(obj))
    for user_id, roles in target.extra_roles(obj).items():
        holders.setdefault(user_id, set()).update(roles)
    only = set(only_user_ids) if only_user_ids is not None else None

    desired: set[tuple[int, int]] = set()
    for user_id, roles in holders.items():
        if only is not None and user_id not in only:
            continue
        for role in roles:
            for action in actions_of(role):
                desired.add((user_id, perm_ids[target.codename(action)]))

    existing_qs = UserObjectPermission.objects.filter(
        content_type=ct, object_pk=str(obj.pk), permission_id__in=perm_ids.values()
    )
    if only is not None:
        existing_qs = existing_qs.filter(user_id__in=only)
    existing = {(uid, pid): row_id for row_id, uid, pid in existing_qs.values_list("id", "user_id", "permission_id")}

    to_add = desired - existing.keys()
    to_remove = [row_id for key, row_id in existing.items() if key not in desired]
    UserObjectPermission.objects.bulk_create(
        [
            UserObjectPermission(user_id=uid, permission_id=pid, content_type=ct, object_pk=str(obj.pk))
            for uid, pid in to_add
        ]
    )
    if to_remove:
        UserObjectPermission.objects.filter(id__in=to_remove).delete()
    return len(to_add), len(to_remove)


def scope_organizations(user_id: int, day: datetime.date | None = None) -> models.QuerySet[Organization]:
    """The organisations whose objects ``user_id``'s active positions may cover: their own organisation
    (local roles), and below a superior role everything below it today or that ever reported into it
    (the dated tree decides per object, in ``sync_object_grants``)."""
    positions = Position.objects.active_on(day).filter(person_id=user_id).select_related("organization")
    condition = Q(pk__in=[])
    for position in positions:
        if position.role in LOCAL_ROLES:
            condition |= Q(pk=position.organization_id)
        else:
            below = Q(path__startswith=position.organization.path) & ~Q(pk=position.organization_id)
            subtree = Organization.objects.filter(path__startswith=position.organization.path).values("pk")
            reported = SuperiorPeriod.objects.filter(superior__in=subtree).values("organization_id")
            condition |= below | Q(pk__in=reported)
    return Organization.objects.filter(condition)


def sync_user_grants(user_id: int, day: datetime.date | None = None) -> tuple[int, int]:
    """Re-derive every grant of one person (after a position starts or ends, or a date of one passes)."""
    added = removed = 0
    for target in _targets:
        ct = ContentType.objects.get_for_model(target.model)
        granted_pks = UserObjectPermission.objects.filter(user_id=user_id, content_type=ct).values_list(
            "object_pk", flat=True
        )
        in_scope = target.objects_in(scope_organizations(user_id, day))
        objects = target.model._default_manager.filter(
            Q(pk__in=in_scope.values("pk")) | Q(pk__in=[int(pk) for pk in set(granted_pks)])
        )
        for obj in objects:
            a, r = sync_object_grants(target, obj, only_user_ids=[user_id])
            added += a
            removed += r
    User.objects.filter(pk=user_id).update(grants_synced_on=day or timezone.localdate())
    return added, removed


def refresh_if_stale(user) -> bool:
    """Re-derive ``user``'s grants first when one of their positions started or ended since the grants were
    last derived (``User.grants_synced_on``), so that an ended position never authorises anything, whether
    or not the daily ``sync_grants`` has run.  One indexed query, once per request and person."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    today = timezone.localdate()
    if user.__dict__.get("_grants_checked_on") == today:
        return False
    user.__dict__["_grants_checked_on"] = today
    known = person_positions(user.pk)
    if known is not None:  # read once for this step (permissions.selectors.positions_read_once)
        synced = known.grants_synced_on
        crossed = [
            p
            for p in known.positions
            if synced is None or synced < p.start <= today or (p.end is not None and synced <= p.end < today)
        ]
        if not crossed:
            return False
        sync_user_grants(user.pk, today)
        return True
    synced = F("person__grants_synced_on")
    crossed = Position.objects.filter(person_id=user.pk).filter(
        Q(person__grants_synced_on__isnull=True)
        | Q(start__gt=synced, start__lte=today)
        | Q(end__gte=synced, end__lt=today)
    )
    if not crossed.exists():
        return False
    sync_user_grants(user.pk, today)
    return True


def sync_all_grants() -> tuple[int, int]:
    """Re-derive every grant of every object (the daily job; also repairs drift)."""
    added = removed = 0
    for target in _targets:
        for obj in target.model._default_manager.all().iterator():
            a, r = sync_object_grants(target, obj)
            added += a
            removed += r
    User.objects.update(grants_synced_on=timezone.localdate())
    return added, removed
