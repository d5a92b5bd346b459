"""A keyed chain with anchors outside the database.

* Without the key (``settings.AUDIT_HMAC_KEY``, never in the database), whoever edits an event and recomputes
  every hash from inside the database (plain SHA-256, or a guessed key) is found at the edited event.
* With the key, the rewritten chain verifies by itself: an anchor taken before the edit
  (``manage.py anchor_audit_trail``) finds it; an anchor beyond the head finds events cut off.
* Anchors publish the sealed head (``seal_pending``): events not yet sealed are in no anchor.
* A trail written before the seals existed (the global chain inside the events, migration 0010) is turned into
  seals by the migration and still verifies, with the anchors taken before.

Runs on SQLite and PostgreSQL (``postgres`` marker); tampering drops the triggers inside the test's
transaction (tests/compliance/conftest.py).
"""

import datetime
import hashlib
import hmac
import io
import json
from importlib import import_module

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from permissions.models import Organization, User
from review_process import audit
from review_process.audit import (
    GENESIS,
    audit_record,
    directory_record,
    event_content,
    head_anchor,
    seal_pending,
    verify_anchors,
    verify_chain,
)
from review_process.models import AuditChainHead, AuditDirectoryHead, AuditEvent, AuditSeal, Review
from review_process.services import records
from tests.compliance.conftest import drop_triggers

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("english")]


def plain_sha256(prev: str, content: str) -> str:
    return hashlib.sha256((prev + content).encode("utf-8")).hexdigest()


def wrong_key(prev: str, content: str) -> str:
    return hmac.new(b"a guessed key", (prev + content).encode("utf-8"), hashlib.sha256).hexdigest()


def rewrite(event: AuditEvent, payload: dict, link) -> None:
    """Edit ``event``'s payload and recompute every hash from it to the head with ``link`` (as the database's
    owner could, past the triggers): the events' chains and the seals."""
    drop_triggers()
    AuditEvent.objects.filter(pk=event.pk).update(payload=payload)
    prev_by_chain: dict = {}
    chain = GENESIS
    start = AuditSeal.objects.get(event=event).global_sequence
    for seal in AuditSeal.objects.select_related("event").order_by("global_sequence"):
        e = seal.event
        if seal.global_sequence >= start:
            e.prev_hash = prev_by_chain.get(e.review_id, GENESIS)
            e.hash = link(e.prev_hash, event_content(e))
            AuditEvent.objects.filter(pk=e.pk).update(prev_hash=e.prev_hash, hash=e.hash)
            seal.chain_prev_hash, seal.chain_hash = chain, link(chain, e.hash)
            AuditSeal.objects.filter(pk=seal.pk).update(
                chain_prev_hash=seal.chain_prev_hash, chain_hash=seal.chain_hash
            )
        prev_by_chain[e.review_id], chain = e.hash, seal.chain_hash
    AuditChainHead.objects.filter(pk=1).update(chain_hash=chain)


@pytest.fixture
def decision_event(clean_review):
    seal_pending()
    return AuditEvent.objects.get(review=clean_review, action="review.decision.set")


def forged(event: AuditEvent) -> dict:
    """The decision event's payload with another rating (its records' fingerprints kept as they were)."""
    return {**event.payload, "final_rating": "excellent"}


def anchor(path) -> dict:
    out = io.StringIO()
    call_command("anchor_audit_trail", "--file", str(path), stdout=out)
    return json.loads(out.getvalue())


