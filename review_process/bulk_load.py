"""Realistic data in bulk (bulk_create, no services): for the benchmark, the query-count tests and
``manage.py seed_load``.

``build_dataset(reviews=10_000, root_code="BENCH")`` creates a city, districts below it and one ward per
review, each ward with a closed review of ``year`` carrying what a real one carries: two report versions,
three opinions with responses, a conference with five attendees and a superior representative, guidance,
self-assessment, decision, notification, remedial plan, and 21 hash-chained audit events (valid chains:
``verify_chain`` passes; the events that wrote records carry their fingerprints: ``verify_records`` passes).
The events are inserted with their keyed hashes and sealed into the global chain (the head locked, moved onto
the last seal of each batch): the append-only triggers are never stood aside (there is no way to). Every
``broken_every``-th review lacks its remedial plan and every ``late_every``-th circulated its draft one day
before the conference, so the audit has failures to report.

``load_dataset(organizations=N, year=Y, password=P)`` builds the same tree with reviews spread over every
stage (draft .. closed, and some cancelled; see ``review_process.bulk_reviews``), a position for every role
(secretary, deputy and committee member in each ward; organisation board, standing committee and inspection
in each district and the city), every login with password ``P``, and the guardian grants derived by
the table of ``permissions.grants`` in bulk (``_grant``: the rows ``sync_object_grants`` gives a new review,
which then finds nothing to add or remove).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from guardian.models import UserObjectPermission

from permissions.grants import holders_for_line
from permissions.models import Organization, Position, User
from permissions.roles import Role, actions_of
from permissions.services import organization_save
from review_process.audit_seal import locked_head
from review_process.bulk_reviews import BATCH, CANCEL_FROM, STAGES, Cast, create_reviews
from review_process.grants import ReviewGrantTarget
from review_process.models import AuditEvent, Review

START = datetime.date(2015, 1, 1)
#: Stages of a load, in turn: every stage of the main sequence, and cancelled from an early stage.
SPREAD = STAGES + tuple(f"cancelled:{stage}" for stage in CANCEL_FROM)


@dataclass
class Dataset:
    root: Organization
    reviews: int
    broken: int  # reviews without a remedial plan
    late: int  # reviews whose draft went out one day before the conference
    logins: dict[str, str] = field(default_factory=dict)  # role: one username holding it (load_dataset)


def _tree(root_code: str, n_wards: int, wards_per_district: int) -> tuple[Organization, list, list]:
    root = organization_save(organization=Organization(code=root_code, name=f"Thành ủy {root_code}", kind="city"))
    n_districts = max(1, -(-n_wards // wards_per_district))
    districts = Organization.objects.bulk_create(
        [
            Organization(code=f"{root_code}-D{d:03d}", name=f"Quận ủy {root_code} {d}", kind="district", superior=root)
            for d in range(n_districts)
        ]
    )
    for d in districts:
        d.path = f"{root.path}{d.pk}/"
    Organization.objects.bulk_update(districts, ["path"])
    wards = Organization.objects.bulk_create(
        [
            Organization(
                code=f"{root_code}-W{w:05d}",
                name=f"Đảng ủy phường {root_code} {w}",
                kind="ward",
                superior=districts[w // wards_per_district],
            )
            for w in range(n_wards)
        ],
        batch_size=BATCH,
    )
    by_pk = {d.pk: d for d in districts}
    for w in wards:
        w.path = f"{by_pk[w.superior_id].path}{w.pk}/"
    Organization.objects.bulk_update(wards, ["path"], batch_size=BATCH)
    return root, districts, wards


def _people(root_code: str, districts: list) -> tuple[list[User], dict[int, User], dict[int, User]]:
    prefix = root_code.lower()
    members = User.objects.bulk_create([User(username=f"{prefix}-m{i}", full_name=f"Đảng viên {i}") for i in range(6)])
    boards = User.objects.bulk_create(
        [User(username=f"{prefix}-board{d.pk}", full_name=f"Ban Tổ chức {d.name}") for d in districts]
    )
    standing = User.objects.bulk_create(
        [User(username=f"{prefix}-stc{d.pk}", full_name=f"Thường vụ {d.name}") for d in districts]
    )
    Position.objects.bulk_create(
        [
            Position(person=b, organization=d, role="organization_board", start=START)
            for b, d in zip(boards, districts, strict=True)
        ]
        + [
            Position(person=s, organization=d, role="standing_committee", start=START)
            for s, d in zip(standing, districts, strict=True)
        ]
        + [Position(person=members[0], organization=districts[0], role="secretary", start=START)]
    )
    return (
        members,
        {d.pk: b for b, d in zip(boards, districts, strict=True)},
        {d.pk: s for s, d in zip(standing, districts, strict=True)},
    )


def _reviews(root, districts, wards, cast, *, year, stage_of, broken_every, late_every, progress) -> Dataset:
    counts = create_reviews(
        wards=wards,
        superior_of={w.pk: w.superior_id for w in wards},
        cast=cast,
        year=year,
        stage_of=stage_of,
        broken_every=broken_every,
        late_every=late_every,
        head=locked_head(),
        progress=progress,
    )
    return Dataset(root=root, reviews=counts.reviews, broken=counts.broken, late=counts.late)


@transaction.atomic
def build_dataset(
    *,
    reviews: int,
    root_code: str = "BENCH",
    year: int = 2021,
    wards_per_district: int = 100,
    broken_every: int = 10,
    late_every: int = 25,
) -> Dataset:
    root, districts, wards = _tree(root_code, reviews, wards_per_district)
    members, boards, standing = _people(root_code, districts)
    cast = Cast(secretary={w.pk: members[0] for w in wards}, members=members, boards=boards, standing=standing)
    return _reviews(
        root, districts, wards, cast, year=year, stage_of=lambda i: "closed", broken_every=broken_every,
        late_every=late_every, progress=lambda it, **kw: it,
    )  # fmt: skip


def _load_people(root, districts, wards, password_hash: str) -> tuple[Cast, dict[str, str]]:
    """A login for every position: three per ward, three per district and three in the city."""
    prefix = root.code.lower()
    users: list[User] = [User(username=f"{prefix}-m{i}", full_name=f"Đảng viên {i}") for i in range(6)]
    positions: list[tuple[int, Organization, str]] = []
    for org, roles, tag in (
        (root, ("organization_board", "standing_committee", "inspection"), "city"),
        *((d, ("organization_board", "standing_committee", "inspection"), f"d{n}") for n, d in enumerate(districts)),
        *((w, ("secretary", "deputy_secretary", "committee_member"), f"w{n}") for n, w in enumerate(wards)),
    ):
        for role in roles:
            positions.append((len(users), org, role))
            users.append(User(username=f"{prefix}-{tag}-{role.replace('_', '-')}", full_name=f"{role} {org.name}"))
    for user in users:
        user.password = password_hash
    users = User.objects.bulk_create(users, batch_size=BATCH)
    Position.objects.bulk_create(
        [Position(person=users[i], organization=org, role=role, start=START) for i, org, role in positions],
        batch_size=BATCH,
    )
    holder = {(org.pk, role): users[i] for i, org, role in positions}
    cast = Cast(
        secretary={w.pk: holder[(w.pk, "secretary")] for w in wards},
        members=users[:6],
        boards={d.pk: holder[(d.pk, "organization_board")] for d in districts},
        standing={d.pk: holder[(d.pk, "standing_committee")] for d in districts},
    )
    logins = {role: holder[(wards[0].pk, role)].username for role in ("secretary", "deputy_secretary")}
    logins["committee_member"] = holder[(wards[0].pk, "committee_member")].username
    for role in ("organization_board", "standing_committee", "inspection"):
        logins[role] = holder[(root.pk, role)].username
    return cast, logins


def load_code_taken(root_code: str) -> bool:
    return Organization.objects.filter(code=root_code).exists()


@transaction.atomic
def load_dataset(
    *,
    organizations: int,
    year: int,
    password: str,
    root_code: str = "LOAD",
    wards_per_district: int = 100,
    progress: Callable[..., Iterable] = lambda it, **kw: it,
) -> Dataset:
    """``organizations`` organisations in all (the city, its districts and the wards below them), one review
    per ward spread over ``SPREAD``, positions for every role, logins with ``password``, and the grants."""
    n_wards = max(1, organizations - 1 - max(1, -(-(organizations - 1) // (wards_per_district + 1))))
    root, districts, wards = _tree(root_code, n_wards, wards_per_district)
    cast, logins = _load_people(root, districts, wards, make_password(password))
    data = _reviews(
        root, districts, wards, cast, year=year, stage_of=lambda i: SPREAD[i % len(SPREAD)], broken_every=10,
        late_every=25, progress=progress,
    )  # fmt: skip
    reviews = Review.objects.filter(organization__path__startswith=root.path, year=year).select_related("organization")
    ids = list(reviews.values_list("pk", flat=True))
    for start in progress(range(0, len(ids), 500), desc="grants", unit="×500"):
        _grant(list(reviews.filter(pk__in=ids[start : start + 500])))
    data.logins = logins
    return data


def _grant(reviews: list[Review]) -> None:
    """The guardian rows of new reviews (none yet, no participants), as ``sync_object_grants`` derives them:
    the holders of the review's line on its year's tree, and whoever acted on it (past actor)."""
    target = ReviewGrantTarget()
    ct = ContentType.objects.get_for_model(Review)
    perm_ids = dict(Permission.objects.filter(content_type=ct).values_list("codename", "id"))
    actors = AuditEvent.objects.filter(review__in=reviews, actor__isnull=False).values_list("review_id", "actor_id")
    acted: dict[int, set[int]] = defaultdict(set)
    for review_id, actor_id in actors.distinct():
        acted[review_id].add(actor_id)
    rows = set()
    for review in reviews:
        holders = holders_for_line(review.organization, line_day=target.line_day(review))
        for person_id in acted[review.pk]:
            holders.setdefault(person_id, set()).add(Role.PAST_ACTOR)
        rows |= {
            (user_id, perm_ids[target.codename(action)], str(review.pk))
            for user_id, roles in holders.items()
            for role in roles
            for action in actions_of(role)
        }
    UserObjectPermission.objects.bulk_create(
        [UserObjectPermission(user_id=u, permission_id=p, content_type=ct, object_pk=pk) for u, p, pk in rows],
        batch_size=BATCH,
    )
