"""Verification of the chained records: every row against the latest audit event that fingerprinted it.

``altered_records`` re-derives the fingerprint of every chained row of a batch of reviews
(``chained_records.snapshots_for_reviews``) and compares it with the latest fingerprint the reviews' audit events
hold: a row that differs is "changed", a row no event fingerprints is "unrecorded", a fingerprinted row that is
gone is "missing". ``verify_records`` runs it over every review (``audit.verify_records``); the compliance report
runs it per batch with the events it has already read (``compliance.trail``). What each kind's snapshot holds is
declared in ``review_process.chained_records``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_lazy

from review_process.chained_records import KIND_BY_LABEL, SNAPSHOT_QUERIES, Key, snapshots_for_reviews
from review_process.models import AuditEvent, Review

RECORD_BREAKS = {
    "changed": gettext_lazy("the row differs from its fingerprint in the audit trail (event id %(event)s)"),
    "unrecorded": gettext_lazy("no audit event fingerprints this row"),
    "missing": gettext_lazy("the row fingerprinted by event id %(event)s no longer exists"),
}
# Queries per batch of reviews: their events' payloads, then the snapshots.
RECORDS_QUERIES = 1 + SNAPSHOT_QUERIES


@dataclass(frozen=True, order=True)
class AlteredRecord:
    """A chained record whose row does not match the audit trail."""

    review_id: int
    type: str
    id: int
    code: str  # a key of RECORD_BREAKS
    event_id: int | None = None

    @property
    def evidence(self) -> dict:
        kind = KIND_BY_LABEL.get(self.type)
        return {"type": kind.evidence_type if kind else self.type, "id": self.id}

    def describe(self) -> str:
        reason = str(RECORD_BREAKS[self.code]) % {"event": self.event_id if self.event_id is not None else "-"}
        return gettext("%(type)s %(id)s of review %(review)s: %(reason)s.") % {
            "type": self.type,
            "id": self.id,
            "review": self.review_id,
            "reason": reason,
        }


@dataclass
class RecordsVerdict:
    intact: bool
    checked: int
    altered: list[AlteredRecord] = field(default_factory=list)

    def describe(self) -> str:
        if self.intact:
            return gettext("Records intact: %(n)s rows match the audit trail.") % {"n": self.checked}
        lines = [
            gettext("Records altered: %(bad)s of %(n)s rows do not match the audit trail.")
            % {"bad": len(self.altered), "n": self.checked}
        ]
        return "\n".join(lines + [f"  {item.describe()}" for item in self.altered])


def recorded_fingerprints(events: Iterable) -> dict[Key, tuple[str, int, int]]:
    """``{(label, pk): (sha256, event_id, review_id)}``: the latest fingerprint of each record named by ``events``.

    ``events`` are in their chain's order (a record belongs to one review: its chain's order, ``sequence``, is the
    order the events were written), each with ``id``, ``review_id`` and ``records``: the ``"records"`` of its
    payload, as the list it is or as its JSON text (``compliance.facts`` reads it so, with the trail), or None."""
    latest: dict[Key, tuple[str, int, int]] = {}
    for event in events:
        entries = event.records
        if entries is None:
            continue
        if isinstance(entries, str | bytes):
            entries = json.loads(entries)
        for entry in entries if isinstance(entries, list) else ():
            latest[(entry.get("type"), entry.get("id"))] = (entry.get("sha256"), event.id, event.review_id)
    return latest


@dataclass(frozen=True, slots=True)
class _Fingerprinted:
    id: int
    review_id: int
    records: object


def _recorded_for(review_ids: list[int]) -> dict[Key, tuple[str, int, int]]:
    """``recorded_fingerprints`` of the events of these reviews, read from their payloads (one query)."""
    events = AuditEvent.objects.filter(review__in=review_ids).order_by("review_id", "sequence")
    return recorded_fingerprints(
        _Fingerprinted(event_id, review_id, payload.get("records") if isinstance(payload, dict) else None)
        for event_id, review_id, payload in events.values_list("pk", "review_id", "payload")
    )


def altered_records(
    review_ids: list[int], *, events: Iterable | None = None
) -> tuple[int, dict[int, list[AlteredRecord]]]:
    """(rows checked, ``{review_id: [AlteredRecord]}``) for a batch of reviews, in ``RECORDS_QUERIES`` queries;
    ``SNAPSHOT_QUERIES`` when the caller gives the batch's audit ``events`` it has already read (every event of
    these reviews, in chain order, with its ``records``: see ``recorded_fingerprints``). Every row is read back
    from the database and fingerprinted again whichever way the events come."""
    latest = recorded_fingerprints(events) if events is not None else _recorded_for(review_ids)
    current = snapshots_for_reviews(review_ids)
    found: dict[int, list[AlteredRecord]] = defaultdict(list)
    for (label, pk), (review_id, sha) in current.items():
        recorded = latest.pop((label, pk), None)
        if recorded is None:
            found[review_id].append(AlteredRecord(review_id, label, pk, "unrecorded"))
        elif recorded[0] != sha:
            found[review_id].append(AlteredRecord(review_id, label, pk, "changed", recorded[1]))
    for (label, pk), (_sha, event_id, review_id) in latest.items():
        found[review_id].append(AlteredRecord(review_id, label, pk, "missing", event_id))
    return len(current), {review_id: sorted(items) for review_id, items in found.items()}


def verify_records(reviews=None, *, batch_size: int = 500) -> RecordsVerdict:
    """Re-derive the fingerprint of every chained row (of ``reviews``, or of all reviews) and compare it with
    the latest event that fingerprinted it. ``RECORDS_QUERIES`` queries per batch of ``batch_size`` reviews."""
    if reviews is not None:
        ids = sorted(r if isinstance(r, int) else r.pk for r in reviews)
        batches = (ids[i : i + batch_size] for i in range(0, len(ids), batch_size))
    else:
        batches = _all_review_ids(batch_size)
    checked, altered = 0, []
    for batch in batches:
        n, found = altered_records(batch)
        checked += n
        for review_id in sorted(found):
            altered += found[review_id]
    return RecordsVerdict(not altered, checked, altered)


def _all_review_ids(batch_size: int):
    last = 0
    while True:
        batch = list(Review.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1]
