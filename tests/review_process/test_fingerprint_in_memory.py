"""The transition service fingerprints the review from the saved instance (``fingerprints(in_memory=True)``):
that fingerprint must be exactly the one ``verify_records`` re-derives from the row, for every field type of
the review's snapshot (foreign keys, integers, text, the stage, datetimes with microseconds, empty values), on
SQLite and PostgreSQL; and anything the in-memory path cannot vouch for is read back from the database."""

from __future__ import annotations

import datetime

import pytest

from review_process import audit
from review_process.chained_records import KIND_BY_MODEL, _snapshot_in_memory, fingerprints
from review_process.models import AuditEvent, Review
from workflows.services import review_transition

pytestmark = pytest.mark.django_db


def both(review: Review) -> tuple[list[dict], list[dict]]:
    """(from the instance, from the database) fingerprints of ``review``."""
    return fingerprints([review], in_memory=True), fingerprints([Review.objects.get(pk=review.pk)])


def test_every_transition_of_the_main_path_records_what_verification_derives(walker):
    review = walker.open()
    while review.state != "closed":
        review = walker.step(review)
        event = AuditEvent.objects.filter(review=review).order_by("-sequence").first()
        assert event.action.startswith("review.transition.")
        assert event.payload["records"] == fingerprints([Review.objects.get(pk=review.pk)])
    assert audit.verify_records([review]).intact
    assert audit.verify_chain().intact


def test_a_return_and_a_cancellation_fingerprint_empty_and_text_values_alike(walker, people):
    review = walker.to_state("submitted")
    review = review_transition(review=review, name="return_for_revision", by=people.standing, reason="Bổ sung")
    assert review.submitted_at is None and review.submitted_by_id is None
    in_memory, stored = both(review)
    assert in_memory == stored
    review = review_transition(
        review=review, name="cancel", by=people.standing, reason="  Hủy: lý do có dấu, \u00a0và ký tự đặc biệt “…”  "
    )
    in_memory, stored = both(review)
    assert in_memory == stored
    assert audit.verify_records([review]).intact


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2021, 12, 6, 9, 30, 15, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2021, 12, 6, 23, 59, 59, 999999, tzinfo=datetime.timezone(datetime.timedelta(hours=7))),
        datetime.datetime(2021, 12, 6, 0, 0, tzinfo=datetime.UTC),
    ],
)
def test_a_datetime_in_any_zone_fingerprints_as_the_stored_one(walker, people, moment):
    review = walker.to_state("finalizing")
    Review.objects.filter(pk=review.pk).update(submitted_at=moment, submitted_by=people.secretary)
    review = Review.objects.get(pk=review.pk)
    review.submitted_at = moment  # the value as assigned in memory (its own zone), not as read back
    in_memory, stored = both(review)
    assert in_memory == stored


def test_what_it_cannot_vouch_for_is_read_back(walker):
    review = walker.to_state("draft")
    kind = KIND_BY_MODEL[Review]
    naive = Review.objects.get(pk=review.pk)
    naive.opened_at = naive.opened_at.replace(tzinfo=None)
    assert _snapshot_in_memory(kind, naive) is None
    as_text = Review.objects.get(pk=review.pk)
    as_text.year = str(as_text.year)
    assert _snapshot_in_memory(kind, as_text) is None
    deferred = Review.objects.defer("cancel_reason").get(pk=review.pk)
    assert _snapshot_in_memory(kind, deferred) is None
    # Read back, all three give the stored fingerprint.
    stored = fingerprints([Review.objects.get(pk=review.pk)])
    assert fingerprints([naive], in_memory=True) == stored
    assert fingerprints([deferred], in_memory=True) == stored
