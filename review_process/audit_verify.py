"""Verifying the audit trail: the chains (``verify_chain``) and the anchors published outside the database.

``verify_chain`` walks the global chain seal by seal (``AuditSeal``, 1, 2, 3 …): every link, every event's
content against its hash, and every review's (and the directory's) chain in the order the seals give; then the
events not yet sealed, each against its own review's chain. Unsealed events are not a failure: the verdict
counts them (``unsealed``). The heads are read first, so a sealer or a writer working meanwhile causes no false
alarm: the global head must be a seal the walk went over, the directory's head an event it went over.

The walk reads with several statements and no transaction (on SQLite a transaction would take the write lock):
an event sealed while the walk runs is taken as unsealed (``NOT EXISTS`` a seal at or below the last walked).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext, gettext_lazy

from review_process.audit_chain import event_content, link
from review_process.models import AuditChainHead, AuditDirectoryHead, AuditEvent, AuditSeal
from review_process.models.audit import GENESIS

Tip = tuple[int, str]  # (sequence, hash) of the last event of a chain


@dataclass
class ChainVerdict:
    """The result of walking the chain. When broken, the fields name the first event that does not fit.

    ``broken_event_id`` is the event where the break was detected. When an event (or its seal) was deleted it
    no longer exists: ``missing_global_sequence`` then names its place in the global chain, and ``review_id`` /
    ``sequence`` name its place in its review's chain when the remaining events reveal it. ``unsealed``: events
    checked against their own chain only, not yet sealed into the global chain (not a failure).
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
    unsealed: int = 0
    sealed: bool = True  # the broken event has a seal

    def _chain_label(self) -> str:
        if self.in_directory:
            return gettext("the directory's chain")
        return gettext("review %(review)s") % {"review": self.review_id if self.review_id is not None else "?"}

    def describe(self) -> str:
        """One line for people (translated)."""
        if self.intact:
            text = gettext("Audit trail intact: %(n)s events checked.") % {"n": self.checked}
            if self.unsealed:
                text += " " + gettext(
                    "%(unsealed)s of them not yet sealed into the global chain (each checked against its own chain)."
                ) % {"unsealed": self.unsealed}
            return text
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
        if not self.sealed:
            return (
                gettext(
                    "Audit trail broken at event id %(event)s (%(chain)s, sequence %(sequence)s, not yet sealed): "
                    "%(reason)s."
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
    "seal_missing": gettext_lazy("the event has no seal but a later event of its chain has one (seal deleted)"),
    "directory_tail": gettext_lazy("events are missing at the end of the directory's chain"),
}


def _verdict(code: str, checked: int, event: AuditEvent | None = None, seal: AuditSeal | None = None, **extra):
    fields = {}
    if event is not None:
        fields = {
            "broken_event_id": event.pk,
            "review_id": event.review_id,
            "sequence": event.sequence,
            "global_sequence": seal.global_sequence if seal is not None else None,
            "in_directory": event.review_id is None,
            "sealed": seal is not None,
        }
    fields.update(extra)
    return ChainVerdict(False, checked, reason=str(BREAKS[code]), code=code, **fields)


def _check_event(event: AuditEvent, tips: dict, checked: int, seal: AuditSeal | None) -> ChainVerdict | None:
    """The event against its own chain (review or directory): sequence, link, content; and the legacy
    global sequence of an event written before seals against its seal."""
    prev_seq, prev_hash = tips.get(event.review_id, (0, GENESIS))
    if event.sequence != prev_seq + 1:
        if event.sequence > prev_seq + 1 and event.prev_hash != prev_hash:
            return _verdict("review_gap", checked, event, seal)
        return _verdict("review_order", checked, event, seal)
    if event.prev_hash != prev_hash:
        return _verdict("review_link", checked, event, seal)
    if event.hash != link(event.prev_hash, event_content(event)):
        return _verdict("content", checked, event, seal)
    if seal is not None and event.global_sequence is not None and event.global_sequence != seal.global_sequence:
        return _verdict("global_order", checked, event, seal)
    return None


def _unsealed(queryset, last_walked: int):
    """``queryset``'s events with no seal at or below global sequence ``last_walked``."""
    sealed = AuditSeal.objects.filter(event=OuterRef("pk"), global_sequence__lte=last_walked)
    return queryset.filter(~Exists(sealed))


def verify_chain(reviews=None) -> ChainVerdict:
    """Walk the global chain (and each review's chain) and report the first event that does not fit.

    With ``reviews`` (a queryset or list of reviews) only their events are walked: each review's chain is
    checked from its first event, and every sealed event's link into the global chain is checked against the
    seal just before it (one extra query per 500 events).
    """
    if reviews is not None:
        return _verify_subset(reviews)
    head = AuditChainHead.objects.filter(pk=1).values_list("global_sequence", "chain_hash").first() or (0, GENESIS)
    directory_head = AuditDirectoryHead.objects.filter(pk=1).values_list("sequence", "hash").first() or (0, GENESIS)
    tips: dict[int | None, Tip] = {}
    prev_chain, expected, checked = GENESIS, 1, 0
    gap: ChainVerdict | None = None
    seen = {"chain": GENESIS if head[0] == 0 else None, "directory": GENESIS if directory_head[0] == 0 else None}

    def walked(event: AuditEvent) -> None:
        tips[event.review_id] = (event.sequence, event.hash)
        if event.review_id is None and event.sequence == directory_head[0]:
            seen["directory"] = event.hash

    for seal in AuditSeal.objects.select_related("event").order_by("global_sequence").iterator(chunk_size=2000):
        event = seal.event
        checked += 1
        if gap is not None:
            # A seal (or its event) was deleted: look on for the chain whose own sequence shows the hole.
            prev_seq, _prev = tips.get(event.review_id, (0, GENESIS))
            if event.sequence > prev_seq + 1:
                gap.review_id, gap.sequence = event.review_id, prev_seq + 1
                gap.in_directory = event.review_id is None
                return gap
            walked(event)
            continue
        if seal.global_sequence != expected:
            if seal.global_sequence > expected and seal.chain_prev_hash != prev_chain:
                gap = _verdict(
                    "global_gap",
                    checked,
                    broken_event_id=event.pk,
                    global_sequence=seal.global_sequence,
                    missing_global_sequence=expected,
                )
                prev_seq, _prev = tips.get(event.review_id, (0, GENESIS))
                if event.sequence > prev_seq + 1:
                    gap.review_id, gap.sequence = event.review_id, prev_seq + 1
                    gap.in_directory = event.review_id is None
                    return gap
                walked(event)
                continue
            return _verdict("global_order", checked, event, seal)
        if seal.chain_prev_hash != prev_chain:
            return _verdict("global_link", checked, event, seal)
        broken = _check_event(event, tips, checked, seal)
        if broken is not None:
            return broken
        if seal.chain_hash != link(seal.chain_prev_hash, event.hash):
            return _verdict("chain_hash", checked, event, seal)
        walked(event)
        prev_chain = seal.chain_hash
        if seal.global_sequence == head[0]:
            seen["chain"] = seal.chain_hash
        expected += 1
    if gap is not None:
        return gap
    last_walked = expected - 1
    if seen["chain"] != head[1]:  # the head is beyond the last seal, or not on the chain
        return _verdict("missing_tail", checked, missing_global_sequence=last_walked + 1)
    unsealed = 0
    for event in _unsealed(AuditEvent.objects.all(), last_walked).order_by("review_id", "sequence").iterator(2000):
        checked += 1
        unsealed += 1
        broken = _check_event(event, tips, checked, None)
        if broken is not None:
            return broken
        walked(event)
    if seen["directory"] != directory_head[1]:
        last_sequence = tips.get(None, (0, GENESIS))[0]
        return _verdict("directory_tail", checked, in_directory=True, sequence=last_sequence + 1)
    return ChainVerdict(True, checked, unsealed=unsealed)


def _verify_subset(reviews) -> ChainVerdict:
    review_ids = [r.pk for r in reviews] if isinstance(reviews, list | tuple) else reviews.values("pk")
    tips: dict[int, Tip] = {}
    waiting: dict[int, AuditEvent] = {}  # review id: its first unsealed event
    checked = unsealed = 0
    pending: list[tuple[AuditEvent, AuditSeal]] = []

    def check_links() -> ChainVerdict | None:
        wanted = [seal.global_sequence - 1 for _event, seal in pending if seal.global_sequence > 1]
        found = dict(AuditSeal.objects.filter(global_sequence__in=wanted).values_list("global_sequence", "chain_hash"))
        for event, seal in pending:
            expected = GENESIS if seal.global_sequence == 1 else found.get(seal.global_sequence - 1)
            if expected is None:
                return _verdict(
                    "anchor_missing", checked, event, seal, missing_global_sequence=seal.global_sequence - 1
                )
            if expected != seal.chain_prev_hash:
                return _verdict("global_link", checked, event, seal)
        pending.clear()
        return None

    qs = AuditEvent.objects.filter(review__in=review_ids).select_related("seal").order_by("review_id", "sequence")
    for event in qs.iterator(chunk_size=2000):
        checked += 1
        seal = getattr(event, "seal", None)
        broken = _check_event(event, tips, checked, seal)
        if broken is not None:
            return broken
        tips[event.review_id] = (event.sequence, event.hash)
        if seal is None:
            unsealed += 1
            waiting.setdefault(event.review_id, event)
            continue
        if event.review_id in waiting:  # sealed after an unsealed event of its review: that seal was deleted
            return _verdict("seal_missing", checked, waiting[event.review_id], None)
        if seal.chain_hash != link(seal.chain_prev_hash, event.hash):
            return _verdict("chain_hash", checked, event, seal)
        pending.append((event, seal))
        if len(pending) >= 500:
            broken = check_links()
            if broken is not None:
                return broken
    broken = check_links()
    return broken if broken is not None else ChainVerdict(True, checked, unsealed=unsealed)


# --- Anchors: the sealed head published outside the database (manage.py anchor_audit_trail). ---


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
    """Each anchor's chain hash must be the chain hash of the seal at its global sequence (one query per 500)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    head_sequence = head.global_sequence if head else 0
    wanted = sorted({a["global_sequence"] for a in anchors if 0 < a["global_sequence"] <= head_sequence})
    found = {0: GENESIS}
    for start in range(0, len(wanted), 500):
        chunk = AuditSeal.objects.filter(global_sequence__in=wanted[start : start + 500])
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
