"""Appending to the audit trail locks only what the event concerns; the global chain is sealed afterwards.

On PostgreSQL (``make test-postgres``), with real concurrent transactions on separate connections (threads):

* a transaction that appended an event to review X and stays open does not hold up a change to review Y, nor a
  directory change, nor the sealer: each commits while X's transaction is still open. Every statement of the
  second transaction runs under ``lock_timeout``, so a wait fails the test instead of hanging it (with the
  former single ``AuditChainHead`` row locked by every writer, it did wait);
* the lock is real where it must be: a second append to the same review, or to the directory while another
  directory change is open, waits (and times out here);
* the event of X, with the lower id but committed last, is sealed by the next run (``NOT EXISTS``, not "id above
  the last sealed");
* two sealers at once never seal one event twice: the second waits on the head's lock, then finds nothing left.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection, connections, transaction

from review_process.audit import directory_record, seal_pending, verify_chain
from review_process.models import AuditChainHead, AuditEvent, AuditSeal, Review
from review_process.services import records
from workflows.services import review_open

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions: PostgreSQL only"),
]


@pytest.fixture(autouse=True)
def sealed_by_the_scheduled_job(settings):
    """As in the scaled mode (a broker configured): events wait for the beat's seal, not one after each commit,
    so what each test seals (or leaves unsealed) is its own doing."""
    settings.AUDIT_SEAL_AFTER_COMMIT = False


BOUND = 30  # seconds: the longest a thread is waited for before the test fails (a bound, not a measure)


def bounded(*, lock_timeout: str = "2s") -> None:
    """Within the current transaction: a lock wait fails after ``lock_timeout``; no statement runs past 20 s."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")
        cursor.execute("SET LOCAL statement_timeout = '20s'")


class Held(threading.Thread):
    """Runs ``work`` in a transaction on a connection of its own and keeps the transaction open until
    ``release()`` (then commits). ``ready`` is set once ``work`` returned (or failed)."""

    def __init__(self, work: Callable, *, lock_timeout: str = "2s", hold: bool = True, atomic: bool = True):
        super().__init__(daemon=True)
        self.work, self.lock_timeout, self.hold, self.atomic = work, lock_timeout, hold, atomic
        self.ready, self._release = threading.Event(), threading.Event()
        self.result = self.error = self.pid = None

    def run(self) -> None:
        if not self.atomic:  # the work's own transactions, as a scheduled job runs
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"SET lock_timeout = '{self.lock_timeout}'")
                self.result = self.work()
            except BaseException as exc:  # reported to the test
                self.error = exc
            finally:
                self.ready.set()
                connections.close_all()
            return
        try:
            with transaction.atomic():
                bounded(lock_timeout=self.lock_timeout)
                self.pid = connection.connection.info.backend_pid
                self.result = self.work()
                self.ready.set()
                if self.hold and not self._release.wait(BOUND):
                    raise RuntimeError("never released")
        except BaseException as exc:  # reported to the test
            self.error = exc
        finally:
            self.ready.set()
            connections.close_all()

    def release(self) -> None:
        self._release.set()
        self.join(BOUND)
        assert not self.is_alive(), "the held transaction did not finish"


def held(work: Callable, **options) -> Held:
    thread = Held(work, **options)
    thread.start()
    assert thread.ready.wait(BOUND), "the held transaction did not start"
    assert thread.error is None, thread.error
    return thread


@pytest.fixture
def reviews(walker, people) -> tuple[Review, Review]:
    """Đức Giang's and Thượng Thanh's reviews, committed, their events sealed."""
    x = walker.open()
    y = review_open(organization_code="LB-TT", year=2021, kind="collective", by=people.outsider)
    seal_pending()
    return x, y


def add_version(review: Review, by, text: str):
    records.report_version_add(review=review, by=by, text=text)
    return AuditEvent.objects.filter(review=review).order_by("-sequence").first()


def test_a_change_to_another_review_does_not_wait_and_the_late_commit_is_sealed(reviews, people):
    x, y = reviews
    open_x = held(lambda: add_version(x, people.secretary, "Dự thảo Đức Giang"))
    try:
        with transaction.atomic():
            bounded()  # a wait on a lock X's transaction holds would raise OperationalError here
            event_y = add_version(y, people.outsider, "Dự thảo Thượng Thanh")
        assert open_x.is_alive() and not open_x._release.is_set()  # X's transaction is still open
        with transaction.atomic():
            bounded()
            assert seal_pending() == 1  # the sealer does not wait either, and sees only Y's (committed) event
        assert AuditSeal.objects.filter(event=event_y).exists()
    finally:
        open_x.release()
    assert open_x.error is None, open_x.error
    event_x = open_x.result
    assert event_x.pk < event_y.pk  # X's event was written first but committed last ...
    assert seal_pending() == 1  # ... and is sealed now: committed and without a seal, whatever its id
    order = list(AuditSeal.objects.filter(event__in=[event_x, event_y]).order_by("global_sequence"))
    assert [s.event_id for s in order] == [event_y.pk, event_x.pk]
    verdict = verify_chain()
    assert verdict.intact and verdict.unsealed == 0, verdict.describe()


