"""The rating rounds' API: open, upsert (JSON, CSV, XLSX), read with counts and quota, decide, correct; the error
shape and codes; who sees which rounds."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review_process.models import Decision
from tests.conftest import VOTE
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/rating-rounds/"


def opened(api, user, organization="LB-DG", subject="members", year=2021) -> dict:
    response = api(user).post(URL, {"organization": organization, "year": year, "subject": subject}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_open_upsert_read_and_decide_a_round_of_members(api, people):
    body = opened(api, people.secretary)
    assert (body["state"], body["regime"], body["subject"], body["organization"]) == (
        "open",
        "2019-2022",
        "members",
        "LB-DG",
    )
    client = api(people.secretary)
    rows = [
        {"key": "m1", "name": "Nguyễn Văn A", "group": "Chi bộ 1", "proposed_rating": "good", "final_rating": "good"},
        {
            "key": "m2",
            "name": "Trần Thị B",
            "group": "Chi bộ 2",
            "proposed_rating": "excellent",
            "final_rating": "excellent",
        },
    ]
    response = client.post(f"{URL}{body['id']}/entries/", rows, format="json")
    assert response.status_code == 200, response.json()
    detail = response.json()
    assert detail["counts"]["final"] == {"excellent": 1, "good": 1, "complete": 0, "not_complete": 0}
    assert detail["quota"] == [{"group": "", "excellent": 1, "good": 1, "allowed": 0, "capped": True, "ok": False}]
    response = client.post(f"{URL}{body['id']}/decide/", {"vote": VOTE}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "quota_exceeded"
    assert "1" in response.json()["detail"]
    fix = [{"key": "m2", "final_rating": "good", "reason": "Trong hạn mức 20%"}]
    client.post(f"{URL}{body['id']}/entries/", fix, format="json")
    response = client.post(f"{URL}{body['id']}/decide/", {"vote": VOTE}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "decided"
    assert response.json()["vote"] == VOTE
    detail = client.get(f"{URL}{body['id']}/").json()
    assert [e["key"] for e in detail["entries"]] == ["m1", "m2"]
    assert (detail["supersedes"], detail["superseded_by"]) == (None, None)


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ([{"key": "m1", "final_rating": "great"}], 400, "invalid_rating"),
        ([{"key": "m1"}, {"key": "m1"}], 400, "duplicate_key"),
        ({"key": "m1"}, 400, "invalid"),
        ([{"name": "no key"}], 400, "invalid"),
    ],
)
def test_entry_errors_name_the_entry(api, people, payload, status, code):
    body = opened(api, people.secretary)
    response = api(people.secretary).post(f"{URL}{body['id']}/entries/", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    if code == "invalid_rating":
        assert "m1" in response.json()["detail"] and response.json()["field"] == "entries[0].final_rating"


def test_organisation_keys_outside_the_tree_are_refused_naming_the_key(api, people, org):
    OrganizationFactory(code="LB-DG-C1", name="Chi bộ 1", kind="cell", superior=org.dg)
    body = opened(api, people.secretary, subject="organizations")
    response = api(people.secretary).post(
        f"{URL}{body['id']}/entries/", [{"key": "LB-DG-C1"}, {"key": "LB-TT"}], format="json"
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("unknown_key", "entries[1].key")
    assert "LB-TT" in response.json()["detail"] and "2" in response.json()["detail"]


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("entries.csv", text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("entries.xlsx", buffer.getvalue())


def test_upload_csv_and_xlsx(api, people):
    body = opened(api, people.secretary)
    client = api(people.secretary)
    csv_text = "key,name,group,proposed_rating,final_rating,reason\nm1,Nguyễn Văn A,Chi bộ 1,good,HTT,\n"
    response = client.post(f"{URL}{body['id']}/entries/", {"file": csv_file(csv_text)}, format="multipart")
    assert response.status_code == 200, response.json()
    xlsx = xlsx_file(
        [
            ["key", "name", "group", "proposed_rating", "final_rating", "reason"],
            ["m2", "Trần Thị B", "Chi bộ 2", "good", "complete", "Chưa hoàn thành chỉ tiêu"],
            [None, None, None, None, None, None],
        ]
    )
    response = client.post(f"{URL}{body['id']}/entries/", {"file": xlsx}, format="multipart")
    assert response.status_code == 200, response.json()
    entries = {e["key"]: e for e in response.json()["entries"]}
    assert entries["m1"]["final_rating"] == "good" and entries["m2"]["reason"] == "Chưa hoàn thành chỉ tiêu"

    bad = client.post(f"{URL}{body['id']}/entries/", {"file": csv_file("key,final_rating\nm3,great\n")}, "multipart")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_rating")
    assert "m3" in bad.json()["detail"] and "2" in bad.json()["detail"]  # row 2 of the sheet
    for content in (b"PK\x03\x04 not a zip", b"\xff\xfe\x00garbage", b"name\nx\n"):
        upload = SimpleUploadedFile("x.xlsx", content)
        response = client.post(f"{URL}{body['id']}/entries/", {"file": upload}, format="multipart")
        assert response.status_code == 400 and response.json()["code"] in ("unreadable_file", "missing_column")


def test_decide_errors(api, people):
    body = opened(api, people.secretary)
    client = api(people.secretary)
    client.post(f"{URL}{body['id']}/entries/", [{"key": "m1", "proposed_rating": "good"}], format="json")
    decide = f"{URL}{body['id']}/decide/"
    assert client.post(decide, {"vote": VOTE}, format="json").json()["code"] == "final_rating_required"
    client.post(f"{URL}{body['id']}/entries/", [{"key": "m1", "final_rating": "complete"}], format="json")
    response = client.post(decide, {"vote": VOTE}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "reason_required")
    assert "m1" in response.json()["detail"]
    client.post(f"{URL}{body['id']}/entries/", [{"key": "m1", "reason": "Lý do"}], format="json")
    vote = {"members": 15, "present": 13, "for": 7, "against": 6, "abstain": 0}
    response = client.post(decide, {"vote": vote}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "vote_not_carried")
    response = client.post(decide, {"vote": {**vote, "present": 16}}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_vote")
    assert client.post(decide, {"vote": {**vote, "for": 8, "against": 5}}, format="json").status_code == 200
    # decided: immutable
    response = client.post(f"{URL}{body['id']}/entries/", [{"key": "m1", "final_rating": "good"}], format="json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_state")
    assert client.post(decide, {"vote": VOTE}, format="json").json()["code"] == "invalid_state"


def test_permissions_and_visibility(api, people):
    ward = opened(api, people.secretary)
    district = opened(api, people.standing, organization="LB", subject="organizations")
    assert api(people.outsider).get(f"{URL}{ward['id']}/").status_code == 404
    assert (
        api(people.outsider)
        .post(URL, {"organization": "LB-DG", "year": 2021, "subject": "members"}, format="json")
        .status_code
        == 404
    )
    assert (
        api(people.board)
        .post(URL, {"organization": "LB-DG", "year": 2021, "subject": "organizations"}, format="json")
        .status_code
        == 403
    )
    response = api(people.deputy).post(f"{URL}{ward['id']}/entries/", [{"key": "m1"}], format="json")
    assert response.status_code == 403  # sees the ward's round, may not record it
    assert api(people.deputy).get(f"{URL}{ward['id']}/").status_code == 200

    def listed(user, query=""):
        return sorted(r["id"] for r in api(user).get(f"{URL}{query}").json()["results"])

    assert listed(people.secretary) == [ward["id"]]  # the district's round is not the ward's business
    assert listed(people.inspection) == sorted([ward["id"], district["id"]])
    assert listed(people.auditor, "?organization=LB") == [district["id"]]
    assert listed(people.auditor, "?year=2022") == []
    assert listed(people.outsider) == []
    assert api(people.auditor).get(f"{URL}?subject=nonsense").status_code == 400


def test_decided_round_sets_the_review_decision_then_approve_confirms(api, people, walker):
    review = walker.to_state("submitted")
    body = opened(api, people.standing, organization="LB", subject="organizations")
    client = api(people.standing)
    client.post(f"{URL}{body['id']}/entries/", [{"key": "LB-DG", "final_rating": "good"}], format="json")
    assert client.post(f"{URL}{body['id']}/decide/", {"vote": VOTE}, format="json").status_code == 200
    assert Decision.objects.get(review=review).rating_round_id == body["id"]
    response = client.post(f"/api/v1/reviews/{review.pk}/transitions/approve/", {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "approved"


def test_supersede_through_the_api(api, people):
    body = opened(api, people.secretary)
    client = api(people.secretary)
    client.post(f"{URL}{body['id']}/entries/", [{"key": "m1", "final_rating": "good"}], format="json")
    client.post(f"{URL}{body['id']}/decide/", {"vote": VOTE}, format="json")
    assert client.post(URL, {"supersedes": body["id"]}, format="json").json()["code"] == "reason_required"
    response = client.post(URL, {"supersedes": body["id"], "reason": "Sửa sai sót"}, format="json")
    assert response.status_code == 201
    new = response.json()
    assert (new["state"], new["supersedes"], [e["key"] for e in new["entries"]]) == ("open", body["id"], ["m1"])
    client.post(f"{URL}{new['id']}/decide/", {"vote": VOTE}, format="json")
    old = client.get(f"{URL}{body['id']}/").json()
    assert (old["state"], old["superseded_by"]) == ("superseded", new["id"])
    response = client.post(URL, {"organization": "LB-DG", "year": 2021}, format="json")
    assert (response.status_code, response.json()["field"]) == (400, "subject")
