"""Background compliance exports through the API: 202 at once, followed by id, downloaded by the requester."""

import json

import pytest

from workflows.models import ExportJob, ExportStatus

pytestmark = pytest.mark.django_db

URL = "/api/v1/compliance/exports/"


def test_an_auditor_asks_for_an_export_follows_it_and_downloads_it(
    walker, people, api, django_capture_on_commit_callbacks
):
    review = walker.to_state("closed")
    client = api(people.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"year": 2021, "organization": "HN", "format": "json"}, format="json")
    assert response.status_code == 202
    job = ExportJob.objects.get()
    detail = client.get(f"{URL}{job.pk}/").json()
    assert detail["status"] == "done" and (detail["progress"], detail["total"]) == (1, 1)
    assert detail["file"].endswith(f"/api/v1/compliance/exports/{job.pk}/file")
    assert [item["id"] for item in client.get(URL).json()] == [job.pk]
    file = client.get(f"{URL}{job.pk}/file")
    assert file.status_code == 200 and file["Content-Type"] == "application/json"
    body = json.loads(b"".join(file.streaming_content))
    assert {row["review"] for row in body["rows"]} == {review.pk}  # one row per rule of the one review


def test_someone_elses_export_is_not_there(walker, people, api):
    job = ExportJob.objects.create(user=people.auditor, year=2021, organization="HN", format="csv")
    for path in (f"{URL}{job.pk}/", f"{URL}{job.pk}/file"):
        response = api(people.inspection).get(path)
        assert (response.status_code, response.json()["code"]) == (404, "export_not_found")
    assert api(people.inspection).get(URL).json() == []


def test_a_file_not_ready_yet_is_a_404_with_its_code(people, api):
    job = ExportJob.objects.create(user=people.auditor, year=2021, organization="HN", format="csv")
    response = api(people.auditor).get(f"{URL}{job.pk}/file")
    assert (response.status_code, response.json()["code"]) == (404, "export_not_ready")
    assert api(people.auditor).get(f"{URL}{job.pk}/").json()["file"] is None
    assert job.status == ExportStatus.QUEUED


def test_bad_input_is_refused_field_by_field_and_nothing_is_queued(people, api):
    client = api(people.auditor)
    response = client.post(URL, {"year": 2021, "organization": "HN", "format": "pdf"}, format="json")
    assert (response.status_code, response.json()["field"]) == (400, "format")
    response = client.post(URL, {"organization": "HN", "format": "csv"}, format="json")
    assert (response.status_code, response.json()["field"]) == (400, "year")
    response = api(people.outsider).post(URL, {"year": 2021, "organization": "LB-DG", "format": "csv"}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "organization_not_found")
    assert api().post(URL, {"year": 2021, "organization": "HN", "format": "csv"}, format="json").status_code == 401
    assert not ExportJob.objects.exists()
