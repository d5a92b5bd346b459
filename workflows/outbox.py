"""The outbox: messages written with the change they tell of, delivered once, retried, never lost.

``enqueue(kind, **payload)`` is called **inside** the transaction of the change (``workflows.services``): it
writes one ``OutboxMessage`` row, so the message exists if and only if the change committed. On commit, with a
broker (``settings.CELERY_BROKER_URL``) the Celery task ``workflows.deliver_outbox`` is sent for it; without one
(``make run``, the tests) it is delivered inline right after the commit. Either way a failure is logged, never
raised into the request.

Guarantees (tests/workflows/test_outbox.py tries to break each):

* **Claimed once.** A delivery first claims the row: on PostgreSQL under ``select_for_update(skip_locked=True)``,
  elsewhere (SQLite) by a conditional ``UPDATE … WHERE claimed_at IS NULL``; whoever does not get the claim does
  nothing. A claim older than ``OUTBOX_CLAIM_SECONDS`` (its process died between claim and send) is taken over.
* **Never sent twice.** Each address is recorded (``OutboxDelivery``, unique per message and address) in its own
  committed transaction *before* its e-mail goes out; a second delivery of the same message (a taken-over claim,
  a retry) skips every address already recorded. A failed send removes its record, so the retry sends it. The
  one case left in doubt, a process killed while the mail server had the e-mail, is never repeated: such a
  record keeps ``sent_at`` empty and is logged.
* **Retried with backoff.** A failure records ``last_error`` and sets ``next_attempt_at`` to
  ``OUTBOX_RETRY_SECONDS`` doubled per attempt, at most ``OUTBOX_RETRY_MAX_SECONDS``; after
  ``OUTBOX_MAX_ATTEMPTS`` the message is ``failed`` (kept, logged as an error).
* **Never lost.** ``sweep`` (the task ``workflows.sweep_outbox``, every minute on the beat schedule) delivers the
  messages whose delivery never ran (the process died after the commit, the broker was down) and the ones whose
  claim went stale; ``deliver_due`` (``workflows.deliver_outbox`` without an id) those whose retry has come.

What a kind sends is its handler's business: ``handler(kind)`` registers a function ``payload -> [Email]``
(``workflows.notifications``, ``workflows.opinion_requests``), run at delivery time.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from permissions.statements import CompiledInsert
from workflows.models import OutboxDelivery, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

DELIVER_TASK = "workflows.deliver_outbox"
SWEEP_GRACE = datetime.timedelta(seconds=30)  # a message younger than this is still being delivered after commit
BATCH = 100  # messages claimed per sweep or delivery round
_INSERT = CompiledInsert(OutboxMessage)  # the message's INSERT, compiled once (permissions.statements)


@dataclass(frozen=True)
class Email:
    """One e-mail to one address (plain text; ``html`` optional)."""

    address: str
    subject: str
    body: str
    html: str = ""


Handler = Callable[[dict], list[Email]]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that turns a ``kind`` message's payload into its e-mails (at delivery time)."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def enqueue(kind: str, **payload) -> None:
    """Write a ``kind`` message (one INSERT, in the caller's transaction); deliver it once that commits.

    The payload must be JSON: ids, strings, numbers; dates are written as ISO strings.
    """
    if kind not in HANDLERS:
        raise LookupError(f"No outbox handler for {kind!r}")
    message = OutboxMessage(kind=kind, payload=json.loads(json.dumps(payload, default=str)))
    _INSERT.save(message)
    transaction.on_commit(partial(_after_commit, message.pk))


def _after_commit(message_id: int) -> None:
    """Queue the delivery (with a broker) or run it inline; never raise (the change has committed)."""
    try:
        if settings.CELERY_BROKER_URL:
            current_app.send_task(DELIVER_TASK, kwargs={"message_id": message_id})
        else:
            deliver(message_id)
    except Exception:  # noqa: BLE001 - the sweep delivers it later; the request that committed must not fail
        logger.exception("Outbox message %s: delivery after commit failed; the sweep will retry it", message_id)


# --- Claiming ---------------------------------------------------------------------------------------------------


def _claimable(now: datetime.datetime) -> Q:
    stale = now - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    )


def claim(condition: Q, *, limit: int = BATCH) -> tuple[str, list[int]]:
    """Claim up to ``limit`` pending, due, unclaimed (or stale) messages that also meet ``condition``.

    Returns the claim's token and the ids claimed: those this caller, and no one else, now delivers.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    wanted = OutboxMessage.objects.filter(_claimable(now), condition).order_by("next_attempt_at", "pk")
    claimed = {"claimed_at": now, "claim_token": token, "attempts": F("attempts") + 1}
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(wanted.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            OutboxMessage.objects.filter(pk__in=ids).update(**claimed)
        return token, ids
    ids = []
    for pk in wanted.values_list("pk", flat=True)[:limit]:
        # The conditional UPDATE: of two contenders for one row, one changes it, the other changes nothing.
        if OutboxMessage.objects.filter(_claimable(now), pk=pk).update(**claimed) == 1:
            ids.append(pk)
    return token, ids


# --- Delivering -------------------------------------------------------------------------------------------------


def deliver(message_id: int) -> bool:
    """Claim and deliver one message; True when this call delivered it, False when someone else has it, it is
    not due, or it failed (then ``last_error`` and the next attempt are recorded)."""
    token, ids = claim(Q(pk=message_id), limit=1)
    return bool(ids) and _deliver_claimed(ids[0], token)


def deliver_due(*, limit: int = BATCH) -> int:
    """Deliver the messages whose retry has come (``workflows.deliver_outbox`` without an id); returns how many."""
    token, ids = claim(Q(attempts__gt=0, claimed_at__isnull=True), limit=limit)
    return sum(_deliver_claimed(pk, token) for pk in ids)


def sweep(*, limit: int = BATCH) -> int:
    """Deliver what was left behind: never attempted (older than a moment) or claimed by a process that died."""
    now = timezone.now()
    token, ids = claim(Q(attempts=0, created_at__lte=now - SWEEP_GRACE) | Q(claimed_at__isnull=False), limit=limit)
    if ids:
        logger.warning("Outbox sweep: %s message(s) left behind picked up", len(ids))
    return sum(_deliver_claimed(pk, token) for pk in ids)


def _deliver_claimed(message_id: int, token: str) -> bool:
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        emails = HANDLERS[message.kind](message.payload)
        _send_each(message, emails)
    except Exception as error:  # noqa: BLE001 - recorded on the message and retried
        _record_failure(message, token, error)
        return False
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.DELIVERED, delivered_at=timezone.now(), last_error=""
    )
    return True


def _send_each(message: OutboxMessage, emails: Iterable[Email]) -> None:
    """Send each e-mail once: record its address first (unique per message), then send, then mark it sent."""
    backend = None
    try:
        for email in emails:
            address = email.address.strip().lower()
            try:
                with transaction.atomic():
                    delivery = OutboxDelivery.objects.create(message=message, address=address)
            except IntegrityError:  # already sent, or being sent, by another delivery of this message
                if not OutboxDelivery.objects.filter(message=message, address=address, sent_at__isnull=False).exists():
                    logger.warning(
                        "Outbox message %s: %s is in doubt (recorded, never confirmed sent)", message.pk, address
                    )
                continue
            if backend is None:
                backend = get_connection(fail_silently=False)
                backend.open()
            try:
                mail = EmailMultiAlternatives(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.address])
                if email.html:
                    mail.attach_alternative(email.html, "text/html")
                backend.send_messages([mail])
            except Exception:
                OutboxDelivery.objects.filter(pk=delivery.pk).delete()  # not sent: the retry sends it
                raise
            OutboxDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
    finally:
        if backend is not None:
            backend.close()


def _record_failure(message: OutboxMessage, token: str, error: Exception) -> None:
    attempts = OutboxMessage.objects.filter(pk=message.pk).values_list("attempts", flat=True).first() or 1
    text = f"{type(error).__name__}: {error}"[:2000]
    if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        changes = {"status": OutboxStatus.FAILED}
        logger.error("Outbox message %s (%s) given up after %s attempts: %s", message.pk, message.kind, attempts, text)
    else:
        delay = min(settings.OUTBOX_RETRY_SECONDS * 2 ** (attempts - 1), settings.OUTBOX_RETRY_MAX_SECONDS)
        changes = {"next_attempt_at": timezone.now() + datetime.timedelta(seconds=delay)}
        logger.warning(
            "Outbox message %s (%s) attempt %s failed, retry in %s s: %s",
            message.pk,
            message.kind,
            attempts,
            delay,
            text,
        )
    OutboxMessage.objects.filter(pk=message.pk, claim_token=token, status=OutboxStatus.PENDING).update(
        last_error=text, claimed_at=None, **changes
    )
