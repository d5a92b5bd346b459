"""The workflows app's tables: the viewflow process of a review, and the background work's records.

* ``ReviewProcess``: the viewflow process of a review, a multi-table subclass with a real foreign key to it.
* ``OutboxMessage`` / ``OutboxDelivery``: the outbox (``workflows.outbox``). A message is written by the same
  transaction as the change it tells of, claimed once by whoever delivers it, retried with backoff and never
  deleted; each address it reaches is recorded (unique per message) *before* the e-mail goes out, so no address
  gets one message twice.
* ``AuditVerification``: each run of the audit trail's verification (``workflows.tasks.verify_audit_trail``);
  the bulk compliance page shows the last one instead of re-hashing the trail on every load.
* ``ExportJob``: a bulk compliance export written in the background into private storage.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from review_process.attachments import private_storage
from review_process.models import Review


class ReviewProcess(Process):
    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="process")

    class Meta:
        verbose_name = _("review process")
        verbose_name_plural = _("review processes")
        ordering = ["-created"]

    @property
    def brief(self) -> str:
        return str(self.review)


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Sent")
    FAILED = "failed", _("Given up after repeated failures")


class OutboxMessage(models.Model):
    """Something to tell people, written with the change it tells of (``workflows.outbox.enqueue``)."""

    kind = models.CharField(_("kind"), max_length=50)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=20, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # Set by the one delivery that claimed the message; a claim older than OUTBOX_CLAIM_SECONDS is taken over.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["pk"]
        indexes = [
            # Used by workflows.outbox.due_messages: pending messages whose next attempt has come.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class OutboxDelivery(models.Model):
    """One address a message was sent to, recorded before sending (``sent_at`` once the backend accepted it)."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    address = models.CharField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "address"], name="outbox_delivery_unique")]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.address}"


class AuditVerification(models.Model):
    """One verification of the whole audit trail: chains, records and anchors (``verify_audit_trail``)."""

    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    events_checked = models.PositiveIntegerField(_("events verified"), default=0)
    ok = models.BooleanField(_("intact"), default=False)
    message = models.TextField(_("message"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("audit trail verification")
        verbose_name_plural = _("audit trail verifications")
        ordering = ["-checked_at", "-pk"]
        get_latest_by = ["checked_at", "pk"]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """A bulk compliance export (``workflows.tasks.export_compliance``) of the reviews ``user`` may audit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    organization = models.CharField(_("organisation"), max_length=50)  # the code, as on the bulk page
    format = models.CharField(_("format"), max_length=10)
    status = models.CharField(_("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveIntegerField(_("reviews written"), default=0)
    total = models.PositiveIntegerField(_("reviews to write"), null=True, blank=True)  # known once it runs
    file = models.FileField(_("file"), upload_to="exports/", storage=private_storage, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("compliance export")
        verbose_name_plural = _("compliance exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}.{self.format} ({self.status})"
