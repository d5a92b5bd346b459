"""The audit trail proves itself: the database refuses edits, and any edit made past the triggers is found.

Runs on SQLite (``make test``) and on PostgreSQL (``make test-postgres``, the ``postgres`` marker).
To tamper past the triggers a test drops them inside its own transaction (rolled back afterwards), as the
owner of the tables can. On PostgreSQL the application role (``DB_APP_ROLE``) is tried on a second connection:
it can neither rewrite the trail nor switch the triggers off. Records and anchors: test_records_in_chain.py,
test_anchors.py.
"""

import io
import os

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from review_process.audit import verify_chain
from review_process.management.commands import flush as flush_command
from review_process.management.commands.verify_audit_trail import TRIGGERS, missing_triggers
from review_process.models import AuditChainHead, AuditEvent
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
    return list(AuditEvent.objects.filter(review__isnull=False).order_by("global_sequence"))


def test_the_triggers_are_installed():
    assert missing_triggers() == []
    assert TRIGGERS[connection.vendor]


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


def test_the_chain_head_cannot_be_deleted_or_rewound(clean_review):
    head = AuditChainHead.objects.get(pk=1)
    refused(lambda: AuditChainHead.objects.filter(pk=1).delete())
    refused(lambda: AuditChainHead.objects.filter(pk=1).update(global_sequence=head.global_sequence - 1))
    refused(lambda: AuditChainHead.objects.filter(pk=1).update(global_sequence=head.global_sequence + 5))


def test_postgres_refuses_truncate(clean_review):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite has none)")

    def truncate():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE review_process_auditevent")

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
        assert f"event id {event.pk} ({chain}, sequence {event.sequence}," in message
    assert verify_chain().intact  # everything was rolled back


def test_editing_an_events_time_is_found_at_that_event(interleaved):
    event = interleaved[len(interleaved) // 2]
    _message, verdict = tampered(
        lambda: AuditEvent.objects.filter(pk=event.pk).update(occurred_at=event.occurred_at.replace(year=2020))
    )
    assert (verdict.broken_event_id, verdict.code) == (event.pk, "content")


def test_deleting_any_single_event_is_found_at_that_event(interleaved):
    last_of_review = {}
    for e in interleaved:
        last_of_review[e.review_id] = e.pk
    for event in interleaved:
        message, verdict = tampered(lambda event=event: AuditEvent.objects.filter(pk=event.pk).delete())
        assert verdict.missing_global_sequence == event.global_sequence, event.pk
        assert f"global sequence {event.global_sequence}" in message
        if event is interleaved[-1]:
            assert verdict.code == "missing_tail"
        elif last_of_review[event.review_id] != event.pk:
            # The review's own chain shows the hole: the deleted event is named by review and sequence.
            assert (verdict.review_id, verdict.sequence) == (event.review_id, event.sequence)
            assert f"(review {event.review_id}, sequence {event.sequence})" in message


def _swap(event, other, field, spare):
    AuditEvent.objects.filter(pk=event.pk).update(**{field: spare})
    AuditEvent.objects.filter(pk=other.pk).update(**{field: getattr(event, field)})
    AuditEvent.objects.filter(pk=event.pk).update(**{field: getattr(other, field)})


def test_reordering_any_event_within_its_review_is_found_at_that_event(interleaved):
    for event in interleaved:
        following = [e for e in interleaved if e.review_id == event.review_id and e.sequence == event.sequence + 1]
        if not following:
            continue
        _message, verdict = tampered(lambda event=event, f=following[0]: _swap(event, f, "sequence", 10**6))
        assert (verdict.broken_event_id, verdict.code) == (event.pk, "review_order"), event.pk


def test_reordering_any_event_in_the_global_chain_is_found_at_it(interleaved):
    for event, following in zip(interleaved, interleaved[1:], strict=False):
        _message, verdict = tampered(
            lambda event=event, following=following: _swap(event, following, "global_sequence", 10**12)
        )
        assert verdict.broken_event_id in (event.pk, following.pk), event.pk
        assert verdict.code == "global_link"


def test_one_review_can_be_verified_with_its_anchor(interleaved):
    dg = interleaved[0].review_id
    assert verify_chain(reviews=[type(interleaved[0].review).objects.get(pk=dg)]).intact
    # Delete an event of the other review that sits just before one of Đức Giang's in the global chain.
    for before, after in zip(interleaved, interleaved[1:], strict=False):
        if before.review_id != dg and after.review_id == dg:
            break
    else:
        pytest.fail("the fixture does not interleave")
    sid = transaction.savepoint()
    try:
        drop_triggers()
        AuditEvent.objects.filter(pk=before.pk).delete()
        verdict = verify_chain(reviews=[after.review])
    finally:
        transaction.savepoint_rollback(sid)
    assert (verdict.code, verdict.broken_event_id) == ("anchor_missing", after.pk)


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
    assert AuditEvent.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
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
    "DELETE FROM review_process_auditchainhead",
    "TRUNCATE review_process_auditchainhead",
    "ALTER TABLE review_process_auditevent DISABLE TRIGGER ALL",
    "ALTER TABLE review_process_auditchainhead DISABLE TRIGGER review_process_auditchainhead_guard",
    "DROP TRIGGER review_process_auditevent_no_update_delete ON review_process_auditevent",
]
APP_ROLE_ALLOWED = [
    "SELECT count(*) FROM review_process_auditevent",
    "UPDATE review_process_auditchainhead SET chain_hash = chain_hash WHERE false",
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
    owner = app_connection.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'review_process_auditevent'")
    assert owner.fetchone()[0] == connection.settings_dict["USER"] != settings.DB_APP_ROLE
