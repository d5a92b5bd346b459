"""The audit trail proves itself: the database refuses edits, and any edit made past the triggers is found.

The events of a review are chained to each other when written; the sealer (``seal_pending``) later seals them
into the global chain (``AuditSeal``). Both are attacked here: edited, deleted, reordered events; deleted and
reordered seals; heads rewound; and events not yet sealed, which are verified against their review's chain.

Runs on SQLite (``make test``) and on PostgreSQL (``make test-postgres``, the ``postgres`` marker).
To tamper past the triggers a test drops them inside its own transaction (rolled back afterwards), as the
owner of the tables can. On PostgreSQL the application role (``DB_APP_ROLE``) is tried on a second connection:
it can neither rewrite the trail nor switch the triggers off. Records and anchors: test_records_in_chain.py,
test_anchors.py; two writers and two sealers at once: tests/concurrency/test_audit_no_global_lock.py.
"""

import hashlib
import io
import os

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from review_process import audit_seal
from review_process.audit import directory_record, event_content, seal_pending, verify_chain
from review_process.audit_seal import chain_seals, locked_head, write_seals
from review_process.management.commands import flush as flush_command
from review_process.management.commands.verify_audit_trail import TRIGGERS, missing_triggers
from review_process.models import AuditChainHead, AuditDirectoryHead, AuditEvent, AuditSeal
from review_process.services import records
from tests.compliance.conftest import drop_triggers, open_review, walk
from workflows.services import review_open

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("english")]


@pytest.fixture
def interleaved(walker, people):
    """Two reviews whose events interleave in the global chain: the walked Đức Giang one and Thượng Thanh."""
    review = open_review(walker)
    other = review_open(organization_code="LB-TT", year=2021, kind="collective", by=people.outsider)
    records.report_version_add(review=other, by=people.outsider, text="Dự thảo Thượng Thanh")
    review = walk(walker, review, "awaiting_guidance")
    records.report_version_add(review=other, by=people.outsider, text="Dự thảo Thượng Thanh, bản 2")
    walk(walker, review)
    seal_pending()
    return list(
        AuditEvent.objects.filter(review__isnull=False).select_related("seal").order_by("seal__global_sequence")
    )


def test_the_triggers_are_installed():
    assert missing_triggers() == []
    assert len(TRIGGERS[connection.vendor]) == 8  # events, seals, the global head, the directory's head


def refused(action):
    with pytest.raises(IntegrityError, match="append-only|refused|advance"), transaction.atomic():
        action()


def test_the_database_refuses_to_update_or_delete_an_event(clean_review):
    event = AuditEvent.objects.filter(review=clean_review).first()
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(actor_role="standing_committee"))
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    refused(lambda: AuditEvent.objects.all().delete())

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE review_process_auditevent SET action = 'forged' WHERE id = %s", [event.pk])

    refused(raw_update)
    assert AuditEvent.objects.get(pk=event.pk).action == event.action
    assert verify_chain().intact


def test_the_database_refuses_to_update_or_delete_a_seal(clean_review):
    assert seal_pending() == AuditEvent.objects.count()
    seal = AuditSeal.objects.order_by("global_sequence").first()
    other = AuditSeal.objects.order_by("global_sequence").last()
    refused(lambda: AuditSeal.objects.filter(pk=seal.pk).update(chain_hash=other.chain_hash))
    refused(lambda: AuditSeal.objects.filter(pk=seal.pk).update(event=other.event_id))
    refused(lambda: AuditSeal.objects.filter(pk=seal.pk).delete())
    refused(lambda: AuditSeal.objects.all().delete())
    assert verify_chain().intact


def test_the_chain_head_cannot_be_deleted_rewound_or_moved_off_the_seals(clean_review):
    seal_pending()
    head = AuditChainHead.objects.get(pk=1)
    before = AuditSeal.objects.get(global_sequence=head.global_sequence - 1)
    refused(lambda: AuditChainHead.objects.filter(pk=1).delete())
    refused(lambda: AuditChainHead.objects.filter(pk=1).update(global_sequence=head.global_sequence - 1))
    # Back onto a real seal is still backwards; forward to a place no seal holds, or with another hash: refused.
    refused(
        lambda: AuditChainHead.objects.filter(pk=1).update(global_sequence=before.global_sequence,
                                                           chain_hash=before.chain_hash)
    )  # fmt: skip
    refused(lambda: AuditChainHead.objects.filter(pk=1).update(global_sequence=head.global_sequence + 5))
    directory_record(actor=clean_review.opened_by, action="directory.test", payload={})
    seal_pending()
    head_after = AuditChainHead.objects.get(pk=1)
    assert head_after.global_sequence == head.global_sequence + 1  # the sealer moved it forward, by the triggers


