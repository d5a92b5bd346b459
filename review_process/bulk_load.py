"""Realistic reviews in bulk (bulk_create, no services) for the benchmark and the query-count tests.

``build_dataset(reviews=10_000, root_code="BENCH")`` creates a city, districts below it and one ward per
review, each ward with a closed review of ``year`` carrying what a real one carries: two report versions,
three opinions with responses, a conference with five attendees and a superior representative, guidance,
self-assessment, decision, notification, remedial plan, and 21 hash-chained audit events (valid chains:
``verify_chain`` passes; the events that wrote records carry their fingerprints: ``verify_records`` passes).
The events are inserted with their keyed hashes and the chain head is advanced one event at a time: the
append-only triggers are never stood aside (there is no way to). Every ``broken_every``-th review lacks its
remedial plan and every ``late_every``-th circulated its draft one day before the conference, so the audit
has failures to report.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db import connection, transaction

from permissions.models import Organization, Position, User
from permissions.services import organization_save
from review_process.audit import GENESIS, normalise_payload, seal
from review_process.chained_records import snapshots_for_reviews
from review_process.models import (
    Attendance,
    AuditChainHead,
    AuditEvent,
    Conference,
    Decision,
    Guidance,
    Notification,
    Opinion,
    OpinionResponse,
    RemedialItem,
    RemedialPlan,
    ReportVersion,
    Review,
    SelfAssessment,
)

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
BATCH = 2000


@dataclass
class Dataset:
    root: Organization
    reviews: int
    broken: int  # reviews without a remedial plan
    late: int  # reviews whose draft went out one day before the conference


def _at(year: int, month: int, day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, 0, tzinfo=TZ)


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
    start = datetime.date(2015, 1, 1)
    Position.objects.bulk_create(
        [
            Position(person=b, organization=d, role="organization_board", start=start)
            for b, d in zip(boards, districts, strict=True)
        ]
        + [
            Position(person=s, organization=d, role="standing_committee", start=start)
            for s, d in zip(standing, districts, strict=True)
        ]
        + [Position(person=members[0], organization=districts[0], role="secretary", start=start)]
    )
    return (
        members,
        {d.pk: b for b, d in zip(boards, districts, strict=True)},
        {d.pk: s for s, d in zip(standing, districts, strict=True)},
    )


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
    secretary = members[0]
    closed = _at(year, 12, 10, 16)
    created = Review.objects.bulk_create(
        [
            Review(
                organization=w,
                year=year,
                state="closed",
                opened_by=secretary,
                opened_at=_at(year, 11, 15),
                submitted_by=secretary,
                submitted_at=_at(year, 12, 3, 15),
                approved_by=standing[w.superior_id],
                approved_at=_at(year, 12, 8, 15),
                closed_at=closed,
            )
            for w in wards
        ],
        batch_size=BATCH,
    )
    ward_by_pk = {w.pk: w for w in wards}
    broken = late = 0
    head = AuditChainHead.objects.filter(pk=1).first()
    global_seq = head.global_sequence if head else 0
    chain = head.chain_hash if head else GENESIS
    steps: list[tuple[int, str]] = []
    for start in range(0, len(created), 500):
        batch = created[start : start + 500]
        rows: dict[type, list] = {m: [] for m in (ReportVersion, Opinion, Conference, Guidance, SelfAssessment)}
        rows |= {m: [] for m in (Decision, Notification, RemedialPlan)}
        for i, review in enumerate(batch, start=start):
            district = ward_by_pk[review.organization_id].superior_id
            review._late = bool(late_every) and i % late_every == late_every - 1
            review._broken = bool(broken_every) and i % broken_every == broken_every - 1
            broken += review._broken
            late += review._late
            rows[ReportVersion] += [
                ReportVersion(
                    review=review,
                    number=1,
                    text=f"Dự thảo báo cáo kiểm điểm tập thể năm {year}. " * 20,
                    created_by=secretary,
                    created_at=_at(year, 11, 16),
                ),
                ReportVersion(
                    review=review,
                    number=2,
                    text=f"Báo cáo kiểm điểm tập thể năm {year} (hoàn chỉnh, đã tiếp thu). " * 20,
                    is_final=True,
                    created_by=secretary,
                    created_at=_at(year, 12, 3, 10),
                ),
            ]
            rows[Opinion] += [
                Opinion(
                    review=review,
                    author=members[k + 1],
                    recorded_by=secretary,
                    channel="conference",
                    text=f"Ý kiến góp ý số {k + 1}",
                    created_at=_at(year, 11, 30, 9),
                )
                for k in range(3)
            ]
            rows[Conference].append(
                Conference(
                    review=review,
                    held_at=_at(year, 11, 30, 8),
                    location="Hội trường",
                    chair=secretary,
                    recorded_by=secretary,
                )
            )
            rows[Guidance].append(
                Guidance(
                    review=review, given_by=boards[district], text="Ý kiến chỉ đạo", created_at=_at(year, 11, 30, 10)
                )
            )
            rows[SelfAssessment].append(
                SelfAssessment(review=review, proposed_rating="good", set_by=secretary, updated_at=_at(year, 12, 3, 11))
            )
            rows[Decision].append(
                Decision(
                    review=review,
                    final_rating="good",
                    vote={"members": 15, "present": 13, "for": 11, "against": 1, "abstain": 1},
                    decided_by=standing[district],
                    decided_at=_at(year, 12, 8, 10),
                )
            )
            rows[Notification].append(
                Notification(
                    review=review,
                    notified_on=datetime.date(year, 12, 10),
                    recorded_by=boards[district],
                    recorded_at=_at(year, 12, 10, 10),
                )
            )
            if not review._broken:
                rows[RemedialPlan].append(
                    RemedialPlan(review=review, filed_by=secretary, updated_at=_at(year, 12, 10, 11))
                )
        for model, objects in rows.items():
            model.objects.bulk_create(objects, batch_size=BATCH)
        opinions_by_review: dict[int, list[Opinion]] = {}
        for o in rows[Opinion]:
            opinions_by_review.setdefault(o.review_id, []).append(o)
        responses = OpinionResponse.objects.bulk_create(
            [
                OpinionResponse(opinion=o, decision="accepted", responded_by=secretary, responded_at=_at(year, 12, 2))
                for o in rows[Opinion]
            ],
            batch_size=BATCH,
        )
        Attendance.objects.bulk_create(
            [
                Attendance(conference=c, person=members[k], present=k != 5, reason="" if k != 5 else "Ốm")
                for c in rows[Conference]
                for k in range(6)
            ],
            batch_size=BATCH,
        )
        Through = Conference.superior_representatives.through
        Through.objects.bulk_create(
            [
                Through(conference_id=c.pk, user_id=boards[ward_by_pk[c.review.organization_id].superior_id].pk)
                for c in rows[Conference]
            ],
            batch_size=BATCH,
        )
        RemedialItem.objects.bulk_create(
            [
                RemedialItem(
                    plan=p, description="Khắc phục hạn chế", owner="Đảng ủy", due_date=datetime.date(year + 1, 6, 30)
                )
                for p in rows[RemedialPlan]
            ],
            batch_size=BATCH,
        )
        shas = snapshots_for_reviews([review.pk for review in batch])
        chained = _chained(batch, rows, responses)
        events = []
        for review in batch:
            district = ward_by_pk[review.organization_id].superior_id
            script = _script(
                year, review, secretary, boards[district], standing[district], opinions_by_review[review.pk]
            )
            prev = GENESIS
            for sequence, (when, action, actor, role, src, dst, payload) in enumerate(script, start=1):
                global_seq += 1
                written = chained.get((review.pk, action, payload.get("number", payload.get("opinion_id"))))
                if written is not None:
                    key = (written._meta.label, written.pk)
                    payload = {**payload, "records": [{"type": key[0], "id": key[1], "sha256": shas[key][1]}]}
                event = AuditEvent(
                    review=review,
                    sequence=sequence,
                    global_sequence=global_seq,
                    action=action,
                    actor=actor,
                    actor_role=role,
                    occurred_at=when.astimezone(datetime.UTC),  # as the database gives it back
                    from_state=src,
                    to_state=dst,
                    payload=normalise_payload(payload),
                    prev_hash=prev,
                    chain_prev_hash=chain,
                )
                seal(event)
                prev, chain = event.hash, event.chain_hash
                events.append(event)
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)
        steps += [(e.global_sequence, e.chain_hash) for e in events]
    if head is None:
        AuditChainHead.objects.create(pk=1, global_sequence=global_seq, chain_hash=chain)
    elif steps:
        # The head's trigger lets it advance by exactly one event per UPDATE: walk it along the new events.
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(AuditChainHead._meta.db_table)
            cursor.executemany(f"UPDATE {table} SET global_sequence = %s, chain_hash = %s WHERE id = 1", steps)
    return Dataset(root=root, reviews=len(created), broken=broken, late=late)


def _chained(batch, rows, responses) -> dict:
    """The record each event of the script wrote: {(review id, action, number or opinion id): record}."""
    written = {(v.review_id, "review.report_version.added", v.number): v for v in rows[ReportVersion]}
    written |= {(o.review_id, "review.opinion.added", o.pk): o for o in rows[Opinion]}
    review_of = {o.pk: o.review_id for o in rows[Opinion]}
    written |= {(review_of[r.opinion_id], "review.opinion.responded", r.opinion_id): r for r in responses}
    for model, action in (
        (Conference, "review.conference.recorded"),
        (Guidance, "review.guidance.added"),
        (SelfAssessment, "review.self_assessment.set"),
        (Decision, "review.decision.set"),
        (Notification, "review.notification.recorded"),
        (RemedialPlan, "review.remedial_plan.filed"),
    ):
        written |= {(obj.review_id, action, None): obj for obj in rows[model]}
    written |= {(review.pk, "review.transition.close", None): review for review in batch}
    return written


def _script(year, review, secretary, board, standing, opinions):
    """The 21 events of a closed review, in order: (when, action, actor, role, from, to, payload)."""
    d, c, a, f, s, ap, cl = (
        "draft",
        "collecting_opinions",
        "awaiting_guidance",
        "finalizing",
        "submitted",
        "approved",
        "closed",
    )
    sec, brd, stc = "secretary", "organization_board", "standing_committee"
    circulated = _at(year, 11, 29) if review._late else _at(year, 11, 20)
    script = [
        (_at(year, 11, 15), "review.opened", secretary, sec, "", d, {"year": year}),
        (_at(year, 11, 16), "review.report_version.added", secretary, sec, d, d, {"number": 1}),
        (circulated, "review.transition.circulate_draft", secretary, sec, d, c, {}),
    ]
    script += [
        (_at(year, 11, 30, 9), "review.opinion.added", secretary, sec, c, c, {"opinion_id": o.pk}) for o in opinions
    ]
    script += [
        (_at(year, 11, 30, 9), "review.conference.recorded", secretary, sec, c, c, {"location": "Hội trường"}),
        (_at(year, 11, 30, 9), "review.transition.close_opinions", secretary, sec, c, a, {}),
        (_at(year, 11, 30, 10), "review.guidance.added", board, brd, a, a, {"text": "Ý kiến chỉ đạo"}),
        (_at(year, 11, 30, 12), "review.transition.give_guidance", board, brd, a, f, {}),
    ]
    script += [
        (_at(year, 12, 2), "review.opinion.responded", secretary, sec, f, f, {"opinion_id": o.pk}) for o in opinions
    ]
    script += [
        (_at(year, 12, 3, 10), "review.report_version.added", secretary, sec, f, f, {"number": 2, "is_final": True}),
        (_at(year, 12, 3, 11), "review.self_assessment.set", secretary, sec, f, f, {"proposed_rating": "good"}),
        (_at(year, 12, 3, 15), "review.transition.submit_assessment", secretary, sec, f, s, {}),
        (_at(year, 12, 8, 10), "review.decision.set", standing, stc, s, s, {"final_rating": "good"}),
        (_at(year, 12, 8, 15), "review.transition.approve", standing, stc, s, ap, {}),
        (_at(year, 12, 10, 10), "review.notification.recorded", board, brd, ap, ap, {}),
    ]
    if not review._broken:
        script.append((_at(year, 12, 10, 11), "review.remedial_plan.filed", secretary, sec, ap, ap, {}))
    script.append((_at(year, 12, 10, 16), "review.transition.close", board, brd, ap, cl, {}))
    return script