def verify(*args) -> str:
    out = io.StringIO()
    call_command("verify_audit_trail", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def verify_fails(*args) -> str:
    with pytest.raises(CommandError) as error:
        call_command("verify_audit_trail", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert error.value.returncode == 1
    return str(error.value)


@pytest.mark.parametrize("link", [plain_sha256, wrong_key], ids=["plain-sha256", "wrong-key"])
def test_hashes_recomputed_without_the_key_are_found_at_the_edited_event(decision_event, link):
    rewrite(decision_event, forged(decision_event), link)
    verdict = verify_chain()
    assert (verdict.code, verdict.broken_event_id) == ("content", decision_event.pk)
    assert f"Audit trail broken at event id {decision_event.pk}" in verify_fails()


def test_hashes_recomputed_with_the_key_are_found_by_an_anchor_taken_before(decision_event, tmp_path):
    path = tmp_path / "anchors.jsonl"
    taken = anchor(path)
    assert taken["global_sequence"] == AuditEvent.objects.count()
    assert "Anchors agree: 1 checked." in verify("--anchors", str(path))
    rewrite(decision_event, forged(decision_event), audit.link)
    assert verify_chain().intact  # whoever holds the key can rewrite a chain that verifies by itself ...
    message = verify_fails("--anchors", str(path))  # ... but not the head published before
    assert (
        f"Anchor on line 1 (global sequence {taken['global_sequence']}, taken {taken['anchored_at']}) does not "
        "match: the chain hash at that global sequence differs (events were rewritten)." in message
    )


def test_events_cut_off_after_an_anchor_are_found(clean_review, tmp_path):
    seal_pending()
    path = tmp_path / "anchors.jsonl"
    taken = anchor(path)
    last = AuditSeal.objects.order_by("-global_sequence").first()
    drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM review_process_auditseal WHERE id = %s", [last.pk])
        cursor.execute("DELETE FROM review_process_auditevent WHERE id = %s", [last.event_id])
    AuditChainHead.objects.filter(pk=1).update(
        global_sequence=last.global_sequence - 1, chain_hash=last.chain_prev_hash
    )
    assert verify_chain().intact  # the tail is gone and the head rewound: the chain alone cannot tell
    verdict = verify_anchors(audit.read_anchors(path))
    assert (verdict.code, verdict.anchor["global_sequence"]) == ("anchor_beyond_head", taken["global_sequence"])
    assert "the anchor is beyond the head of the chain (events were cut off)" in verify_fails("--anchors", str(path))


def test_older_anchors_still_agree_as_the_trail_grows(walker, people, tmp_path):
    path = tmp_path / "anchors.jsonl"
    review = walker.open()
    seal_pending()
    anchor(path)
    records.report_version_add(review=review, by=people.secretary, text="Dự thảo")
    seal_pending()
    anchor(path)
    lines = path.read_text().splitlines()
    first, second = (json.loads(line)["global_sequence"] for line in lines)  # appended, one JSON line each
    assert second == first + 1
    assert "Anchors agree: 2 checked." in verify("--anchors", str(path))


def test_the_anchor_goes_by_email_and_to_the_configured_file(clean_review, settings, tmp_path):
    seal_pending()
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "default.jsonl")
    call_command("anchor_audit_trail", "--email", "ban-kiem-tra@example.org", stdout=io.StringIO())
    assert not (tmp_path / "default.jsonl").exists()  # --email alone: no file
    (message,) = mail.outbox
    assert message.to == ["ban-kiem-tra@example.org"]
    assert json.loads(message.body)["chain_hash"] == AuditChainHead.objects.get(pk=1).chain_hash
    call_command("anchor_audit_trail", stdout=io.StringIO())
    assert json.loads((tmp_path / "default.jsonl").read_text())["global_sequence"] == head_anchor()["global_sequence"]
    assert "Anchors agree: 1 checked." in verify()  # verify reads the configured file too


def test_a_malformed_anchor_file_is_named(clean_review, tmp_path):
    path = tmp_path / "anchors.jsonl"
    anchor(path)
    with path.open("a") as out:
        out.write("not json\n")
    assert "Line 2 of the anchor file is not an anchor." in verify_fails("--anchors", str(path))


def test_a_missing_anchor_file_is_a_warning_not_a_failure(clean_review, tmp_path):
    err = io.StringIO()
    call_command("verify_audit_trail", "--anchors", str(tmp_path / "none.jsonl"), stdout=io.StringIO(), stderr=err)
    assert "no anchor file at" in err.getvalue()


def test_an_anchor_publishes_the_sealed_head_only(walker, people, tmp_path):
    review = walker.open()
    records.report_version_add(review=review, by=people.secretary, text="Dự thảo")
    path = tmp_path / "anchors.jsonl"
    assert anchor(path)["global_sequence"] == 0  # nothing sealed yet: nothing to publish
    assert seal_pending() == AuditEvent.objects.count()
    sealed = anchor(path)
    assert (sealed["global_sequence"], sealed["chain_hash"]) == (
        AuditSeal.objects.count(),
        AuditSeal.objects.order_by("-global_sequence").first().chain_hash,
    )
    records.report_version_add(review=review, by=people.secretary, text="Dự thảo 2")
    assert anchor(path)["global_sequence"] == sealed["global_sequence"]  # the new event waits for its seal
    assert "Anchors agree: 3 checked." in verify("--anchors", str(path))


# --- A trail written before the seals (migration 0010): the global chain was inside the events. ---

seals_migration = import_module("review_process.migrations.0010_audit_seals")


def write_legacy_trail(steps) -> list[AuditEvent]:
    """Events as ``audit_record`` wrote them before 0010: ``global_sequence`` in the content, the global chain
    in ``chain_prev_hash``/``chain_hash``, the head moved along. Inserted, as the triggers allow."""
    link, tips, chain, events = audit.link, {}, GENESIS, []
    for number, (review, action) in enumerate(steps, start=1):
        sequence, prev = tips.get(review.pk if review else None, (0, GENESIS))
        event = AuditEvent(
            review=review, sequence=sequence + 1, global_sequence=number, action=action, actor=None,
            actor_role="", occurred_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC), payload={"n": number},
            prev_hash=prev, chain_prev_hash=chain,
        )  # fmt: skip
        event.hash = link(prev, event_content(event))
        event.chain_hash = chain = link(chain, event.hash)
        event.save(force_insert=True)
        tips[review.pk if review else None] = (event.sequence, event.hash)
        events.append(event)
    AuditChainHead.objects.create(pk=1, global_sequence=len(events), chain_hash=chain)
    return events


