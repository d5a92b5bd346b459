"""One error shape, the caller's language, and lists that cost the same whatever their length."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import OrganizationFactory
from workflows.services import review_open

pytestmark = pytest.mark.django_db
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def test_unauthenticated_is_401_in_the_error_shape(api):
    response = api().get("/api/v1/reviews/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")


def test_malformed_input_is_400_naming_the_field(api, people):
    response = api(people.secretary).post(
        "/api/v1/reviews/", {"organization": "LB-DG", "year": "năm nay"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid", "year")
    assert body["detail"].startswith("year: ")

    response = api(people.secretary).get("/api/v1/reviews/?state=published")
    assert (response.status_code, response.json()["field"]) == (400, "state")


def test_nested_field_errors_name_the_path(api, people, walker):
    review = walker.to_state("collecting_opinions")
    body = {"held_at": "2021-11-30T08:00:00+07:00", "location": "P305", "attendees": [{"present": True}]}
    response = api(people.secretary).put(f"/api/v1/reviews/{review.pk}/conference/", body, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "attendees[0].person"
    body["attendees"] = [{"person": "khongco"}]
    response = api(people.secretary).put(f"/api/v1/reviews/{review.pk}/conference/", body, format="json")
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "unknown_person",
        "attendees[0].person",
    )


def test_guards_are_409_with_their_code_in_the_callers_language(api, people, walker):
    review = walker.open()
    url = f"/api/v1/reviews/{review.pk}/transitions/circulate_draft/"
    english = api(people.secretary, language="en").post(url, {}, format="json")
    vietnamese = api(people.secretary).post(url, {}, format="json")
    assert english.status_code == vietnamese.status_code == 409
    assert english.json()["code"] == vietnamese.json()["code"] == "no_draft_report"
    assert "draft report" in english.json()["detail"]
    assert VIETNAMESE.search(vietnamese.json()["detail"]), vietnamese.json()["detail"]


def test_an_existing_review_is_a_conflict_and_an_unknown_organisation_a_404(api, people, walker):
    walker.open()
    again = api(people.secretary).post("/api/v1/reviews/", {"organization": "LB-DG", "year": 2021}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "review_exists")
    other = api(people.secretary).post("/api/v1/reviews/", {"organization": "LB-TT", "year": 2021}, format="json")
    assert (other.status_code, other.json()["code"]) == (404, "organization_not_found")
    member = api(people.member).post("/api/v1/reviews/", {"organization": "LB-DG", "year": 2022}, format="json")
    assert member.status_code == 403


def test_unknown_transition_is_404(api, people, walker):
    review = walker.open()
    response = api(people.secretary).post(f"/api/v1/reviews/{review.pk}/transitions/publish/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "unknown_transition")


def _list_queries(client):
    client.get("/api/v1/reviews/?year=2021")  # warm Django's content-type cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/reviews/?year=2021")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


def test_the_review_list_costs_a_constant_number_of_queries(api, people, org):
    client = api(people.board)
    for i in range(2):
        ward = OrganizationFactory(code=f"LB-A{i}", superior=org.lb)
        review_open(organization_code=ward.code, year=2021, by=people.board)
    few, count_few = _list_queries(client)
    for i in range(10):
        ward = OrganizationFactory(code=f"LB-B{i}", superior=org.lb)
        review_open(organization_code=ward.code, year=2021, by=people.board)
    many, count_many = _list_queries(client)
    assert (count_few, count_many) == (2, 12)
    # token+user, "did a position start or end since the grants were derived", count, page of reviews
    assert many == few == 4, (few, many)
