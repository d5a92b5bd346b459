"""The global chain, written after the fact: committed events are sealed into it by one background job.

Appending an event (``review_process.audit.audit_record``) locks only what concerns it: the review's row, or the
directory's head. Nothing every writer shares is locked, so two changes to two reviews never wait on each
other. The total order over all events is given afterwards by ``seal_pending``: it locks ``AuditChainHead``
(only the sealer does), takes the events that are committed and have no seal (``NOT EXISTS``: an event with a
lower id may commit after one with a higher id, so "id above the last sealed" would skip it for good), and
inserts one ``AuditSeal`` per event, in id order, each ``chain_hash = HMAC(chain_prev_hash || event.hash)``,
then moves the head forward. The events of one review are appended under the review's lock, so id order is
their sequence order and the global chain keeps each review's chain in order.

Invariants: one seal per event (unique ``event``; a second sealer waits on the head's lock and then no longer
sees the events the first sealed); global sequences without gaps from 1; the head is always the last seal
(its trigger lets it move only forward, onto an existing seal). The scheduler runs ``seal_pending()`` (Celery
beat, or inline after commit when no broker is configured: there ``seal_pending(full=False)``, which looks only
at recent ids and costs the same whatever the size of the trail); operators run ``manage.py seal_audit_trail``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from review_process.audit_chain import link
from review_process.models import AuditChainHead, AuditEvent, AuditSeal
from review_process.models.audit import GENESIS

#: Events sealed per transaction (the head's lock is held for one batch at a time).
SEAL_BATCH = 1000
#: A recent scan (``seal_pending(full=False)``) starts at the event sealed this many seals before the head.
RECENT_SEALS = 1000


def unsealed_events() -> QuerySet[AuditEvent]:
    """Events that have no seal yet (committed ones, as the caller's transaction sees them)."""
    return AuditEvent.objects.filter(~Exists(AuditSeal.objects.filter(event=OuterRef("pk"))))


def locked_head(*, wait: bool = True) -> AuditChainHead:
    """The global head under a row lock (created at 0 on first use); the caller holds the transaction.
    ``wait=False``: raise ``DatabaseError`` at once when another sealer holds it (PostgreSQL ``NOWAIT``)."""
    head = AuditChainHead.objects.select_for_update(nowait=not wait).filter(pk=1).first()
    if head is None:
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(pk=1, global_sequence=0, chain_hash=GENESIS)
        except IntegrityError:  # another sealer created it meanwhile
            pass
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def chain_seals(events: Iterable[tuple[int, str]], *, after: tuple[int, str], sealed_at=None) -> list[AuditSeal]:
    """Seals (unsaved) for ``events`` (``(event id, event hash)`` in order) following the seal ``after``
    (``(global sequence, chain hash)``; ``(0, GENESIS)`` for the first)."""
    sealed_at = sealed_at or timezone.now()
    global_sequence, chain = after
    seals = []
    for event_id, event_hash in events:
        global_sequence += 1
        chain_hash = link(chain, event_hash)
        seals.append(
            AuditSeal(
                global_sequence=global_sequence,
                event_id=event_id,
                chain_prev_hash=chain,
                chain_hash=chain_hash,
                sealed_at=sealed_at,
            )
        )
        chain = chain_hash
    return seals


def write_seals(head: AuditChainHead, seals: list[AuditSeal], *, batch_size: int = 2000) -> None:
    """Insert ``seals`` (which follow ``head``, locked by the caller) and move the head onto the last."""
    if not seals:
        return
    AuditSeal.objects.bulk_create(seals, batch_size=batch_size)
    last = seals[-1]
    AuditChainHead.objects.filter(pk=head.pk).update(global_sequence=last.global_sequence, chain_hash=last.chain_hash)
    head.global_sequence, head.chain_hash = last.global_sequence, last.chain_hash


def _recent_floor(head: AuditChainHead) -> int:
    """The id of the event sealed ``RECENT_SEALS`` seals before the head (0 when there are fewer): where a recent
    scan starts (one index lookup). An event below it that commits this late is left to the next full run."""
    if head.global_sequence <= RECENT_SEALS:
        return 0
    seal = AuditSeal.objects.filter(global_sequence=head.global_sequence - RECENT_SEALS)
    return seal.values_list("event_id", flat=True).first() or 0


def _after_their_predecessor(pending: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Only events whose predecessor in their own chain is sealed (or that are the first): a recent scan that
    missed a late commit must not seal the next event of that chain before it (the global chain keeps each
    chain's order). The next event is sealed by a later run, with or after its predecessor."""
    before = OuterRef("sequence") - 1
    in_review = AuditSeal.objects.filter(event__review=OuterRef("review"), event__sequence=before)
    in_directory = AuditSeal.objects.filter(event__review__isnull=True, event__sequence=before)
    return pending.filter(
        Q(sequence=1)
        | (Q(review__isnull=False) & Q(Exists(in_review)))
        | (Q(review__isnull=True) & Q(Exists(in_directory)))
    )


def _pending(head: AuditChainHead, *, full: bool, size: int) -> list[tuple[int, str]]:
    """The next ``size`` unsealed events to seal after ``head``, as ``(id, hash)`` in id order."""
    pending = unsealed_events()
    if not full:
        pending = _after_their_predecessor(pending.filter(pk__gte=_recent_floor(head)))
    return list(pending.order_by("pk").values_list("pk", "hash")[:size])


def seal_pending(*, limit: int | None = None, full: bool = True, wait: bool = True) -> int:
    """Seal the committed events that have no seal into the global chain (at most ``limit``); how many.

    One transaction per ``SEAL_BATCH`` events. Safe to run at any time, twice, or from two processes at once.
    ``full=False`` looks only at events from the id sealed ``RECENT_SEALS`` seals ago on (an index range, cheap
    whatever the size of the trail: for running after every commit), and seals an event only after its chain's
    previous one; an older event committed later still is sealed by the next full run (the scheduled one, or
    ``manage.py seal_audit_trail``), never skipped for good. ``wait=False`` (after a commit, in a request):
    when another sealer holds the head, leave the events to it and return at once instead of waiting."""
    sealed = 0
    while limit is None or sealed < limit:
        size = SEAL_BATCH if limit is None else min(SEAL_BATCH, limit - sealed)
        try:
            with transaction.atomic():
                head = locked_head(wait=wait)
                pending = _pending(head, full=full, size=size)
                write_seals(head, chain_seals(pending, after=(head.global_sequence, head.chain_hash)))
        except DatabaseError:
            if wait:
                raise
            return sealed  # another sealer is at work: it (or the next run) seals what is left
        sealed += len(pending)
        # A recent scan seals one link of each chain per pass (an event waits for its predecessor's seal):
        # it runs again until a pass finds nothing; a full scan stops at its first short batch.
        if not pending or (full and len(pending) < size):
            break
    return sealed


def seal_status() -> dict:
    """The sealed head and how many events wait for their seal (for the operators' pages and commands)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    last = AuditSeal.objects.order_by("-global_sequence").values_list("sealed_at", flat=True).first()
    return {
        "global_sequence": head.global_sequence if head else 0,
        "chain_hash": head.chain_hash if head else GENESIS,
        "last_sealed_at": last,
        "unsealed": unsealed_events().count(),
    }


def head_anchor() -> dict:
    """The sealed head as an anchor: global sequence, chain hash and the time it was read."""
    head = AuditChainHead.objects.filter(pk=1).first()
    return {
        "global_sequence": head.global_sequence if head else 0,
        "chain_hash": head.chain_hash if head else GENESIS,
        "anchored_at": timezone.now().isoformat(),
    }