def test_the_directory_head_cannot_be_deleted_rewound_or_forged(people):
    first = directory_record(actor=people.auditor, action="directory.test.one", payload={"n": 1})
    second = directory_record(actor=people.auditor, action="directory.test.two", payload={"n": 2})
    head = AuditDirectoryHead.objects.get(pk=1)
    assert (head.sequence, head.hash) == (second.sequence, second.hash) == (first.sequence + 1, second.hash)
    refused(lambda: AuditDirectoryHead.objects.filter(pk=1).delete())
    refused(lambda: AuditDirectoryHead.objects.filter(pk=1).update(sequence=first.sequence, hash=first.hash))
    refused(lambda: AuditDirectoryHead.objects.filter(pk=1).update(sequence=head.sequence + 1, hash=second.hash))
    assert verify_chain().intact


def test_postgres_refuses_truncate(clean_review):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite has none)")
    seal_pending()
    for table in ("review_process_auditevent", "review_process_auditseal", "review_process_auditchainhead"):

        def truncate(table=table):
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {table} CASCADE")

        refused(truncate)


def verify_fails() -> tuple:
    """Run verify_audit_trail: it must exit 1. Returns (its message, the verdict)."""
    with pytest.raises(CommandError) as error:
        call_command("verify_audit_trail", stdout=io.StringIO(), stderr=io.StringIO())
    assert error.value.returncode == 1
    return str(error.value), verify_chain()


def tampered(change):
    """Drop the triggers, apply ``change``, verify, and roll all of it back."""
    sid = transaction.savepoint()
    try:
        drop_triggers()
        change()
        return verify_fails()
    finally:
        transaction.savepoint_rollback(sid)


def test_editing_any_single_event_is_found_at_that_event(interleaved):
    for event in interleaved:
        message, verdict = tampered(
            lambda event=event: AuditEvent.objects.filter(pk=event.pk).update(payload={"forged": True})
        )
        assert (verdict.broken_event_id, verdict.code) == (event.pk, "content"), event.pk
        chain = f"review {event.review_id}" if event.review_id else "the directory's chain"
        assert f"event id {event.pk} ({chain}, sequence {event.sequence}, global sequence " in message
    assert verify_chain().intact  # everything was rolled back


