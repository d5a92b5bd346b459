"""Reviews in bulk (bulk_create, no services): the rows and the hash-chained audit events a review carries at
any stage, as the services would have written them.

A review at stage X carries the prefix of the closed review's script (``_script``) that ends just before the
transition out of X, and exactly the records the events of that prefix wrote; a cancelled review carries the
prefix of an early stage followed by the ``cancel`` transition. Invariants: every chained record is
fingerprinted by the event that wrote it (the review itself by its last transition), the events carry their
keyed hashes and are sealed into the global chain at once (``AuditSeal`` rows, the head moved onto the last one
per batch: what ``seal_pending`` would have written), so ``verify_chain`` and ``verify_records`` pass.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from review_process.audit_chain import GENESIS, hash_event, normalise_payload
from review_process.audit_seal import chain_seals, write_seals
from review_process.chained_records import snapshots_for_reviews
from review_process.models import (
    Attendance,
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
STAGES = ("draft", "collecting_opinions", "awaiting_guidance", "finalizing", "submitted", "approved", "closed")
CANCEL_FROM = ("draft", "collecting_opinions")  # where the cancelled reviews of a load were cancelled from
CANCEL_REASON = "Tổ chức đảng hợp nhất, dừng kiểm điểm"


def _at(year: int, month: int, day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, 0, tzinfo=TZ)


@dataclass
class Cast:
    """Who acts on the reviews: the secretary of each ward, the shared members, the district's board and
    standing committee (by district id)."""

    secretary: dict[int, object]
    members: list
    boards: dict[int, object]
    standing: dict[int, object]


@dataclass
class Counts:
    reviews: int = 0
    broken: int = 0  # approved or closed reviews without a remedial plan
    late: int = 0  # reviews whose draft went out one day before the conference


def _cut(script: list, stage: str, year: int, cancelled_by) -> list:
    """The events a review at ``stage`` carries ("cancelled:<from>" for a cancelled one)."""
    stage, _, cancelled_from = stage.partition(":")
    until = cancelled_from or stage
    cut = len(script)
    for index, event in enumerate(script):
        if event[1].startswith("review.transition.") and event[4] == until:
            cut = index
            break
    events = script[:cut]
    if cancelled_from:
        payload = {"reason": CANCEL_REASON}
        events.append((_at(year, 12, 1), "review.transition.cancel", cancelled_by, "standing_committee", until,
                       "cancelled", payload))  # fmt: skip
    return events


class _Dummy:
    pk = None


def _plan(year: int, stage: str, late: bool, broken: bool) -> list:
    """The script of a review at ``stage`` without its people or ids: which records and fields it implies."""
    review = Review(year=year)
    review._late, review._broken = late, broken
    return _cut(_script(year, review, None, None, None, [_Dummy()] * 3), stage, year, None)


def create_reviews(
    *,
    wards: list,
    superior_of: dict[int, int],
    cast: Cast,
    year: int,
    stage_of: Callable[[int], str],
    broken_every: int,
    late_every: int,
    head,
    progress: Callable[..., Iterable] = lambda it, **kw: it,
) -> Counts:
    """One review per ward, at ``stage_of(i)``, with its records and events, sealed after ``head`` (the global
    chain's head, ``AuditChainHead``, locked by the caller, moved along)."""
    counts = Counts()
    reviews = []
    for i, ward in enumerate(wards):
        stage = stage_of(i)
        late = bool(late_every) and i % late_every == late_every - 1
        broken = bool(broken_every) and i % broken_every == broken_every - 1
        done = {event[1] for event in _plan(year, stage, late, broken)}
        district = superior_of[ward.pk]
        review = Review(
            organization=ward,
            year=year,
            state=stage.partition(":")[0],
            opened_by=cast.secretary[ward.pk],
            opened_at=_at(year, 11, 15),
            cancel_reason=CANCEL_REASON if stage.startswith("cancelled") else "",
        )
        if "review.transition.submit_assessment" in done:
            review.submitted_by, review.submitted_at = cast.secretary[ward.pk], _at(year, 12, 3, 15)
        if "review.transition.approve" in done:
            review.approved_by, review.approved_at = cast.standing[district], _at(year, 12, 8, 15)
        if "review.transition.close" in done:
            review.closed_at = _at(year, 12, 10, 16)
        review._stage, review._late, review._broken, review._done = stage, late, broken, done
        counts.broken += broken and "review.transition.approve" in done
        counts.late += late and "review.transition.circulate_draft" in done
        reviews.append(review)
    created = Review.objects.bulk_create(reviews, batch_size=BATCH)
    counts.reviews = len(created)
    for start in progress(range(0, len(created), 500), desc="reviews", unit="×500"):
        batch = created[start : start + 500]
        rows, responses = _records(batch, superior_of, cast, year)
        shas = snapshots_for_reviews([review.pk for review in batch])
        chained = _chained(batch, rows, responses)
        opinions_by_review: dict[int, list[Opinion]] = {}
        for o in rows[Opinion]:
            opinions_by_review.setdefault(o.review_id, []).append(o)
        events = []
        for review in batch:
            district = superior_of[review.organization_id]
            secretary = cast.secretary[review.organization_id]
            script = _script(
                year, review, secretary, cast.boards[district], cast.standing[district],
                opinions_by_review.get(review.pk, []),
            )  # fmt: skip
            prev = GENESIS
            script = _cut(script, review._stage, year, cast.standing[district])
            for sequence, (when, action, actor, role, src, dst, payload) in enumerate(script, start=1):
                written = chained.get((review.pk, action, payload.get("number", payload.get("opinion_id"))))
                if written is not None:
                    key = (written._meta.label, written.pk)
                    payload = {**payload, "records": [{"type": key[0], "id": key[1], "sha256": shas[key][1]}]}
                event = AuditEvent(
                    review=review,
                    sequence=sequence,
                    global_sequence=None,
                    action=action,
                    actor=actor,
                    actor_role=role,
                    occurred_at=when.astimezone(datetime.UTC),  # as the database gives it back
                    from_state=src,
                    to_state=dst,
                    payload=normalise_payload(payload),
                    prev_hash=prev,
                    chain_prev_hash="",
                    chain_hash="",
                )
                hash_event(event)
                prev = event.hash
                events.append(event)
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)
        seals = chain_seals(((e.pk, e.hash) for e in events), after=(head.global_sequence, head.chain_hash))
        write_seals(head, seals, batch_size=BATCH)
    return counts


