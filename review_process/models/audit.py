"""The append-only audit trail's rows (hash-chained; see review_process.audit).

* ``AuditEvent``: one action. ``hash`` chains the events of one review (or of the directory, review None).
  ``global_sequence``/``chain_prev_hash``/``chain_hash`` are only set on events written before the global
  chain moved into seals (migration 0010): their ``hash`` covers ``global_sequence``, so it stays.
* ``AuditSeal``: one event's place in the global chain (total order over all events), written by the sealer
  (``review_process.audit.seal_pending``) after the event committed. Insert-only.
* ``AuditChainHead`` (pk=1): the head of the global chain, locked and moved forward only by the sealer.
* ``AuditDirectoryHead`` (pk=1): the head of the directory's chain, locked by whoever appends to it.

Database triggers (migrations 0002, 0007, 0010) refuse UPDATE and DELETE on events and seals and let the
heads only move forward.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from review_process.models.review import Review

GENESIS = "0" * 64


class AuditEvent(models.Model):
    """An append-only record of one action on a review (hash-chained; see review_process.audit).

    Changes to the directory (organisations, dated superiors, positions) and rating rounds are events too: they
    have no review and form the directory's own chain. Every event is later sealed into the global chain."""

    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events")
    sequence = models.PositiveIntegerField()
    # Set only on events written before 0010 (their hash covers it); later events: their seal's.
    global_sequence = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    action = models.CharField(max_length=100)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=30, blank=True)
    occurred_at = models.DateTimeField()
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    chain_prev_hash = models.CharField(max_length=64)  # before 0010 only ("" after: see the event's seal)
    chain_hash = models.CharField(max_length=64)  # before 0010 only

    class Meta:
        ordering = ["review", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["review", "sequence"], name="audit_event_unique_sequence"),
            models.UniqueConstraint(
                fields=["sequence"], condition=Q(review__isnull=True), name="audit_event_unique_directory_sequence"
            ),
        ]


class AuditSeal(models.Model):
    """An event's place in the global chain: ``chain_hash = HMAC(chain_prev_hash || event.hash)``.

    ``global_sequence`` runs 1, 2, 3 … without gaps; ``chain_prev_hash`` is the seal's before it (GENESIS for
    the first). One seal per event (``event`` is unique)."""

    global_sequence = models.PositiveBigIntegerField(unique=True)
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="seal")
    chain_prev_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()


class AuditChainHead(models.Model):
    """The head of the global chain (one row, pk=1): the last seal. Moved forward only by the sealer."""

    global_sequence = models.PositiveBigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default=GENESIS)


class AuditDirectoryHead(models.Model):
    """The head of the directory's chain (one row, pk=1): the last directory event, locked while appending."""

    sequence = models.PositiveIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
