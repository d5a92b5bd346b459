"""Celery tasks: thin wrappers over the functions that do the work, named ``workflows.<task>``.

Run by ``celery -A config worker -B`` when ``CELERY_BROKER_URL`` is set; inline (``CELERY_TASK_ALWAYS_EAGER``)
otherwise. The schedule is ``CELERY_BEAT_SCHEDULE`` in config/settings.py; docs/operations.md, "Background work".

* ``deliver_outbox(message_id=None)``: deliver one outbox message, or every message whose retry has come;
  ``sweep_outbox()``: deliver what was left behind (``workflows.outbox``).
* ``sync_grants()``: re-derive every object permission from today's positions (``manage.py sync_grants``).
* ``seal_audit_trail()``: seal the events written since the last run into the global chain
  (``review_process.audit.seal_pending``); ``anchor_audit_trail()``: append the chain's head to the anchor file
  (``manage.py anchor_audit_trail``); ``verify_audit_trail(verification_id=None)``: verify the whole trail and
  record the result (``workflows.verification``).
* ``export_compliance(job_id)``: write a bulk compliance export (``workflows.exports``).
"""

from __future__ import annotations

import io

from celery import shared_task
from django.core.management import call_command

from permissions.grants import sync_all_grants
from review_process import audit
from workflows import exports, outbox, verification


@shared_task(name="workflows.deliver_outbox")
def deliver_outbox(message_id: int | None = None) -> int:
    """Deliver message ``message_id``, or (without an id) every message due for a retry; returns how many."""
    if message_id is None:
        return outbox.deliver_due()
    return int(outbox.deliver(message_id))


@shared_task(name="workflows.sweep_outbox")
def sweep_outbox() -> int:
    return outbox.sweep()


@shared_task(name="workflows.sync_grants")
def sync_grants() -> dict:
    added, removed = sync_all_grants()
    return {"added": added, "removed": removed}


@shared_task(name="workflows.seal_audit_trail")
def seal_audit_trail():
    return audit.seal_pending()


@shared_task(name="workflows.anchor_audit_trail")
def anchor_audit_trail() -> str:
    out = io.StringIO()
    call_command("anchor_audit_trail", stdout=out)
    return out.getvalue().strip()


@shared_task(name="workflows.verify_audit_trail")
def verify_audit_trail(verification_id: int | None = None) -> int:
    return verification.verify_now(verification_id=verification_id).pk


@shared_task(name="workflows.export_compliance")
def export_compliance(job_id: int) -> str:
    return exports.run_export(job_id).status
