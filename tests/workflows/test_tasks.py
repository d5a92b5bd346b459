"""The Celery tasks (workflows/tasks.py), run inline as without a broker, and the beat schedule."""

from __future__ import annotations

import json

import pytest
from celery import current_app
from django.conf import settings
from django.core import mail

from review_process import audit
from review_process.errors import InvalidInput, NotFound
from review_process.models import AuditEvent
from workflows import tasks
from workflows.exports import export_compliance
from workflows.models import AuditVerification, ExportJob, ExportStatus, OutboxMessage, OutboxStatus
from workflows.verification import last_verification, request_verification

pytestmark = pytest.mark.django_db


def test_without_a_broker_every_task_runs_inline():
    assert settings.CELERY_BROKER_URL == ""
    assert current_app.conf.task_always_eager is True
    assert current_app.main == "config"


def test_every_scheduled_task_is_a_registered_task():
    registered = set(current_app.tasks)
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names == {
        "workflows.deliver_outbox",
        "workflows.sweep_outbox",
        "workflows.seal_audit_trail",
        "workflows.verify_audit_trail",
        "workflows.anchor_audit_trail",
        "workflows.sync_grants",
    }
    assert names <= registered
    assert "workflows.export_compliance" in registered
    every = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert every["workflows.deliver_outbox"] == every["workflows.sweep_outbox"] == 60
    assert every["workflows.seal_audit_trail"] == 60
    assert every["workflows.verify_audit_trail"] == every["workflows.anchor_audit_trail"] == 3600
    assert every["workflows.sync_grants"] == 86400


def test_deliver_outbox_delivers_the_message_it_is_given(walker, people):
    review = walker.open()
    message = OutboxMessage.objects.create(
        kind="notify_next_actors", payload={"review_id": review.pk, "transition": "open"}
    )
    assert tasks.deliver_outbox.delay(message_id=message.pk).get() == 1
    assert [m.to for m in mail.outbox] == [[people.secretary.email]]  # the draft's next step is the secretary's
    assert OutboxMessage.objects.get().status == OutboxStatus.DELIVERED
    assert tasks.deliver_outbox.delay(message_id=message.pk).get() == 0  # delivered: not again
    assert len(mail.outbox) == 1


def test_sync_grants_rederives_the_object_permissions(walker, people):
    review = walker.open()
    assert people.member.has_perm("review_process.view_review", review)
    people.member.userobjectpermission_set.all().delete()
    member = type(people.member).objects.get(pk=people.member.pk)  # a fresh permission cache
    assert not member.has_perm("review_process.view_review", review)
    result = tasks.sync_grants.delay().get()
    assert result["added"] >= 1
    member = type(people.member).objects.get(pk=people.member.pk)
    assert member.has_perm("review_process.view_review", review)


def test_seal_audit_trail_runs_the_sealing_function(monkeypatch):
    calls = []
    monkeypatch.setattr(audit, "seal_pending", lambda: calls.append("sealed") or 3, raising=False)
    assert tasks.seal_audit_trail.delay().get() == 3
    assert calls == ["sealed"]


def test_seal_audit_trail_seals_the_new_events_once(walker):
    walker.open()
    assert tasks.seal_audit_trail.delay().get() > 0
    assert tasks.seal_audit_trail.delay().get() == 0


def test_anchor_audit_trail_appends_the_head(walker, settings, tmp_path):
    walker.open()
    tasks.seal_audit_trail.delay().get()  # the head anchored is the sealed chain's
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    tasks.anchor_audit_trail.delay().get()
    tasks.anchor_audit_trail.delay().get()
    lines = (tmp_path / "anchors.jsonl").read_text().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[-1])["global_sequence"] == audit.head_anchor()["global_sequence"] > 0


def test_verify_audit_trail_records_an_intact_trail(walker):
    walker.to_state("collecting_opinions")
    verification_id = tasks.verify_audit_trail.delay().get()
    verification = AuditVerification.objects.get(pk=verification_id)
    assert verification.ok is True
    assert verification.events_checked == AuditEvent.objects.count() > 0
    assert verification.finished_at is not None and verification.message
    assert last_verification() == verification


def test_verify_audit_trail_records_a_broken_trail(walker, settings):
    walker.open()
    settings.AUDIT_HMAC_KEY = "another-key"  # the events no longer verify under this key
    verification = AuditVerification.objects.get(pk=tasks.verify_audit_trail.delay().get())
    assert verification.ok is False
    assert verification.message
    assert last_verification() == verification


def test_a_requested_verification_runs_inline_and_names_who_asked(walker, people):
    walker.open()
    assert request_verification(user=people.auditor) is True
    verification = last_verification()
    assert verification.requested_by == people.auditor and verification.ok is True


def test_no_second_verification_starts_while_one_is_running(people):
    AuditVerification.objects.create()  # started, not finished
    assert request_verification(user=people.auditor) is False
    assert AuditVerification.objects.count() == 1


def read(job: ExportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_compliance_writes_the_file_into_private_storage(
    walker, people, fmt, django_capture_on_commit_callbacks
):
    review = walker.to_state("collecting_opinions")
    with django_capture_on_commit_callbacks(execute=True):
        job = export_compliance(user=people.auditor, year=2021, organization="HN", format=fmt)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.progress == 1 and job.error == ""
    assert job.file.name.startswith("exports/") and job.file.name.endswith("." + fmt)
    assert str(settings.PRIVATE_MEDIA_ROOT) in job.file.path
    data = read(job)
    if fmt == "csv":
        assert data.decode().splitlines()[0].startswith("review,organization")
        assert f"\n{review.pk},LB-DG," in data.decode()
    elif fmt == "json":
        assert json.loads(data)["summary"]["reviews"] == 1
    else:
        assert data[:2] == b"PK"


def test_export_compliance_holds_only_the_reviews_the_person_may_audit(
    walker, people, django_capture_on_commit_callbacks
):
    walker.open()
    with django_capture_on_commit_callbacks(execute=True):
        job = export_compliance(user=people.member, year=2021, organization="LB-DG", format="json")
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert json.loads(read(job))["summary"]["reviews"] == 0  # a committee member does not audit


def test_export_compliance_refuses_an_unknown_format_an_unseen_organisation_and_a_bad_year(people):
    with pytest.raises(InvalidInput) as refused:
        export_compliance(user=people.auditor, year=2021, organization="HN", format="pdf")
    assert refused.value.code == "invalid_format"
    with pytest.raises(NotFound) as refused:
        export_compliance(user=people.outsider, year=2021, organization="LB-DG", format="csv")
    assert refused.value.code == "organization_not_found"
    with pytest.raises(InvalidInput) as refused:
        export_compliance(user=people.auditor, year="năm", organization="HN", format="csv")
    assert refused.value.code == "invalid_year"
    assert not ExportJob.objects.exists()


def test_a_failed_export_is_recorded_on_its_job(people, monkeypatch, django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("workflows.exports.write_csv", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_compliance(user=people.auditor, year=2021, organization="HN", format="csv")
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.error == "OSError: disk full"
    assert tasks.export_compliance.delay(job_id=job.pk).get() == ExportStatus.FAILED  # not run twice