def test_a_trail_written_before_the_seals_still_verifies_with_its_anchors(tmp_path):
    # Rows made without the services (which would write events of the new shape first).
    secretary = User.objects.create(username="pvhung", full_name="Phan Việt Hưng")
    dg = Organization.objects.create(code="LB-DG", name="Đảng ủy phường Đức Giang", kind="ward")
    tt = Organization.objects.create(code="LB-TT", name="Đảng ủy phường Thượng Thanh", kind="ward")
    x = Review.objects.create(organization=dg, year=2020, opened_by=secretary)
    y = Review.objects.create(organization=tt, year=2020, opened_by=secretary)
    assert not AuditEvent.objects.exists()
    legacy = write_legacy_trail([(x, "a"), (y, "b"), (None, "directory.c"), (x, "d"), (y, "e"), (None, "directory.f")])
    path = tmp_path / "anchors.jsonl"
    old_anchor = anchor(path)  # taken before the migration, from the head the events moved
    assert (old_anchor["global_sequence"], old_anchor["chain_hash"]) == (6, legacy[-1].chain_hash)
    with connection.cursor() as cursor:  # what migration 0010 does with the rows it finds
        cursor.execute(seals_migration.SEAL_OLD_EVENTS)
        cursor.execute(seals_migration.DIRECTORY_HEAD)
    assert [(s.global_sequence, s.event_id, s.chain_hash) for s in AuditSeal.objects.order_by("global_sequence")] == [
        (e.global_sequence, e.pk, e.chain_hash) for e in legacy
    ]
    assert AuditDirectoryHead.objects.values_list("sequence", "hash").get() == (2, legacy[-1].hash)
    verdict = verify_chain()
    assert (verdict.intact, verdict.checked, verdict.unsealed) == (True, 6, 0)
    assert verify_chain(reviews=[x, y]).intact
    # The trail goes on in the new shape: chained to each review and to the directory, then sealed after.
    with transaction.atomic():
        audit_record(review=x, actor=secretary, role="secretary", action="g")
        directory_record(actor=secretary, action="directory.h", payload={})
    assert seal_pending() == 2
    anchor(path)
    verdict = verify_chain()
    assert (verdict.intact, verdict.checked, verdict.unsealed) == (True, 8, 0), verdict.describe()
    assert verify_anchors(audit.read_anchors(path)).describe() == "Anchors agree: 2 checked."
    # A legacy event's global sequence is part of its content: moving it is found.
    drop_triggers()
    AuditEvent.objects.filter(pk=legacy[2].pk).update(global_sequence=99)
    assert (verify_chain().code, verify_chain().broken_event_id) == ("content", legacy[2].pk)
