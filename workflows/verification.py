"""The scheduled verification of the audit trail, kept as ``AuditVerification`` rows.

``verify_now`` runs the checks of ``manage.py verify_audit_trail`` over the whole trail, with the same functions
(``review_process.audit``: the hash chains, the records against their fingerprints, the anchors of
``settings.AUDIT_ANCHOR_FILE`` when the file exists; missing append-only triggers are a warning, as there), and records when it ran, how
many events it verified, whether all held and what each check said. The Celery task
``workflows.verify_audit_trail`` runs it hourly (``CELERY_BEAT_SCHEDULE``); the bulk compliance page shows the
last row (``last_verification``) instead of re-hashing every event on each load, and its "verify now" button runs
it again (``request_verification``: inline without a broker, queued with one).
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user

from review_process.audit import read_anchors, verify_anchors, verify_chain, verify_records
from review_process.compliance.report import AUDIT_PERM
from review_process.management.commands.verify_audit_trail import missing_triggers
from review_process.models import Review
from workflows.models import AuditVerification

logger = logging.getLogger(__name__)

VERIFY_TASK = "workflows.verify_audit_trail"
RUNNING_FOR_AT_MOST = datetime.timedelta(minutes=15)  # an unfinished verification younger than this is running


def _verdicts() -> tuple[int, list]:
    chain = verify_chain()
    verdicts = [chain, verify_records()]
    path = settings.AUDIT_ANCHOR_FILE
    if path and Path(path).is_file():
        verdicts.append(verify_anchors(read_anchors(path)))
    return chain.checked, verdicts


def verify_now(*, verification_id: int | None = None) -> AuditVerification:
    """Verify the whole trail and record the result in a new row, or in the requested row ``verification_id``
    (``request_verification``). A broken trail is a result, not an error: this does not raise for it."""
    if verification_id is None:
        verification = AuditVerification.objects.create()
    else:
        verification = AuditVerification.objects.get(pk=verification_id)
        verification.checked_at = timezone.now()
        verification.save(update_fields=["checked_at"])
    lines: list[str] = []
    try:
        checked, verdicts = _verdicts()
        ok = all(verdict.intact for verdict in verdicts)
        lines = [verdict.describe() for verdict in verdicts]
    except ValueError as error:  # a malformed anchor file
        checked, ok, lines = 0, False, [str(error)]
    missing = missing_triggers()
    if missing:  # a warning, as in manage.py verify_audit_trail: the trail itself verified or not above
        lines.append(_("Warning: the append-only triggers are missing: %(names)s.") % {"names": ", ".join(missing)})
    AuditVerification.objects.filter(pk=verification.pk).update(
        finished_at=timezone.now(), events_checked=checked, ok=ok, message="\n".join(lines)
    )
    if not ok:
        logger.error("Audit trail verification %s failed: %s", verification.pk, " ".join(lines))
    verification.refresh_from_db()
    return verification


def last_verification() -> AuditVerification | None:
    """The latest finished verification, or None if none has run yet."""
    return AuditVerification.objects.filter(finished_at__isnull=False).order_by("-checked_at", "-pk").first()


def may_request_verification(user) -> bool:
    """Whoever may audit at least one review (``view_audit_trail`` on it) may ask for a verification now."""
    if not user.is_authenticated:
        return False
    return get_objects_for_user(user, AUDIT_PERM, klass=Review, accept_global_perms=False).exists()


def verification_running() -> bool:
    """A verification started in the last ``RUNNING_FOR_AT_MOST`` has not finished yet."""
    since = timezone.now() - RUNNING_FOR_AT_MOST
    return AuditVerification.objects.filter(finished_at__isnull=True, checked_at__gte=since).exists()


def request_verification(*, user) -> bool:
    """Run a verification now: inline without a broker, queued (after the current transaction) with one.

    False, and nothing started, while another verification is running."""
    if verification_running():
        return False
    requested = AuditVerification.objects.create(requested_by=user)
    if settings.CELERY_BROKER_URL:
        kwargs = {"verification_id": requested.pk}
        transaction.on_commit(lambda: current_app.send_task(VERIFY_TASK, kwargs=kwargs))
    else:
        verify_now(verification_id=requested.pk)
    return True
