"""Compliance through the API: per review and in bulk, for those who may audit."""

import pytest

pytestmark = pytest.mark.django_db


def test_review_compliance_for_an_auditor_and_not_for_a_member(walker, people, api):
    review = walker.to_state("closed")
    body = api(people.auditor).get(f"/api/v1/reviews/{review.pk}/compliance/").json()
    assert set(body) == {"compliant", "findings"}
    assert body["findings"] and set(body["findings"][0]) == {"rule", "status", "message", "reference", "evidence"}
    assert api(people.member).get(f"/api/v1/reviews/{review.pk}/compliance/").status_code == 403
    assert api(people.outsider).get(f"/api/v1/reviews/{review.pk}/compliance/").status_code == 404


def test_bulk_compliance_by_year_and_subtree(walker, people, api):
    review = walker.to_state("closed")
    body = api(people.auditor).get("/api/v1/compliance/?year=2021&organization=HN").json()
    assert body["count"] == 1
    assert body["results"][0]["review"] == review.pk
    assert "severity" in body["results"][0]["findings"][0]
    missing = api(people.auditor).get("/api/v1/compliance/?year=2021")
    assert (missing.status_code, missing.json()["field"]) == (400, "organization")
    assert api(people.outsider).get("/api/v1/compliance/?year=2021&organization=LB").status_code == 404
    assert api(people.outsider).get("/api/v1/compliance/?year=2021&organization=LB-TT").json()["count"] == 0
