"""The records are inside the chain: every change through the services fingerprints the rows it wrote, and a
row changed behind the services' back (directly in the database) is named, by verification and by the
compliance report.

Runs on SQLite and PostgreSQL (``postgres`` marker). Rows are edited with the ORM's ``update()``, as anyone
with write access to the tables could; the audit events are not touched.
"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bench.data import build_dataset
from review_process.audit import verify_chain, verify_records
from review_process.chained_records import KINDS, SNAPSHOT_QUERIES, fingerprints
from review_process.compliance.report import compliance_for, review_compliance
from review_process.models import (
    Attendance,
    AuditEvent,
    Decision,
    Guidance,
    Opinion,
    ReportVersion,
    Review,
)
from review_process.record_check import RECORDS_QUERIES
from review_process.services import records
from review_process.services.regime_migration import regime_migrate
from tests.compliance.conftest import at, open_review, walk

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("english")]


def named(verdict) -> set[tuple[str, int, int, str]]:
    return {(item.type, item.id, item.review_id, item.code) for item in verdict.altered}


def verify_fails() -> str:
    with pytest.raises(CommandError) as error:
        call_command("verify_audit_trail", stdout=io.StringIO(), stderr=io.StringIO())
    assert error.value.returncode == 1
    return str(error.value)


def test_every_record_of_a_walked_review_is_fingerprinted_and_matches(walker, clean_review):
    verdict = verify_records()
    assert verdict.intact, verdict.describe()
    # The review, 2 versions, 2 opinions, 2 responses, conference, guidance, assessment, decision, notification, plan.
    assert verdict.checked == 13
    fingerprinted = {
        (entry["type"], entry["id"])
        for payload in AuditEvent.objects.filter(review=clean_review).values_list("payload", flat=True)
        for entry in payload.get("records", [])
    }
    assert ("review_process.Decision", clean_review.decision.pk) in fingerprinted
    assert ("review_process.Review", clean_review.pk) in fingerprinted
    assert not review_compliance(clean_review).failures


def test_a_final_rating_changed_in_the_database_after_closing_is_named(clean_review):
    decision = clean_review.decision
    Decision.objects.filter(pk=decision.pk).update(final_rating="excellent")
    assert verify_chain().intact  # the events are untouched ...
    verdict = verify_records()  # ... but the row no longer matches its fingerprint
    event = AuditEvent.objects.get(review=clean_review, action="review.decision.set")
    assert named(verdict) == {("review_process.Decision", decision.pk, clean_review.pk, "changed")}
    message = verify_fails()
    assert (
        f"review_process.Decision {decision.pk} of review {clean_review.pk}: the row differs from its fingerprint "
        f"in the audit trail (event id {event.pk})." in message
    )
    # The compliance report no longer vouches for the review.
    report = review_compliance(clean_review)
    assert not report.compliant
    finding = report.finding("records_intact")
    assert finding.evidence == [{"type": "decision", "id": decision.pk}]
    assert f"review_process.Decision {decision.pk}" in finding.message


def test_an_attendance_row_changed_in_the_database_is_named_by_its_conference(clean_review):
    conference = clean_review.conference
    Attendance.objects.filter(conference=conference, person__username="lthoa").update(present=True, reason="")
    assert named(verify_records()) == {("review_process.Conference", conference.pk, clean_review.pk, "changed")}
    assert f"review_process.Conference {conference.pk} of review {clean_review.pk}" in verify_fails()


def test_a_superior_representative_removed_in_the_database_is_named(clean_review):
    clean_review.conference.superior_representatives.clear()
    assert named(verify_records()) == {
        ("review_process.Conference", clean_review.conference.pk, clean_review.pk, "changed")
    }


def test_a_report_versions_date_changed_in_the_database_is_named(clean_review):
    version = clean_review.report_versions.get(is_final=True)
    ReportVersion.objects.filter(pk=version.pk).update(created_at=at(30, 10))
    assert named(verify_records()) == {("review_process.ReportVersion", version.pk, clean_review.pk, "changed")}
    assert f"review_process.ReportVersion {version.pk} of review {clean_review.pk}" in verify_fails()


def test_the_reviews_own_row_changed_in_the_database_is_named(clean_review):
    Review.objects.filter(pk=clean_review.pk).update(closed_at=None)
    assert named(verify_records()) == {("review_process.Review", clean_review.pk, clean_review.pk, "changed")}


def test_a_row_no_event_fingerprints_is_named(people, clean_review):
    opinion = Opinion.objects.create(
        review=clean_review, author=people.member, recorded_by=people.member, channel="written", text="Thêm sau"
    )
    assert named(verify_records()) == {("review_process.Opinion", opinion.pk, clean_review.pk, "unrecorded")}


def test_a_fingerprinted_row_deleted_in_the_database_is_named(clean_review):
    guidance = clean_review.guidance.get()
    event = AuditEvent.objects.get(review=clean_review, action="review.guidance.added")
    Guidance.objects.filter(pk=guidance.pk).delete()
    verdict = verify_records()
    assert named(verdict) == {("review_process.Guidance", guidance.pk, clean_review.pk, "missing")}
    assert verdict.altered[0].event_id == event.pk


def test_corrections_through_the_services_keep_the_records_verified(walker, people):
    review = walk(walker, open_review(walker), "collecting_opinions")
    records.conference_record(
        review=review,
        by=people.secretary,
        held_at=at(29, 8),  # corrected: the attendance list is replaced, the old rows deleted
        location="Hội trường",
        chair_username="pvhung",
        attendees=[{"person": "pvhung", "present": True}, {"person": "tvminh", "present": True}],
        superior_representatives=["vtthan"],
    )
    assert verify_records().intact
    moved = regime_migrate(from_code=review.regime_code, to_code="2023-2024")
    assert [m.review.pk for m in moved] == [review.pk]
    assert verify_records(reviews=[review]).intact  # the migration fingerprinted the review's new regime


def test_only_saved_chained_records_can_be_fingerprinted(clean_review):
    with pytest.raises(TypeError):
        fingerprints([clean_review.organization])
    with pytest.raises(ValueError):
        fingerprints([Guidance(review=clean_review, text="unsaved")])


def test_the_benchmark_data_is_fingerprinted_and_verified_in_batches(django_assert_num_queries):
    build_dataset(reviews=25, root_code="B", wards_per_district=10)
    ids = list(Review.objects.values_list("pk", flat=True))
    assert RECORDS_QUERIES == 1 + SNAPSHOT_QUERIES == 1 + len(KINDS) + 3
    with django_assert_num_queries(3 * RECORDS_QUERIES):  # batches of 10: 10, 10, 5; no query per record
        verdict = verify_records(reviews=ids, batch_size=10)
    assert verdict.intact, verdict.describe()
    # The review, 2 versions, 3 opinions and responses, conference, guidance, assessment, decision, notification,
    # plan: 15 records, but every tenth review lacks its remedial plan.
    assert verdict.checked == 25 * 15 - 2
    assert verify_chain().intact


def test_the_bulk_audit_names_what_verification_names_from_the_events_it_loaded(people, clean_review):
    # The bulk audit checks the rows against the fingerprints of the events its facts loaded (the ``records`` of
    # their payloads read in the trail's query), not a second read of the events: it must name the same rows.
    Decision.objects.filter(pk=clean_review.decision.pk).update(final_rating="excellent")
    Attendance.objects.filter(conference=clean_review.conference, person__username="lthoa").update(
        present=True, reason=""
    )
    opinion = Opinion.objects.create(
        review=clean_review, author=people.member, recorded_by=people.member, channel="written", text="Thêm sau"
    )
    Guidance.objects.filter(review=clean_review).delete()
    expected = named(verify_records())
    assert {(kind, code) for kind, _id, _review, code in expected} == {
        ("review_process.Decision", "changed"),
        ("review_process.Conference", "changed"),
        ("review_process.Opinion", "unrecorded"),
        ("review_process.Guidance", "missing"),
    }
    [report] = compliance_for(clean_review.year, clean_review.organization.code)
    finding = report.finding("records_intact")
    assert finding.status == "fail"
    kinds = {kind.evidence_type: kind.label for kind in KINDS}
    assert {(kinds[link["type"]], link["id"]) for link in finding.evidence} == {
        (kind, pk) for kind, pk, _review, _code in expected
    }
    assert f"review_process.Opinion {opinion.pk}" in finding.message
