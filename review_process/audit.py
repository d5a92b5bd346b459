"""The tamper-evident audit trail.

Every event carries ``hash = HMAC(prev_hash || content)`` chaining the events of one review, and
``chain_hash = HMAC(chain_prev_hash || hash)`` chaining all events of all reviews in the order they were
written. The HMAC is SHA-256 keyed with ``settings.AUDIT_HMAC_KEY``, which the database never holds: someone
who can write the database but lacks the key cannot recompute the hashes of an edited event. Appending locks
the single ``AuditChainHead`` row, so the global order is total even with concurrent writers on PostgreSQL.
Events are written by the same transaction as the change they describe; an event that writes records carries
their fingerprints (``records=``, ``review_process.chained_records``).

Verification: ``verify_chain`` (the hashes and links), ``verify_records`` (the records' rows against their
fingerprints) and ``verify_anchors`` (the chain against heads published outside the database by
``manage.py anchor_audit_trail``). docs/compliance.md says what each guarantees and against whom.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from review_process.chained_records import RecordsVerdict as RecordsVerdict  # re-exported: the audit API
from review_process.chained_records import fingerprints
from review_process.chained_records import verify_records as verify_records  # re-exported
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


def hmac_key() -> bytes:
    """``settings.AUDIT_HMAC_KEY`` as bytes; refused when it is not configured."""
    key = getattr(settings, "AUDIT_HMAC_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY is not set (nor DJANGO_SECRET_KEY to derive it from).")
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def _link(prev: str, content: str) -> str:
    return hmac.new(hmac_key(), (prev + content).encode("utf-8"), hashlib.sha256).hexdigest()


def seal(event: AuditEvent) -> None:
    """Set ``event.hash`` and ``event.chain_hash`` from its content and its two ``prev`` links (keyed)."""
    event.hash = _link(event.prev_hash, event_content(event))
    event.chain_hash = _link(event.chain_prev_hash, event.hash)


def audit_record(
    *,
    review: Review | None,
    actor,
    role: str,
    action: str,
    from_state: str = "",
    to_state: str = "",
    payload: dict | None = None,
    records=None,
) -> AuditEvent:
    """Append one event. Must run inside the transaction that makes the change.

    ``records``: the chained records (``review_process.chained_records.KINDS``) this change wrote, already
    saved; their fingerprints, read back from the database, go into the payload under ``"records"``.
    ``review`` None appends to the directory's chain (changes to organisations, superiors, positions)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the change's transaction")
    payload = dict(payload or {})
    if records:
        payload["records"] = fingerprints(records)
    AuditChainHead.objects.get_or_create(pk=1)
    head = AuditChainHead.objects.select_for_update().get(pk=1)
    own_chain = (
        AuditEvent.objects.filter(review=review)
        if review is not None
        else AuditEvent.objects.filter(review__isnull=True)
    )
    last = own_chain.order_by("-sequence").values("sequence", "hash").first()
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
    seal(event)
    event.save()
    head.global_sequence = event.global_sequence
    head.chain_hash = event.chain_hash
    head.save(update_fields=["global_sequence", "chain_hash"])
    return event


@dataclass
class ChainVerdict:
    """The result of walking the chain. When broken, the fields name the first event that does not fit.

    ``broken_event_id`` is the event where the break was detected. When an event was deleted it no longer
    exists: ``missing_global_sequence`` then names its place in the global chain, and ``review_id`` /
    ``sequence`` name its place in its review's chain when the remaining events reveal it.
    """

    intact: bool
    checked: int
    broken_event_id: int | None = None
    review_id: int | None = None
    sequence: int | None = None
    reason: str = ""
    code: str = ""
    global_sequence: int | None = None
    missing_global_sequence: int | None = None

    in_directory: bool = False

    def _chain_label(self) -> str:
        if self.in_directory:
            return gettext("the directory's chain")
        return gettext("review %(review)s") % {"review": self.review_id if self.review_id is not None else "?"}

    def describe(self) -> str:
        """One line for people (translated)."""
        if self.intact:
            return gettext("Audit trail intact: %(n)s events checked.") % {"n": self.checked}
        parts = {
            "event": self.broken_event_id if self.broken_event_id is not None else "-",
            "review": self.review_id if self.review_id is not None else "?",
            "chain": self._chain_label(),
            "sequence": self.sequence if self.sequence is not None else "?",
            "global": self.global_sequence if self.global_sequence is not None else "?",
            "reason": self.reason,
        }
        if self.missing_global_sequence is not None:
            parts["missing"] = self.missing_global_sequence
            return (
                gettext(
                    "Audit trail broken: the event at global sequence %(missing)s (%(chain)s, "
                    "sequence %(sequence)s) is missing; detected at event id %(event)s: %(reason)s."
                )
                % parts
            )
        return (
            gettext(
                "Audit trail broken at event id %(event)s (%(chain)s, sequence %(sequence)s, "
                "global sequence %(global)s): %(reason)s."
            )
            % parts
        )


