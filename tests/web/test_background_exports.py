"""Background compliance exports from the bulk page: started by an auditor, followed, downloaded by them alone.

Without a broker the export runs right after the commit (``django_capture_on_commit_callbacks``), as in
``make run``; with one, a Celery worker writes it (``workflows.tasks.export_compliance``).
"""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from workflows.models import ExportJob, ExportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def start(client, capture, **data):
    form = {"year": "2021", "organization": "HN", "format": "csv", **data}
    with capture(execute=True):
        return client.post(reverse("compliance:export-start"), form)


def test_an_auditor_prepares_an_export_and_downloads_it(as_user, people, walker, django_capture_on_commit_callbacks):
    review = walker.to_state("closed")
    client = as_user(people.auditor)
    page = client.get(reverse("compliance:bulk"), {"year": 2021, "organization": "HN"}).content.decode()
    assert 'action="/compliance/exports/"' in page and "Prepare in the background" in page

    response = start(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url.endswith("?year=2021&organization=HN#exports")
    job = ExportJob.objects.get()
    assert (job.user, job.status, job.progress, job.total) == (people.auditor, ExportStatus.DONE, 1, 1)

    page = client.get(response.url).content.decode()
    assert "My exports" in page and "1 of 1 reviews" in page and 'value="100"' in page
    download = reverse("compliance:export-download", args=[job.pk])
    assert f'href="{download}"' in page

    status = client.get(reverse("compliance:export-status", args=[job.pk])).json()
    assert status["status"] == "done" and status["percent"] == 100 and status["download"] == download

    file = client.get(download)
    assert file.status_code == 200 and file["Content-Type"].startswith("text/csv")
    assert 'filename="compliance-hn-2021.csv"' in file["Content-Disposition"]
    body = b"".join(file.streaming_content).decode()
    assert f"\n{review.pk},LB-DG," in body


def test_another_person_cannot_follow_or_download_someone_elses_export(
    as_user, people, walker, django_capture_on_commit_callbacks
):
    walker.to_state("closed")
    start(as_user(people.auditor), django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    other = as_user(people.inspection)  # may audit the same review, but did not ask for this file
    assert other.get(reverse("compliance:export-download", args=[job.pk])).status_code == 404
    assert other.get(reverse("compliance:export-status", args=[job.pk])).status_code == 404
    assert "My exports" not in other.get(reverse("compliance:bulk")).content.decode()


def test_an_unfinished_or_failed_export_has_no_file_and_shows_why(
    as_user, people, walker, django_capture_on_commit_callbacks, monkeypatch
):
    client = as_user(people.auditor)
    queued = ExportJob.objects.create(user=people.auditor, year=2021, organization="HN", format="json")
    assert client.get(reverse("compliance:export-download", args=[queued.pk])).status_code == 404
    assert client.get(reverse("compliance:export-status", args=[queued.pk])).json()["download"] is None

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("workflows.exports.write_json", broken)
    start(client, django_capture_on_commit_callbacks, format="json")
    failed = ExportJob.objects.exclude(pk=queued.pk).get()
    assert failed.status == ExportStatus.FAILED
    page = client.get(reverse("compliance:bulk")).content.decode()
    assert "OSError: disk full" in page and "Failed" in page
    assert client.get(reverse("compliance:export-download", args=[failed.pk])).status_code == 404


def test_a_bad_request_is_refused_with_a_message_and_nothing_queued(
    as_user, people, walker, django_capture_on_commit_callbacks
):
    client = as_user(people.auditor)
    response = start(client, django_capture_on_commit_callbacks, format="pdf")
    assert response.status_code == 302
    assert "Unknown export format." in client.get(response.url).content.decode()
    response = start(as_user(people.outsider), django_capture_on_commit_callbacks, organization="LB-DG")
    assert "Organisation not found." in client.get(response.url).content.decode()
    assert not ExportJob.objects.exists()


def test_starting_an_export_needs_a_login_and_a_post(client, people):
    assert client.post(reverse("compliance:export-start"), {"year": "2021"}).status_code == 302  # to the login
    client.force_login(people.auditor)
    assert client.get(reverse("compliance:export-start")).status_code == 405
    assert not ExportJob.objects.exists()


def test_the_progress_bar_follows_the_job(as_user, people):
    job = ExportJob.objects.create(
        user=people.auditor, year=2021, organization="HN", format="csv", status=ExportStatus.RUNNING, total=400
    )
    ExportJob.objects.filter(pk=job.pk).update(progress=100)
    status = json.loads(as_user(people.auditor).get(reverse("compliance:export-status", args=[job.pk])).content)
    assert (status["status"], status["progress"], status["total"], status["percent"]) == ("running", 100, 400, 25)
