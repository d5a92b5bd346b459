"""The bulk audit: a fixed number of queries per batch whatever the number of reviews, and the right counts."""

import gc
import weakref

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.data import build_dataset
from review_process.chained_records import SNAPSHOT_QUERIES
from review_process.compliance import report as report_module
from review_process.compliance.facts import FACTS_QUERIES as FACTS_ONLY
from review_process.compliance.report import ComplianceSummary, compliance_for, compliance_scope
from review_process.errors import InvalidInput, NotFound

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
# Per batch: the facts, then the records read back and checked against the fingerprints in the audit events the
# facts loaded (the events are not read a second time).
FACTS_QUERIES = FACTS_ONLY + SNAPSHOT_QUERIES


def audit(year, code, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        summary = ComplianceSummary()
        for report in compliance_for(year, code, **kwargs):
            summary.add(report)
    return summary, len(queries.captured_queries)


def test_the_query_count_does_not_grow_with_the_number_of_reviews(django_assert_max_num_queries):
    build_dataset(reviews=5, root_code="SMALL", wards_per_district=3)
    build_dataset(reviews=30, root_code="LARGE", wards_per_district=10)
    # One query for the organisation, then per batch: reviews (one-to-one records joined), report versions,
    # opinions with responses, guidance, attendance, representatives, remedial items, audit events, positions.
    with django_assert_max_num_queries(1 + FACTS_QUERIES):
        small, small_queries = audit(2021, "SMALL")
    with django_assert_max_num_queries(1 + FACTS_QUERIES):
        large, large_queries = audit(2021, "LARGE")
    assert small_queries == large_queries == 1 + FACTS_QUERIES
    assert (small.reviews, large.reviews) == (5, 30)


def test_batches_cost_the_same_each(django_assert_num_queries):
    build_dataset(reviews=25, root_code="B", wards_per_district=10)
    # 25 reviews in batches of 10: three batches (the last one short, so no empty query after it).
    with django_assert_num_queries(1 + 3 * FACTS_QUERIES):
        summary, _count = audit(2021, "B", batch_size=10)
    assert summary.reviews == 25


def test_the_bulk_audit_finds_what_the_dataset_broke():
    data = build_dataset(reviews=50, root_code="C", wards_per_district=20, broken_every=10, late_every=25)
    summary, _count = audit(2021, "C")
    rules = {row["rule"]: row for row in summary.rows()}
    assert (data.broken, data.late) == (5, 2)
    assert rules["remedial_plan"]["fail"] == 5
    assert rules["evidence_complete"]["fail"] == 5
    assert rules["draft_notice"]["fail"] == 2
    assert rules["stage_order"]["pass"] == 50
    # Reviews 9, 19, 29, 39, 49 lack a plan; 24 and 49 were late: six reviews fail.
    assert (summary.non_compliant, summary.compliant) == (6, 44)


def test_the_subtree_and_the_year_bound_the_audit():
    build_dataset(reviews=12, root_code="D", wards_per_district=4)
    assert compliance_scope(2021, "D-D000").count() == 4
    assert compliance_scope(2021, "D-W00005").count() == 1
    assert compliance_scope(2022, "D").count() == 0
    with pytest.raises(NotFound):
        compliance_scope(2021, "NOPE")
    with pytest.raises(InvalidInput):
        compliance_scope("twenty", "D")


def test_with_a_user_only_reviews_they_may_audit_are_reported(clean_review, people, walker):
    assert [r.review_id for r in compliance_for(2021, "HN", user=people.auditor)] == [clean_review.pk]
    assert [r.review_id for r in compliance_for(2021, "LB", user=people.inspection)] == [clean_review.pk]
    # A committee member sees the review but may not read its audit trail.
    assert list(compliance_for(2021, "LB-DG", user=people.member)) == []
    assert list(compliance_for(2021, "HN", user=people.outsider)) == []


def test_each_batch_is_freed_before_the_next_is_read(monkeypatch):
    """Bounded memory: without the garbage collector, a batch's objects are gone once the next batch is read."""
    build_dataset(reviews=6, root_code="M", wards_per_district=6)
    loaded = []
    original = report_module.load_facts

    def spy(batch):
        loaded.append([weakref.ref(review) for review in batch])
        return original(batch)

    monkeypatch.setattr(report_module, "load_facts", spy)
    gc.collect()
    gc.disable()
    try:
        stream = compliance_for(2021, "M", batch_size=3)
        first = [next(stream) for _ in range(3)]
        assert all(ref() is not None for ref in loaded[0])  # the first batch is still being read
        next(stream)
        assert len(loaded) == 2
        assert [ref() for ref in loaded[0]] == [None, None, None]
    finally:
        gc.enable()
    assert [r.review_id for r in first] == sorted(r.review_id for r in first)
