"""The tamper-evident audit trail: appending events (``audit_record``) and the trail's public API.

Every event carries ``hash = HMAC(prev_hash || content)`` chaining the events of one review, or of the
directory (review None: organisations, superiors, positions, rating rounds). The HMAC is SHA-256 keyed with
``settings.AUDIT_HMAC_KEY``, which the database never holds (``review_process.audit_chain``). Events are
written by the same transaction as the change they describe; an event that writes records carries their
fingerprints (``records=``, ``review_process.chained_records``).

Appending locks only what the event concerns: the review's row (``SELECT … FOR UPDATE``, in the statement
that reads the chain's last event; the services hold that lock already), or for the directory its own head
row (``AuditDirectoryHead``). No row is shared by every writer: changes to two reviews never wait on each
other. The global chain (``chain_hash = HMAC(chain_prev_hash || hash)`` over every event, in one total order)
is written afterwards, by ``seal_pending`` (``review_process.audit_seal``), into ``AuditSeal`` rows: by the
Celery beat schedule when a broker is configured, else right after each commit in the same process
(``settings.AUDIT_SEAL_AFTER_COMMIT``: the embedded mode has one SQLite writer anyway).

Verification (``review_process.audit_verify``): ``verify_chain`` (the hashes and links; events not yet sealed
are checked against their own chain and counted, not failed), ``verify_records`` (the records' rows against
their fingerprints) and ``verify_anchors`` (the sealed chain against heads published outside the database by
``manage.py anchor_audit_trail``). docs/compliance.md says what each guarantees and against whom.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from permissions.statements import Compiled, CompiledInsert
from review_process.audit_chain import GENESIS as GENESIS  # re-exported: the audit API
from review_process.audit_chain import event_content as event_content
from review_process.audit_chain import hash_event
from review_process.audit_chain import hmac_key as hmac_key
from review_process.audit_chain import link as link
from review_process.audit_chain import normalise_payload as normalise_payload
from review_process.audit_seal import head_anchor as head_anchor
from review_process.audit_seal import seal_pending as seal_pending
from review_process.audit_seal import seal_status as seal_status
from review_process.audit_verify import BREAKS as BREAKS
from review_process.audit_verify import AnchorVerdict as AnchorVerdict
from review_process.audit_verify import ChainVerdict as ChainVerdict
from review_process.audit_verify import read_anchors as read_anchors
from review_process.audit_verify import verify_anchors as verify_anchors
from review_process.audit_verify import verify_chain as verify_chain
from review_process.chained_records import fingerprints
from review_process.models import AuditDirectoryHead, AuditEvent, Review
from review_process.record_check import RecordsVerdict as RecordsVerdict
from review_process.record_check import verify_records as verify_records

#: The last event of a review's chain, for a caller already holding the review's row lock (compiled once).
_TIP = Compiled(
    lambda review_id: (
        AuditEvent.objects.filter(review_id=review_id).order_by("-sequence").values_list("sequence", "hash")[:1]
    ),
    int,
)
_INSERT_EVENT = CompiledInsert(AuditEvent)

logger = logging.getLogger(__name__)


def _seal_soon() -> None:
    try:
        seal_pending(full=False, wait=False)  # never waits on another sealer: it seals these too
    except Exception:  # noqa: BLE001 - sealing is retried by the next commit or run; never fails the change
        logger.exception("Sealing the audit trail after commit failed")


def _seal_after_commit() -> None:
    """Seal this transaction's events once it commits (once per transaction, however many events it wrote)."""
    connection = transaction.get_connection()
    if not any(callback[1] is _seal_soon for callback in connection.run_on_commit):
        transaction.on_commit(_seal_soon)


def _review_tip(review: Review, *, locked: bool = False) -> tuple[int, str]:
    """Lock the review's row and read the last event of its chain, in one statement: (sequence, hash).
    ``locked``: the caller already holds the row lock in this transaction; the tip alone is read."""
    if locked:
        tip = _TIP.first_row(review.pk)
        return tip if tip is not None else (0, GENESIS)
    last = AuditEvent.objects.filter(review=OuterRef("pk")).order_by("-sequence")
    sequence, last_hash = (
        Review.objects.select_for_update()
        .filter(pk=review.pk)
        .annotate(tip_sequence=Subquery(last.values("sequence")[:1]), tip_hash=Subquery(last.values("hash")[:1]))
        .values_list("tip_sequence", "tip_hash")
        .get()
    )
    return (sequence, last_hash) if sequence is not None else (0, GENESIS)


def _locked_directory_head() -> AuditDirectoryHead:
    """The directory chain's head under a row lock; created on first use from the chain's last event."""
    head = AuditDirectoryHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = AuditEvent.objects.filter(review__isnull=True).order_by("-sequence").values_list("sequence", "hash")
        sequence, last_hash = last.first() or (0, GENESIS)
        try:
            with transaction.atomic():
                AuditDirectoryHead.objects.create(pk=1, sequence=sequence, hash=last_hash)
        except IntegrityError:  # another writer created it meanwhile
            pass
        head = AuditDirectoryHead.objects.select_for_update().get(pk=1)
    return head


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
    review_locked: bool = False,
) -> AuditEvent:
    """Append one event. Must run inside the transaction that makes the change.

    ``records``: the chained records (``review_process.chained_records.KINDS``) this change wrote, already
    saved; their fingerprints, read back from the database, go into the payload under ``"records"``.
    ``review`` None appends to the directory's chain (changes to organisations, superiors, positions).
    ``review_locked``: the caller read ``review`` under its row lock in this transaction and saved it (the
    transition service): the chain's tip is read without locking again, and the fingerprints of ``records``
    are taken from the saved instances (``chained_records.fingerprints(in_memory=True)``).
    The event is sealed into the global chain later (``seal_pending``), once committed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the change's transaction")
    payload = dict(payload or {})
    if records:
        payload["records"] = fingerprints(records, in_memory=review_locked)
    directory_head = None
    if review is not None:
        sequence, prev_hash = _review_tip(review, locked=review_locked)
    else:
        directory_head = _locked_directory_head()
        sequence, prev_hash = directory_head.sequence, directory_head.hash
    event = AuditEvent(
        review=review,
        sequence=sequence + 1,
        global_sequence=None,
        action=action,
        actor=actor,
        actor_role=role or "",
        occurred_at=timezone.now(),
        from_state=from_state or "",
        to_state=to_state or "",
        payload=normalise_payload(payload),
        prev_hash=prev_hash,
        chain_prev_hash="",
        chain_hash="",
    )
    hash_event(event)
    _INSERT_EVENT.save(event)  # Django's INSERT, compiled once (permissions.statements)
    if directory_head is not None:
        AuditDirectoryHead.objects.filter(pk=1).update(sequence=event.sequence, hash=event.hash)
    if settings.AUDIT_SEAL_AFTER_COMMIT:
        _seal_after_commit()
    return event


def directory_record(*, actor, action: str, payload: dict) -> AuditEvent:
    """Append a directory change (``permissions.journal`` calls this for every change it is told of)."""
    return audit_record(review=None, actor=actor, role="directory", action=action, payload=payload)
