"""The outbox (workflows/outbox.py): written with the change, claimed once, retried, never lost, never sent twice.

Each guarantee of the module's docstring has a test that tries to break it: a rolled-back change, two deliveries
of one row (nested and from two threads), a process that dies between claim and send or while sending, a mail
server that fails, a broker that is down, a message whose delivery never ran.
"""

from __future__ import annotations

import datetime
import io
import sqlite3
import threading

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from workflows import outbox
from workflows.models import OutboxDelivery, OutboxMessage, OutboxStatus

ADDRESSES = ["an@example.org", "binh@example.org", "chi@example.org"]


@pytest.fixture
def kind(monkeypatch):
    """A test kind: one e-mail to each address of the payload's ``to`` (default ADDRESSES)."""

    def handler(payload):
        return [outbox.Email(address=a, subject=f"s{payload['n']}", body="b") for a in payload.get("to", ADDRESSES)]

    monkeypatch.setitem(outbox.HANDLERS, "test", handler)
    return "test"


class FailingFor(EmailBackend):
    """The locmem backend, refusing the addresses in ``FailingFor.refused`` (a mail server that is down for them)."""

    refused: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & self.refused:
                raise ConnectionError("mail server unreachable")
        return super().send_messages(messages)


@pytest.fixture
def failing(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingFor"
    FailingFor.refused = set(ADDRESSES)
    yield FailingFor
    FailingFor.refused = set()


def sent() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def later(seconds: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=False)


# --- Written with the change -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enqueue_writes_one_row_with_one_insert_and_delivers_after_commit(kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            outbox.enqueue(kind, n=1, when=datetime.date(2021, 11, 30))
            assert mail.outbox == []  # nothing leaves before the commit
        writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
        assert len(writes) == 1 and "workflows_outboxmessage" in writes[0]
    message = OutboxMessage.objects.get()
    assert message.payload == {"n": 1, "when": "2021-11-30"}
    assert message.status == OutboxStatus.DELIVERED and message.attempts == 1
    assert sent() == ADDRESSES
    assert set(message.deliveries.values_list("address", flat=True)) == set(ADDRESSES)
    assert not message.deliveries.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_message_and_sends_nothing(kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue(kind, n=1)
            raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_unknown_kind_is_refused():
    with pytest.raises(LookupError):
        outbox.enqueue("no_such_kind", n=1)
    assert not OutboxMessage.objects.exists()


# --- Claimed once, never sent twice ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_delivery_while_the_first_holds_the_claim_does_nothing(kind, monkeypatch):
    message = OutboxMessage.objects.create(kind=kind, payload={"n": 1})
    deliver_claimed = outbox._deliver_claimed
    second = []

    def first_worker(pk, token):
        second.append(outbox.deliver(pk))  # another worker tries while this one holds the claim
        return deliver_claimed(pk, token)

    monkeypatch.setattr(outbox, "_deliver_claimed", first_worker)
    assert outbox.deliver(message.pk) is True
    assert second == [False]
    assert sent() == ADDRESSES  # once each
    assert OutboxMessage.objects.get().attempts == 1


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """A database the threads below open connections of their own to, as workers do.

    PostgreSQL: the test database. SQLite: the in-memory test database copied into a file (SQLite's backup) that
    new connections open with the production options (WAL, busy timeout, ``BEGIN IMMEDIATE``); an in-memory
    database shared between threads would refuse a second writer at once ("table is locked") instead of making
    it wait. The threads' results are read through a connection of their own too (``in_thread``)."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "outbox.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
    database = connections.settings[connection.alias]  # the dict new connections are made from
    in_memory = database["NAME"]
    database["NAME"] = str(path)
    try:
        yield
    finally:
        database["NAME"] = in_memory


def in_thread(function):
    """``function()`` run on a connection of its own (another thread), and its result."""
    result = []

    def run():
        try:
            result.append(function())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return result[0]


def test_two_threads_delivering_the_same_row_send_each_email_once(kind, monkeypatch, shared_database):
    """Two workers both find the row free, then both try to claim it: one does, and each address gets one e-mail.

    On SQLite each waits, after reading the row as free, until the other has read it too (at its conditional
    UPDATE); on PostgreSQL the row lock (``skip_locked``) decides."""
    message = in_thread(lambda: OutboxMessage.objects.create(kind=kind, payload={"n": 1}))
    start, both_read = threading.Barrier(2, timeout=30), threading.Barrier(2, timeout=30)
    calls = threading.local()
    claimable = outbox._claimable

    def in_step(now):
        calls.n = getattr(calls, "n", 0) + 1
        if calls.n == 2:  # the second use in a claim on SQLite: the conditional UPDATE, after the read
            both_read.wait()
        return claimable(now)

    monkeypatch.setattr(outbox, "_claimable", in_step)
    results, errors = [], []

    def worker():
        try:
            start.wait()
            results.append(outbox.deliver(message.pk))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [False, True]
    assert sent() == ADDRESSES
    assert in_thread(lambda: OutboxDelivery.objects.count()) == len(ADDRESSES)
    assert in_thread(lambda: OutboxMessage.objects.get().attempts) == 1


@pytest.mark.django_db
def test_a_second_delivery_of_a_message_sends_nothing_to_the_addresses_already_recorded(kind):
    """Even when two deliveries both hold a claim (a stale claim taken over from a slow worker)."""
    message = OutboxMessage.objects.create(kind=kind, payload={"n": 1})
    assert outbox._deliver_claimed(message.pk, "slow-worker") is True
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.PENDING)
    assert outbox._deliver_claimed(message.pk, "taking-over") is True
    assert sent() == ADDRESSES


@pytest.mark.django_db
def test_a_process_that_died_between_claim_and_send_is_taken_over_once_its_claim_is_stale(kind, settings):
    message = OutboxMessage.objects.create(kind=kind, payload={"n": 1})
    outbox.claim(Q(pk=message.pk))  # ... and the process dies here
    assert outbox.sweep() == 0 and outbox.deliver_due() == 0 and outbox.deliver(message.pk) is False
    assert mail.outbox == []
    with later(settings.OUTBOX_CLAIM_SECONDS + 1):
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0
    assert sent() == ADDRESSES
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED and message.attempts == 2


@pytest.mark.django_db
def test_an_address_recorded_by_a_process_that_died_while_sending_is_not_sent_again(kind, settings, caplog):
    message = OutboxMessage.objects.create(kind=kind, payload={"n": 1})
    outbox.claim(Q(pk=message.pk))
    OutboxDelivery.objects.create(message=message, address=ADDRESSES[0])  # recorded, then the process died
    with later(settings.OUTBOX_CLAIM_SECONDS + 1):
        assert outbox.sweep() == 1
    assert sent() == ADDRESSES[1:]
    assert OutboxMessage.objects.get().status == OutboxStatus.DELIVERED
    assert f"{ADDRESSES[0]} is in doubt" in caplog.text  # at most once: left for a person to check


# --- Retried with backoff ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_delivery_is_recorded_and_retried_with_a_doubling_delay(kind, failing, settings):
    settings.OUTBOX_RETRY_SECONDS = 60
    message = OutboxMessage.objects.create(kind=kind, payload={"n": 1})
    start = timezone.now()
    assert outbox.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert message.last_error == "ConnectionError: mail server unreachable"
    assert message.claimed_at is None
    assert datetime.timedelta(seconds=60) <= message.next_attempt_at - start < datetime.timedelta(seconds=70)
    assert not OutboxDelivery.objects.exists()  # nothing was sent: nothing is recorded as sent
    assert outbox.deliver_due() == 0  # not due yet
    with later(61):
        assert outbox.deliver_due() == 0  # due, fails again: the delay doubles
        message.refresh_from_db()
        assert message.attempts == 2
        assert (
            datetime.timedelta(seconds=120)
            <= message.next_attempt_at - timezone.now()
            < datetime.timedelta(seconds=130)
        )
    failing.refused = set()
    with later(61 + 121):
        assert outbox.deliver_due() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED and message.last_error == "" and message.attempts == 3
    assert sent() == ADDRESSES


@pytest.mark.django_db
def test_a_retry_sends_only_the_addresses_that_failed(kind, failing):
    failing.refused = {ADDRESSES[1]}
    message = OutboxMessage.objects.create(kind=kind, payload={"n": 1})
    assert outbox.deliver(message.pk) is False
    assert sent() == [ADDRESSES[0]]  # the first went out before the failure
    failing.refused = set()
    with later(3600):
        assert outbox.deliver_due() == 1
    assert sent() == ADDRESSES  # each once


@pytest.mark.django_db
def test_a_message_is_given_up_after_the_last_attempt_and_kept(kind, failing, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = OutboxMessage.objects.create(kind=kind, payload={"n": 1})
    assert outbox.deliver(message.pk) is False
    with later(settings.OUTBOX_RETRY_MAX_SECONDS + 1):
        assert outbox.deliver_due() == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.attempts == 2 and message.last_error
    with later(10 * settings.OUTBOX_RETRY_MAX_SECONDS):
        assert outbox.deliver_due() == 0 and outbox.sweep() == 0  # given up: no further attempt


@pytest.mark.django_db
def test_a_failing_handler_never_reaches_the_request_that_committed(monkeypatch, django_capture_on_commit_callbacks):
    def broken(payload):
        raise ValueError("the review is gone")

    monkeypatch.setitem(outbox.HANDLERS, "broken", broken)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            outbox.enqueue("broken", n=1)
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING and message.last_error == "ValueError: the review is gone"


# --- With a broker; never lost -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_a_broker_the_delivery_task_is_sent_on_commit(
    kind, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    calls = []
    monkeypatch.setattr(outbox.current_app, "send_task", lambda name, kwargs: calls.append((name, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            outbox.enqueue(kind, n=1)
            assert calls == []
    message = OutboxMessage.objects.get()
    assert calls == [("workflows.deliver_outbox", {"message_id": message.pk})]
    assert mail.outbox == [] and message.status == OutboxStatus.PENDING  # the worker delivers it


@pytest.mark.django_db
def test_a_message_whose_delivery_never_ran_is_swept_up(
    kind, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The broker is down when the change commits (or the process dies before its on-commit callback)."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    def broker_down(name, kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(outbox.current_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            outbox.enqueue(kind, n=1)  # the request does not fail
    assert outbox.sweep() == 0  # still young: its delivery may be under way
    with later(outbox.SWEEP_GRACE.total_seconds() + 1):
        assert outbox.sweep() == 1
    assert sent() == ADDRESSES
    assert OutboxMessage.objects.get().status == OutboxStatus.DELIVERED


@pytest.mark.django_db
def test_the_deliver_outbox_command_retries_and_sweeps(kind, failing):
    retried = OutboxMessage.objects.create(kind=kind, payload={"n": 1, "to": ["an@example.org"]})
    assert outbox.deliver(retried.pk) is False
    failing.refused = set()
    left = OutboxMessage.objects.create(kind=kind, payload={"n": 2, "to": ["binh@example.org"]})
    out = io.StringIO()
    with later(3600):
        call_command("deliver_outbox", stdout=out)
    assert "2" in out.getvalue()
    assert sent() == ["an@example.org", "binh@example.org"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
    assert left.pk != retried.pk