# Why a chain is broken: a stable code and a translated reason.
BREAKS = {
    "global_gap": gettext_lazy("an event is missing from the global chain (gap in the global sequence)"),
    "global_order": gettext_lazy("global sequence out of order (events reordered)"),
    "global_link": gettext_lazy("the global chain link does not match the previous event"),
    "review_gap": gettext_lazy("an event is missing from the review's chain (gap in its sequence)"),
    "review_order": gettext_lazy("review sequence out of order (events reordered)"),
    "review_link": gettext_lazy("the review chain link does not match the previous event"),
    "content": gettext_lazy("the event's content does not match its hash (edited)"),
    "chain_hash": gettext_lazy("the global chain hash does not match"),
    "missing_tail": gettext_lazy("events are missing after the last one checked"),
    "anchor_missing": gettext_lazy("the event before it in the global chain is missing"),
}


def _verdict(code: str, checked: int, event: AuditEvent | None = None, **extra) -> ChainVerdict:
    fields = {}
    if event is not None:
        fields = {
            "broken_event_id": event.pk,
            "review_id": event.review_id,
            "sequence": event.sequence,
            "global_sequence": event.global_sequence,
            "in_directory": event.review_id is None,
        }
    fields.update(extra)
    return ChainVerdict(False, checked, reason=str(BREAKS[code]), code=code, **fields)


def verify_chain(reviews=None) -> ChainVerdict:
    """Walk the global chain (and each review's chain) and report the first event that does not fit.

    With ``reviews`` (a queryset or list of reviews) only their events are walked: each review's chain is
    checked from its first event, and every event's link into the global chain is checked against the
    event just before it in the global order (one extra query per 500 events).
    """
    if reviews is not None:
        return _verify_subset(reviews)
    last_by_review: dict[int, tuple[int, str]] = {}
    prev_chain = GENESIS
    expected_global = 1
    checked = 0
    gap: ChainVerdict | None = None
    for event in AuditEvent.objects.order_by("global_sequence").iterator(chunk_size=2000):
        checked += 1
        if gap is not None:
            # An event was deleted: look on for the review whose own chain shows the hole.
            prev_seq, _prev = last_by_review.get(event.review_id, (0, GENESIS))
            if event.sequence > prev_seq + 1:
                gap.review_id, gap.sequence = event.review_id, prev_seq + 1
                return gap
            last_by_review[event.review_id] = (event.sequence, event.hash)
            continue
        if event.global_sequence != expected_global:
            if event.global_sequence > expected_global and event.chain_prev_hash != prev_chain:
                gap = _verdict(
                    "global_gap",
                    checked,
                    broken_event_id=event.pk,
                    global_sequence=event.global_sequence,
                    missing_global_sequence=expected_global,
                )
                prev_seq, _prev = last_by_review.get(event.review_id, (0, GENESIS))
                if event.sequence > prev_seq + 1:
                    gap.review_id, gap.sequence = event.review_id, prev_seq + 1
                    return gap
                last_by_review[event.review_id] = (event.sequence, event.hash)
                continue
            return _verdict("global_order", checked, event)
        if event.chain_prev_hash != prev_chain:
            return _verdict("global_link", checked, event)
        broken = _check_event(event, last_by_review, checked)
        if broken is not None:
            return broken
        if event.chain_hash != _link(event.chain_prev_hash, event.hash):
            return _verdict("chain_hash", checked, event)
        last_by_review[event.review_id] = (event.sequence, event.hash)
        prev_chain = event.chain_hash
        expected_global += 1
    if gap is not None:
        return gap
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.global_sequence != checked or head.chain_hash != prev_chain):
        return _verdict("missing_tail", checked, missing_global_sequence=checked + 1)
    return ChainVerdict(True, checked)


def _check_event(event: AuditEvent, last_by_review: dict[int, tuple[int, str]], checked: int) -> ChainVerdict | None:
    prev_seq, prev_hash = last_by_review.get(event.review_id, (0, GENESIS))
    if event.sequence != prev_seq + 1:
        if event.sequence > prev_seq + 1 and event.prev_hash != prev_hash:
            return _verdict("review_gap", checked, event)
        return _verdict("review_order", checked, event)
    if event.prev_hash != prev_hash:
        return _verdict("review_link", checked, event)
    if event.hash != _link(event.prev_hash, event_content(event)):
        return _verdict("content", checked, event)
    return None


