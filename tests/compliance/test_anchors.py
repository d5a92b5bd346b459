"""A keyed chain with anchors outside the database.

* Without the key (``settings.AUDIT_HMAC_KEY``, never in the database), whoever edits an event and recomputes
  every hash from inside the database (plain SHA-256, or a guessed key) is found at the edited event.
* With the key, the rewritten chain verifies by itself: an anchor taken before the edit
  (``manage.py anchor_audit_trail``) finds it; an anchor beyond the head finds events cut off.

Runs on SQLite and PostgreSQL (``postgres`` marker); tampering drops the triggers inside the test's
transaction (tests/compliance/conftest.py).
"""

import hashlib
import hmac
import io
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from review_process import audit
from review_process.audit import GENESIS, event_content, head_anchor, verify_anchors, verify_chain
from review_process.models import AuditChainHead, AuditEvent
from review_process.services import records
from tests.compliance.conftest import drop_triggers

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("english")]


def plain_sha256(prev: str, content: str) -> str:
    return hashlib.sha256((prev + content).encode("utf-8")).hexdigest()


def wrong_key(prev: str, content: str) -> str:
    return hmac.new(b"a guessed key", (prev + content).encode("utf-8"), hashlib.sha256).hexdigest()


def rewrite(event: AuditEvent, payload: dict, link) -> None:
    """Edit ``event``'s payload and recompute every hash from it to the head with ``link`` (as the database's
    owner could, past the triggers)."""
    drop_triggers()
    AuditEvent.objects.filter(pk=event.pk).update(payload=payload)
    prev_by_chain: dict = {}
    chain = GENESIS
    for e in AuditEvent.objects.order_by("global_sequence"):
        if e.global_sequence >= event.global_sequence:
            e.prev_hash, e.chain_prev_hash = prev_by_chain.get(e.review_id, GENESIS), chain
            e.hash = link(e.prev_hash, event_content(e))
            e.chain_hash = link(chain, e.hash)
            AuditEvent.objects.filter(pk=e.pk).update(
                prev_hash=e.prev_hash, hash=e.hash, chain_prev_hash=e.chain_prev_hash, chain_hash=e.chain_hash
            )
        prev_by_chain[e.review_id], chain = e.hash, e.chain_hash
    AuditChainHead.objects.filter(pk=1).update(chain_hash=chain)


@pytest.fixture
def decision_event(clean_review):
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
    rewrite(decision_event, forged(decision_event), audit._link)
    assert verify_chain().intact  # whoever holds the key can rewrite a chain that verifies by itself ...
    message = verify_fails("--anchors", str(path))  # ... but not the head published before
    assert (
        f"Anchor on line 1 (global sequence {taken['global_sequence']}, taken {taken['anchored_at']}) does not "
        "match: the chain hash at that global sequence differs (events were rewritten)." in message
    )


def test_events_cut_off_after_an_anchor_are_found(clean_review, tmp_path):
    path = tmp_path / "anchors.jsonl"
    taken = anchor(path)
    last = AuditEvent.objects.order_by("-global_sequence").first()
    drop_triggers()
    AuditEvent.objects.filter(pk=last.pk).delete()
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
    anchor(path)
    records.report_version_add(review=review, by=people.secretary, text="Dự thảo")
    anchor(path)
    lines = path.read_text().splitlines()
    first, second = (json.loads(line)["global_sequence"] for line in lines)  # appended, one JSON line each
    assert second == first + 1
    assert "Anchors agree: 2 checked." in verify("--anchors", str(path))


def test_the_anchor_goes_by_email_and_to_the_configured_file(clean_review, settings, tmp_path):
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