def test_editing_an_events_time_is_found_at_that_event(interleaved):
    event = interleaved[len(interleaved) // 2]
    _message, verdict = tampered(
        lambda: AuditEvent.objects.filter(pk=event.pk).update(occurred_at=event.occurred_at.replace(year=2020))
    )
    assert (verdict.broken_event_id, verdict.code) == (event.pk, "content")


def test_deleting_any_single_event_is_found_at_its_place(interleaved):
    last_of_review = {}
    for e in interleaved:
        last_of_review[e.review_id] = e.pk
    for event in interleaved:
        message, verdict = tampered(lambda event=event: delete_event(event))
        assert verdict.missing_global_sequence == event.seal.global_sequence, event.pk
        assert f"global sequence {event.seal.global_sequence}" in message
        if event is interleaved[-1]:
            assert verdict.code == "missing_tail"
        elif last_of_review[event.review_id] != event.pk:
            # The review's own chain shows the hole: the deleted event is named by review and sequence.
            assert (verdict.review_id, verdict.sequence) == (event.review_id, event.sequence)
            assert f"(review {event.review_id}, sequence {event.sequence})" in message


def test_deleting_any_single_seal_is_found_at_its_place(interleaved):
    for event in interleaved:
        message, verdict = tampered(lambda event=event: AuditSeal.objects.filter(pk=event.seal.pk).delete())
        assert verdict.missing_global_sequence == event.seal.global_sequence, event.pk
        assert verdict.code == ("missing_tail" if event is interleaved[-1] else "global_gap")
        assert f"global sequence {event.seal.global_sequence}" in message


def test_a_deleted_seal_is_not_sealed_again_in_its_place(interleaved):
    """The sealer follows the head, not the seals: an event whose seal was deleted is sealed at the end, and the
    hole it left stays a hole."""
    event = interleaved[3]
    sid = transaction.savepoint()
    try:
        drop_triggers()
        AuditSeal.objects.filter(pk=event.seal.pk).delete()
        assert seal_pending() == 1
        assert AuditSeal.objects.get(event=event).global_sequence == interleaved[-1].seal.global_sequence + 1
        verdict = verify_chain()
    finally:
        transaction.savepoint_rollback(sid)
    assert (verdict.code, verdict.missing_global_sequence) == ("global_gap", event.seal.global_sequence)


def delete_event(event):
    """As the tables' owner would: SQL, past the ORM's protection of sealed events."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM review_process_auditevent WHERE id = %s", [event.pk])


def _swap(model, one, other, field, spare):
    model.objects.filter(pk=one.pk).update(**{field: spare})
    model.objects.filter(pk=other.pk).update(**{field: getattr(one, field)})
    model.objects.filter(pk=one.pk).update(**{field: getattr(other, field)})


def test_reordering_any_event_within_its_review_is_found_at_that_event(interleaved):
    for event in interleaved:
        following = [e for e in interleaved if e.review_id == event.review_id and e.sequence == event.sequence + 1]
        if not following:
            continue
        _message, verdict = tampered(lambda event=event, f=following[0]: _swap(AuditEvent, event, f, "sequence", 10**6))
        assert (verdict.broken_event_id, verdict.code) == (event.pk, "review_order"), event.pk


def test_reordering_any_seal_in_the_global_chain_is_found_at_it(interleaved):
    for event, following in zip(interleaved, interleaved[1:], strict=False):
        _message, verdict = tampered(
            lambda one=event.seal, other=following.seal: _swap(AuditSeal, one, other, "global_sequence", 10**12)
        )
        assert verdict.broken_event_id in (event.pk, following.pk), event.pk
        assert verdict.code == "global_link"


def test_pointing_a_seal_at_another_event_is_found(interleaved):
    """The seals keep their order but two events change places in it: the chain hash covers the event's hash."""
    event, following = interleaved[4], interleaved[5]
    _message, verdict = tampered(lambda: _swap(AuditSeal, event.seal, following.seal, "event_id", 10**12))
    assert verdict.code in ("chain_hash", "review_gap", "review_order", "review_link")
    assert verdict.broken_event_id in (event.pk, following.pk)


def test_one_review_can_be_verified_with_its_anchor(interleaved):
    dg = interleaved[0].review_id
    assert verify_chain(reviews=[type(interleaved[0].review).objects.get(pk=dg)]).intact
    # Delete the seal of an event of the other review that sits just before one of Đức Giang's in the chain.
    for before, after in zip(interleaved, interleaved[1:], strict=False):
        if before.review_id != dg and after.review_id == dg:
            break
    else:
        pytest.fail("the fixture does not interleave")
    sid = transaction.savepoint()
    try:
        drop_triggers()
        AuditSeal.objects.filter(pk=before.seal.pk).delete()
        verdict = verify_chain(reviews=[after.review])
    finally:
        transaction.savepoint_rollback(sid)
    assert (verdict.code, verdict.broken_event_id) == ("anchor_missing", after.pk)


def test_one_review_with_a_deleted_seal_is_found(interleaved):
    event = interleaved[2]
    sid = transaction.savepoint()
    try:
        drop_triggers()
        AuditSeal.objects.filter(pk=event.seal.pk).delete()
        verdict = verify_chain(reviews=[event.review])
    finally:
        transaction.savepoint_rollback(sid)
    assert (verdict.code, verdict.broken_event_id) == ("seal_missing", event.pk)


# --- Events not yet sealed: verified against their review's chain, counted, not failed. ---


@pytest.fixture
def half_sealed(interleaved, people):
    """The interleaved reviews, sealed; then three more events of Thượng Thanh's review, not yet sealed."""
    review = next(e.review for e in interleaved if e.review_id != interleaved[0].review_id)
    for n in range(3):
        records.report_version_add(review=review, by=people.outsider, text=f"Bản bổ sung {n}")
    return list(AuditEvent.objects.filter(review=review, seal__isnull=True).order_by("sequence"))


def test_unsealed_events_are_verified_against_their_review_and_reported(half_sealed):
    verdict = verify_chain()
    assert verdict.intact and verdict.unsealed == 3
    assert verdict.checked == AuditEvent.objects.count()
    assert "3 of them not yet sealed into the global chain" in verdict.describe()
    subset = verify_chain(reviews=[half_sealed[0].review])
    assert subset.intact and subset.unsealed == 3
    out = io.StringIO()
    call_command("verify_audit_trail", stdout=out, stderr=io.StringIO())  # exits 0
    assert "not yet sealed" in out.getvalue()


def test_editing_an_unsealed_event_is_found_at_that_event(half_sealed):
    for event in half_sealed:
        message, verdict = tampered(
            lambda event=event: AuditEvent.objects.filter(pk=event.pk).update(payload={"forged": True})
        )
        assert (verdict.broken_event_id, verdict.code, verdict.sealed) == (event.pk, "content", False)
        assert f"(review {event.review_id}, sequence {event.sequence}, not yet sealed)" in message


def test_deleting_or_reordering_an_unsealed_event_is_found_by_its_review(half_sealed):
    first, middle, last = half_sealed
    _message, verdict = tampered(lambda: delete_event(middle))
    assert (verdict.code, verdict.broken_event_id) == ("review_gap", last.pk)
    _message, verdict = tampered(lambda: _swap(AuditEvent, first, middle, "sequence", 10**6))
    # Walked in its review's order, the event now in the first place does not link to the one before it.
    assert (verdict.code, verdict.broken_event_id) == ("review_link", middle.pk)


def test_an_unsealed_event_recomputed_without_the_key_is_found(half_sealed):
    event = half_sealed[1]

    def forge():
        event.payload = {"forged": True}
        forged = hashlib.sha256((event.prev_hash + event_content(event)).encode("utf-8")).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(payload=event.payload, hash=forged)

    _message, verdict = tampered(forge)
    assert (verdict.broken_event_id, verdict.code) == (event.pk, "content")


def test_sealing_twice_seals_nothing_the_second_time(half_sealed):
    assert seal_pending(limit=2) == 2
    assert seal_pending() == 1
    assert seal_pending() == 0
    assert AuditSeal.objects.count() == AuditEvent.objects.count()
    assert AuditChainHead.objects.get(pk=1).global_sequence == AuditSeal.objects.count()
    sealed = list(AuditSeal.objects.filter(event__in=half_sealed).order_by("global_sequence"))
    assert [s.event_id for s in sealed] == [e.pk for e in half_sealed]  # in each review's order
    verdict = verify_chain()
    assert verdict.intact and verdict.unsealed == 0
    out = io.StringIO()
    call_command("seal_audit_trail", stdout=out)
    assert out.getvalue().startswith("0 events sealed;")


def test_a_recent_scan_seals_new_events_and_leaves_late_old_ones_to_the_full_run(interleaved, people, monkeypatch):
    """``seal_pending(full=False)`` looks only from the smallest event id of the last seals on. An event with a
    lower id that commits later than that (PostgreSQL: ids are taken at insert, not at commit) is sealed by the
    next full run: never skipped for good."""
    monkeypatch.setattr(audit_seal, "RECENT_SEALS", 2)
    late = directory_record(actor=people.auditor, action="directory.test.late", payload={})
    other = next(e.review for e in interleaved if e.review_id != interleaved[0].review_id)
    for n in range(3):
        records.report_version_add(review=other, by=people.outsider, text=f"Bản {n}")
    others = list(AuditEvent.objects.filter(review=other, seal__isnull=True).order_by("sequence"))
    # As a sealer that could not see ``late`` yet (its transaction still open) would have sealed the others:
    write_seals(locked_head(), chain_seals([(e.pk, e.hash) for e in others], after=head_values()))
    assert seal_pending(full=False) == 0  # ``late`` is below the recent floor ...
    assert verify_chain().unsealed == 1
    records.report_version_add(review=other, by=people.outsider, text="Bản mới")
    new = AuditEvent.objects.filter(review=other).order_by("-sequence").first()
    after_late = directory_record(actor=people.auditor, action="directory.test.after", payload={})
    assert seal_pending(full=False) == 1  # ... a new event is not; the next of ``late``'s chain waits for it
    assert AuditSeal.objects.filter(event=new).exists()
    assert not AuditSeal.objects.filter(event__in=[late, after_late]).exists()
    assert verify_chain().intact
    assert seal_pending() == 2  # the full run seals the late one, then the next of its chain
    verdict = verify_chain()
    assert verdict.intact and verdict.unsealed == 0, verdict.describe()


def head_values() -> tuple[int, str]:
    head = AuditChainHead.objects.get(pk=1)
    return head.global_sequence, head.chain_hash


def test_the_directory_chain_is_checked_against_its_head(people):
    first = directory_record(actor=people.auditor, action="directory.test.one", payload={"n": 1})
    second = directory_record(actor=people.auditor, action="directory.test.two", payload={"n": 2})
    assert verify_chain().intact
    _message, verdict = tampered(lambda: delete_event(second))
    assert (verdict.code, verdict.in_directory, verdict.sequence) == ("directory_tail", True, first.sequence + 1)


def test_flush_is_refused_outside_a_test_database(clean_review, monkeypatch):
    monkeypatch.setattr(flush_command, "is_test_database", lambda connection: False)
    with pytest.raises(CommandError, match="append-only"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.filter(review=clean_review).exists()


@pytest.mark.django_db(transaction=True)
def test_the_test_database_can_still_be_flushed(walker):
    """A transactional test (like live_server) ends with a flush: the owner drops the triggers, flushes and
    re-creates them."""
    walker.open()
    seal_pending()
    assert AuditSeal.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists() and not AuditSeal.objects.exists()
    assert missing_triggers() == []  # the triggers are back ...
    AuditChainHead.objects.create(pk=1)
    refused(lambda: AuditChainHead.objects.filter(pk=1).delete())  # ... and active


def test_there_is_no_door_in_the_triggers(clean_review):
    """Nothing the application can write switches the triggers off: the maintenance table of old is gone."""
    with connection.cursor() as cursor:
        assert "review_process_audit_maintenance" not in connection.introspection.table_names(cursor)
    event = AuditEvent.objects.filter(review=clean_review).first()
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(payload={"forged": True}))


# --- PostgreSQL roles: the application role cannot rewrite the audit trail, nor switch its triggers off. ---

APP_ROLE_REFUSED = [
    "UPDATE review_process_auditevent SET action = 'forged'",
    "DELETE FROM review_process_auditevent",
    "TRUNCATE review_process_auditevent",
    "UPDATE review_process_auditseal SET chain_hash = 'forged'",
    "DELETE FROM review_process_auditseal",
    "TRUNCATE review_process_auditseal",
    "DELETE FROM review_process_auditchainhead",
    "TRUNCATE review_process_auditchainhead",
    "DELETE FROM review_process_auditdirectoryhead",
    "TRUNCATE review_process_auditdirectoryhead",
    "ALTER TABLE review_process_auditevent DISABLE TRIGGER ALL",
    "ALTER TABLE review_process_auditseal DISABLE TRIGGER ALL",
    "ALTER TABLE review_process_auditchainhead DISABLE TRIGGER review_process_auditchainhead_guard",
    "ALTER TABLE review_process_auditdirectoryhead DISABLE TRIGGER review_process_auditdirectoryhead_guard",
    "DROP TRIGGER review_process_auditevent_no_update_delete ON review_process_auditevent",
    "DROP TRIGGER review_process_auditseal_no_update_delete ON review_process_auditseal",
]
APP_ROLE_ALLOWED = [
    "SELECT count(*) FROM review_process_auditevent",
    "SELECT count(*) FROM review_process_auditseal",
    "UPDATE review_process_auditchainhead SET chain_hash = chain_hash WHERE false",
    "UPDATE review_process_auditdirectoryhead SET hash = hash WHERE false",
    "UPDATE review_process_decision SET reason = reason WHERE false",
    "DELETE FROM review_process_guidance WHERE false",
]


@pytest.fixture
def app_connection():
    """A second connection to the test database, as the application role (settings.DB_APP_ROLE)."""
    if connection.vendor != "postgresql" or not settings.DB_APP_ROLE:
        pytest.skip("PostgreSQL with DB_APP_ROLE (make test-postgres) only")
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        dbname=params["NAME"],
        user=settings.DB_APP_ROLE,
        password=os.environ.get("DB_APP_PASSWORD", ""),
        autocommit=True,
    ) as conn:
        yield conn


@pytest.mark.parametrize("statement", APP_ROLE_REFUSED)
def test_the_application_role_may_not_rewrite_the_audit_trail(app_connection, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_connection.execute(statement)


def test_the_application_role_may_do_its_work(app_connection):
    for statement in APP_ROLE_ALLOWED:
        app_connection.execute(statement)
    owner = app_connection.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'review_process_auditseal'")
    assert owner.fetchone()[0] == connection.settings_dict["USER"] != settings.DB_APP_ROLE