def _records(batch: list, superior_of: dict, cast: Cast, year: int) -> tuple[dict, list]:
    """Create the records the reviews of ``batch`` carry at their stage."""
    members = cast.members
    rows: dict[type, list] = {m: [] for m in (ReportVersion, Opinion, Conference, Guidance, SelfAssessment)}
    rows |= {m: [] for m in (Decision, Notification, RemedialPlan)}
    for review in batch:
        done, district = review._done, superior_of[review.organization_id]
        secretary = cast.secretary[review.organization_id]
        rows[ReportVersion].append(
            ReportVersion(
                review=review,
                number=1,
                text=f"Dự thảo báo cáo kiểm điểm tập thể năm {year}. " * 20,
                created_by=secretary,
                created_at=_at(year, 11, 16),
                occurred_on=datetime.date(year, 11, 16),
            )
        )
        if "review.opinion.added" in done:
            rows[Opinion] += [
                Opinion(
                    review=review,
                    author=members[k + 1],
                    recorded_by=secretary,
                    channel="conference",
                    text=f"Ý kiến góp ý số {k + 1}",
                    created_at=_at(year, 11, 30, 9),
                    occurred_on=datetime.date(year, 11, 30),
                )
                for k in range(3)
            ]
        if "review.conference.recorded" in done:
            rows[Conference].append(
                Conference(
                    review=review, held_at=_at(year, 11, 30, 8), location="Hội trường", chair=secretary,
                    recorded_by=secretary,
                )
            )  # fmt: skip
        if "review.guidance.added" in done:
            rows[Guidance].append(
                Guidance(
                    review=review,
                    given_by=cast.boards[district],
                    text="Ý kiến chỉ đạo",
                    created_at=_at(year, 11, 30, 10),
                    occurred_on=datetime.date(year, 11, 30),
                )
            )
        if "review.self_assessment.set" in done:
            rows[ReportVersion].append(
                ReportVersion(
                    review=review,
                    number=2,
                    text=f"Báo cáo kiểm điểm tập thể năm {year} (hoàn chỉnh, đã tiếp thu). " * 20,
                    is_final=True,
                    created_by=secretary,
                    created_at=_at(year, 12, 3, 10),
                    occurred_on=datetime.date(year, 12, 3),
                )
            )
            rows[SelfAssessment].append(
                SelfAssessment(review=review, proposed_rating="good", set_by=secretary, updated_at=_at(year, 12, 3, 11))
            )
        if "review.decision.set" in done:
            rows[Decision].append(
                Decision(
                    review=review,
                    final_rating="good",
                    vote={"members": 15, "present": 13, "for": 11, "against": 1, "abstain": 1},
                    decided_by=cast.standing[district],
                    decided_at=_at(year, 12, 8, 10),
                    occurred_on=datetime.date(year, 12, 8),
                )
            )
        if "review.notification.recorded" in done:
            rows[Notification].append(
                Notification(
                    review=review,
                    notified_on=datetime.date(year, 12, 10),
                    recorded_by=cast.boards[district],
                    recorded_at=_at(year, 12, 10, 10),
                )
            )
        if "review.remedial_plan.filed" in done:
            rows[RemedialPlan].append(
                RemedialPlan(
                    review=review,
                    filed_by=secretary,
                    updated_at=_at(year, 12, 10, 11),
                    occurred_on=datetime.date(year, 12, 10),
                )
            )
    for model, objects in rows.items():
        model.objects.bulk_create(objects, batch_size=BATCH)
    answered = [o for o in rows[Opinion] if "review.opinion.responded" in o.review._done]
    responses = OpinionResponse.objects.bulk_create(
        [
            OpinionResponse(
                opinion=o,
                decision="accepted",
                responded_by=o.recorded_by,
                responded_at=_at(year, 12, 2),
                occurred_on=datetime.date(year, 12, 2),
            )
            for o in answered
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
            Through(conference_id=c.pk, user_id=cast.boards[superior_of[c.review.organization_id]].pk)
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
    return rows, responses


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
    for review in batch:  # the review row: fingerprinted by its last transition
        if review._stage.startswith("cancelled"):
            last = "review.transition.cancel"
        else:
            transitions = [a for a in review._done if a.startswith("review.transition.")]
            last = max(transitions, key=_TRANSITION_ORDER.index, default="review.opened")
        written[(review.pk, last, None)] = review
    return written


_TRANSITION_ORDER = [
    f"review.transition.{name}"
    for name in ("circulate_draft", "close_opinions", "give_guidance", "submit_assessment", "approve", "close")
]


def _script(year, review, secretary, board, standing, opinions):
    """The events of a closed review, in order: (when, action, actor, role, from, to, payload)."""
    d, c, a, f, s, ap, cl = STAGES
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
