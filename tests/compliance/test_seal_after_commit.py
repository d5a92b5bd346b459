"""Without a broker (the embedded mode) events are sealed into the global chain right after their commit;
with one, they wait for the beat task (``settings.AUDIT_SEAL_AFTER_COMMIT``)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from review_process.audit import directory_record, seal_pending, verify_chain
from review_process.models import AuditSeal

pytestmark = pytest.mark.django_db(transaction=True)


def _append(action: str):
    actor = get_user_model().objects.get_or_create(username="sealer-test")[0]
    with transaction.atomic():
        first = directory_record(actor=actor, action=action, payload={"n": 1})
        second = directory_record(actor=actor, action=action, payload={"n": 2})
    return first, second


def test_events_are_sealed_once_their_transaction_commits(settings):
    settings.AUDIT_SEAL_AFTER_COMMIT = True
    first, second = _append("test.sealed_after_commit")
    sealed = AuditSeal.objects.filter(event__in=[first, second]).order_by("global_sequence")
    assert [seal.event_id for seal in sealed] == [first.pk, second.pk]
    assert verify_chain().unsealed == 0


def test_a_rolled_back_transaction_seals_nothing_and_leaves_no_event(settings):
    settings.AUDIT_SEAL_AFTER_COMMIT = True
    actor = get_user_model().objects.create(username="rollback-test")
    before = AuditSeal.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        directory_record(actor=actor, action="test.rolled_back", payload={})
        raise RuntimeError("undo")
    assert AuditSeal.objects.count() == before
    first, _ = _append("test.after_rollback")  # the next commit still seals
    assert AuditSeal.objects.filter(event=first).exists()


def test_with_a_broker_events_wait_for_the_scheduled_seal(settings):
    settings.AUDIT_SEAL_AFTER_COMMIT = False
    first, second = _append("test.sealed_by_beat")
    assert not AuditSeal.objects.filter(event__in=[first, second]).exists()
    assert verify_chain().unsealed >= 2  # checked against their own chain, not failed
    assert seal_pending() >= 2
    assert AuditSeal.objects.filter(event__in=[first, second]).count() == 2
