"""The append-only audit trail's rows (hash-chained; see review_process.audit)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from review_process.models.review import Review


class AuditEvent(models.Model):
    """An append-only record of one action on a review (hash-chained; see review_process.audit).

    Changes to the directory (organisations, dated superiors, positions) are events too: they have no
    review and form the directory's own chain, anchored in the global chain like every review's."""

    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events")
    sequence = models.PositiveIntegerField()
    global_sequence = models.PositiveBigIntegerField(unique=True)
    action = models.CharField(max_length=100)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=30, blank=True)
    occurred_at = models.DateTimeField()
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    chain_prev_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["review", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["review", "sequence"], name="audit_event_unique_sequence"),
            models.UniqueConstraint(
                fields=["sequence"], condition=Q(review__isnull=True), name="audit_event_unique_directory_sequence"
            ),
        ]


class AuditChainHead(models.Model):
    """The head of the chain over all reviews; locked while an event is appended (one row, pk=1)."""

    global_sequence = models.PositiveBigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default="0" * 64)