def test_a_directory_change_and_a_review_change_do_not_wait_on_each_other(reviews, people):
    x, y = reviews
    open_directory = held(lambda: directory_record(actor=people.auditor, action="directory.test", payload={}))
    try:
        with transaction.atomic():
            bounded()
            add_version(y, people.outsider, "Dự thảo Thượng Thanh")
    finally:
        open_directory.release()
    assert open_directory.error is None, open_directory.error
    open_y = held(lambda: add_version(y, people.outsider, "Dự thảo Thượng Thanh, bản 2"))
    try:
        with transaction.atomic():
            bounded()
            directory_record(actor=people.auditor, action="directory.test", payload={"n": 2})
    finally:
        open_y.release()
    assert open_y.error is None, open_y.error
    assert seal_pending() == 4
    assert verify_chain().intact


def test_the_lock_is_real_within_one_review_and_within_the_directory(reviews, people):
    x, _y = reviews
    open_x = held(lambda: add_version(x, people.secretary, "Dự thảo Đức Giang"))
    try:
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            bounded(lock_timeout="300ms")
            add_version(x, people.deputy, "Một bản khác cùng lúc")  # waits for X's lock: no fork of X's chain
    finally:
        open_x.release()
    open_directory = held(lambda: directory_record(actor=people.auditor, action="directory.test", payload={}))
    try:
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            bounded(lock_timeout="300ms")
            directory_record(actor=people.auditor, action="directory.test", payload={"n": 2})
    finally:
        open_directory.release()
    assert open_x.error is None and open_directory.error is None
    verdict = verify_chain()
    assert verdict.intact and verdict.unsealed == 2, verdict.describe()


def waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def test_a_second_sealer_waits_for_the_first_and_seals_nothing_twice(reviews, people):
    with transaction.atomic():
        for n in range(30):
            directory_record(actor=people.auditor, action="directory.test", payload={"n": n})
    first = held(seal_pending)  # sealed, not yet committed: it holds the head
    second = Held(seal_pending, lock_timeout="20s", hold=False)
    second.start()
    try:
        for _attempt in range(BOUND * 10):
            if second.pid is not None and waiting_on_a_lock(second.pid):
                break
            threading.Event().wait(0.1)
        else:
            pytest.fail("the second sealer never waited on the head's lock")
    finally:
        first.release()
    second.join(BOUND)
    assert first.error is None and second.error is None, (first.error, second.error)
    assert (first.result, second.result) == (30, 0)
    assert AuditSeal.objects.count() == AuditEvent.objects.count()
    assert AuditChainHead.objects.get(pk=1).global_sequence == AuditSeal.objects.count()
    assert verify_chain().intact


def test_sealers_racing_over_many_events_seal_each_once(reviews, people):
    with transaction.atomic():
        for n in range(2500):
            directory_record(actor=people.auditor, action="directory.test", payload={"n": n})
    start = threading.Barrier(2)

    def race():
        start.wait(BOUND)
        return seal_pending()

    sealers = [Held(race, lock_timeout="20s", atomic=False) for _ in range(2)]
    for sealer in sealers:
        sealer.start()
    for sealer in sealers:
        sealer.join(BOUND * 2)
        assert not sealer.is_alive() and sealer.error is None, sealer.error
    assert sum(sealer.result for sealer in sealers) == 2500
    assert AuditSeal.objects.count() == AuditEvent.objects.count()
    assert seal_pending() == 0
    verdict = verify_chain()
    assert verdict.intact and verdict.unsealed == 0, verdict.describe()


def test_sealing_after_a_commit_never_waits_for_another_sealer(reviews, people, settings):
    """Without a broker each commit seals its events (settings.AUDIT_SEAL_AFTER_COMMIT): while a sealer holds the
    head, the committing request gives up sealing at once (NOWAIT) and the holder or the next run seals them."""
    settings.AUDIT_SEAL_AFTER_COMMIT = True
    first = held(seal_pending)  # holds the head until released

    def commit_a_change():
        with transaction.atomic():
            return directory_record(actor=people.auditor, action="directory.test", payload={"n": "late"})

    # The session's lock_timeout is far longer than the bound: a waiting request would still be running.
    request = Held(commit_a_change, lock_timeout="120s", atomic=False)
    request.start()
    request.join(BOUND)
    try:
        assert not request.is_alive(), "the commit waited for the sealer holding the head"
        assert request.error is None, request.error
        assert not AuditSeal.objects.filter(event=request.result).exists()  # left to the sealer at work
    finally:
        first.release()
    assert first.error is None, first.error
    assert seal_pending() >= 1 and AuditSeal.objects.filter(event=request.result).exists()
    assert verify_chain().intact
