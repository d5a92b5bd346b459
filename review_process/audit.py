"""The tamper-evident audit trail.

Every event carries ``hash = sha256(prev_hash || content)`` chaining the events of one review, and
``chain_hash = sha256(chain_prev_hash || hash)`` chaining all events of all reviews in the order they
were written (the anchor).  Appending locks the single ``AuditChainHead`` row, so the global order
is total even with concurrent writers on PostgreSQL.  Events are written by the same transaction as
the change they describe.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from review_process.models import AuditChainHead, AuditEvent, Review

GENESIS = "0" * 64


def _canonical(payload) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def normalise_payload(payload: dict | None) -> dict:
    """What the database will give back: plain JSON types only."""
    return json.loads(_canonical(payload or {}))


def event_content(event: AuditEvent) -> str:
    return _canonical(
        {
            "review": event.review_id,
            "sequence": event.sequence,
            "global_sequence": event.global_sequence,
            "action": event.action,
            "actor": event.actor_id,
            "actor_role": event.actor_role,
            "occurred_at": event.occurred_at.isoformat(),
            "from_state": event.from_state,
            "to_state": event.to_state,
            "payload": event.payload,
        }
    )


def _sha(prev: str, content: str) -> str:
    return hashlib.sha256((prev + content).encode("utf-8")).hexdigest()


def audit_record(
    *,
    review: Review,
    actor,
    role: str,
    action: str,
    from_state: str = "",
    to_state: str = "",
    payload: dict | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the transaction that makes the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the change's transaction")
    AuditChainHead.objects.get_or_create(pk=1)
    head = AuditChainHead.objects.select_for_update().get(pk=1)
    last = AuditEvent.objects.filter(review=review).order_by("-sequence").values("sequence", "hash").first()
    event = AuditEvent(
        review=review,
        sequence=(last["sequence"] + 1) if last else 1,
        global_sequence=head.global_sequence + 1,
        action=action,
        actor=actor,
        actor_role=role or "",
        occurred_at=timezone.now(),
        from_state=from_state or "",
        to_state=to_state or "",
        payload=normalise_payload(payload),
        prev_hash=last["hash"] if last else GENESIS,
        chain_prev_hash=head.chain_hash,
    )
    event.hash = _sha(event.prev_hash, event_content(event))
    event.chain_hash = _sha(event.chain_prev_hash, event.hash)
    event.save()
    head.global_sequence = event.global_sequence
    head.chain_hash = event.chain_hash
    head.save(update_fields=["global_sequence", "chain_hash"])
    return event


@dataclass
class ChainVerdict:
    intact: bool
    checked: int
    broken_event_id: int | None = None
    review_id: int | None = None
    sequence: int | None = None
    reason: str = ""


def verify_chain(reviews=None) -> ChainVerdict:
    """Walk the global chain (and each review's chain) and report the first event that does not fit."""
    last_by_review: dict[int, tuple[int, str]] = {}
    prev_chain = GENESIS
    expected_global = 1
    checked = 0
    qs = AuditEvent.objects.order_by("global_sequence")
    if reviews is not None:
        qs = qs.filter(review__in=reviews)
    for event in qs.iterator(chunk_size=2000):
        checked += 1

        def broken(reason: str, event=event, checked=checked) -> ChainVerdict:
            return ChainVerdict(False, checked, event.pk, event.review_id, event.sequence, reason)

        if reviews is None:
            if event.global_sequence != expected_global:
                return broken("global sequence gap or reorder")
            if event.chain_prev_hash != prev_chain:
                return broken("global chain link does not match the previous event")
        prev_seq, prev_hash = last_by_review.get(event.review_id, (0, GENESIS))
        if event.sequence != prev_seq + 1:
            return broken("review sequence gap or reorder")
        if event.prev_hash != prev_hash:
            return broken("review chain link does not match the previous event")
        if event.hash != _sha(event.prev_hash, event_content(event)):
            return broken("content does not match its hash")
        if event.chain_hash != _sha(event.chain_prev_hash, event.hash):
            return broken("global chain hash does not match")
        last_by_review[event.review_id] = (event.sequence, event.hash)
        prev_chain = event.chain_hash
        expected_global += 1
    if reviews is None:
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is not None and (head.global_sequence != checked or head.chain_hash != prev_chain):
            return ChainVerdict(False, checked, None, None, None, "events missing after the last one checked")
    return ChainVerdict(True, checked)