def _verify_subset(reviews) -> ChainVerdict:
    review_ids = [r.pk for r in reviews] if isinstance(reviews, list | tuple) else reviews.values("pk")
    last_by_review: dict[int, tuple[int, str]] = {}
    checked = 0
    pending: list[AuditEvent] = []

    def check_anchors() -> ChainVerdict | None:
        wanted = [e.global_sequence - 1 for e in pending if e.global_sequence > 1]
        found = dict(AuditEvent.objects.filter(global_sequence__in=wanted).values_list("global_sequence", "chain_hash"))
        for event in pending:
            expected = GENESIS if event.global_sequence == 1 else found.get(event.global_sequence - 1)
            if expected is None:
                return _verdict("anchor_missing", checked, event, missing_global_sequence=event.global_sequence - 1)
            if expected != event.chain_prev_hash:
                return _verdict("global_link", checked, event)
        pending.clear()
        return None

    qs = AuditEvent.objects.filter(review__in=review_ids).order_by("review_id", "sequence", "global_sequence")
    for event in qs.iterator(chunk_size=2000):
        checked += 1
        broken = _check_event(event, last_by_review, checked)
        if broken is not None:
            return broken
        if event.chain_hash != _link(event.chain_prev_hash, event.hash):
            return _verdict("chain_hash", checked, event)
        last_by_review[event.review_id] = (event.sequence, event.hash)
        pending.append(event)
        if len(pending) >= 500:
            broken = check_anchors()
            if broken is not None:
                return broken
    broken = check_anchors()
    return broken if broken is not None else ChainVerdict(True, checked)


def directory_record(*, actor, action: str, payload: dict) -> AuditEvent:
    """Append a directory change (``permissions.journal`` calls this for every change it is told of)."""
    return audit_record(review=None, actor=actor, role="directory", action=action, payload=payload)


# --- Anchors: the head published outside the database (manage.py anchor_audit_trail). ---


def head_anchor() -> dict:
    """The head as an anchor: global sequence, chain hash and the time it was read."""
    head = AuditChainHead.objects.filter(pk=1).first()
    return {
        "global_sequence": head.global_sequence if head else 0,
        "chain_hash": head.chain_hash if head else GENESIS,
        "anchored_at": timezone.now().isoformat(),
    }


def read_anchors(path: str | Path) -> list[dict]:
    """The anchors of a JSON-lines file, each with its ``line`` number; ValueError naming a malformed line."""
    anchors = []
    for number, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            item = json.loads(text)
            anchors.append(
                {
                    "line": number,
                    "global_sequence": int(item["global_sequence"]),
                    "chain_hash": str(item["chain_hash"]),
                    "anchored_at": str(item.get("anchored_at", "")),
                }
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(gettext("Line %(line)s of the anchor file is not an anchor.") % {"line": number}) from exc
    return anchors


ANCHOR_BREAKS = {
    "anchor_mismatch": gettext_lazy("the chain hash at that global sequence differs (events were rewritten)"),
    "anchor_beyond_head": gettext_lazy("the anchor is beyond the head of the chain (events were cut off)"),
    "anchor_event_missing": gettext_lazy("no event has that global sequence (events were deleted)"),
}


@dataclass
class AnchorVerdict:
    intact: bool
    checked: int
    anchor: dict | None = None
    code: str = ""

    def describe(self) -> str:
        if self.intact:
            return gettext("Anchors agree: %(n)s checked.") % {"n": self.checked}
        return gettext(
            "Anchor on line %(line)s (global sequence %(sequence)s, taken %(at)s) does not match: %(reason)s."
        ) % {
            "line": self.anchor["line"],
            "sequence": self.anchor["global_sequence"],
            "at": self.anchor["anchored_at"] or "?",
            "reason": ANCHOR_BREAKS[self.code],
        }


def verify_anchors(anchors: list[dict]) -> AnchorVerdict:
    """Each anchor's chain hash must be the chain hash of the event at its global sequence (one query per 500)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    head_sequence = head.global_sequence if head else 0
    wanted = sorted({a["global_sequence"] for a in anchors if 0 < a["global_sequence"] <= head_sequence})
    found = {0: GENESIS}
    for start in range(0, len(wanted), 500):
        chunk = AuditEvent.objects.filter(global_sequence__in=wanted[start : start + 500])
        found.update(chunk.values_list("global_sequence", "chain_hash"))
    for checked, anchor in enumerate(anchors, start=1):
        code = ""
        if anchor["global_sequence"] > head_sequence:
            code = "anchor_beyond_head"
        elif anchor["global_sequence"] not in found:
            code = "anchor_event_missing"
        elif found[anchor["global_sequence"]] != anchor["chain_hash"]:
            code = "anchor_mismatch"
        if code:
            return AnchorVerdict(False, checked, anchor, code)
    return AnchorVerdict(True, len(anchors))
