"""Carrying an open review of a dissolved organisation over to its successor (the 2025 reform).

When an organisation ends (``Organization.valid_to``, set by ``manage.py reorganize``), its open reviews are
either cancelled (the ``cancel`` transition) or carried over to the organisation that carries on its work
(``Organization.successor``).  Both are for whoever may cancel the review.  The carry-over keeps the review's
records, state and audit chain; it changes only the organisation, records why in the audit trail, and
re-derives the review's grants (from then on the successor's line decides who may act; past actors keep
read access).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from permissions import grants
from review_process.access import forget_review_perms, may, may_view
from review_process.audit import audit_record
from review_process.availability import REASON_REQUIRED
from review_process.errors import Conflict, Forbidden, InvalidInput, NotFound
from review_process.grants import ReviewGrantTarget, acting_role
from review_process.models import Review, ReviewKind, ReviewState
from review_process.services.reviews import REVIEW_EXISTS

NOT_OPEN = _("Only an open review can be carried over (this one is closed or cancelled).")
NOT_DISSOLVED = _("%(organization)s has not ended: its reviews stay with it.")
NO_SUCCESSOR = _("%(organization)s has no successor: cancel the review instead.")


@transaction.atomic
def review_carry_over(*, review: Review, by, reason: str) -> Review:
    """Move ``review`` to the successor of its ended organisation; return the review, re-read.

    Refused with NotFound (not visible), Forbidden (may not cancel it), Conflict ``invalid_state``
    (closed or cancelled), ``not_dissolved``, ``no_successor``, ``review_exists`` (the successor already has
    a review of that year and kind), InvalidInput ``reason_required``."""
    # Only the review's row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the successor's join.
    locked = Review.objects.select_for_update(of=("self",)).select_related("organization__successor").get(pk=review.pk)
    forget_review_perms(locked)
    if not may_view(by, locked):
        raise NotFound()
    if not may(by, locked, "cancel"):
        raise Forbidden()
    if locked.state in (ReviewState.CLOSED, ReviewState.CANCELLED):
        raise Conflict(NOT_OPEN, code="invalid_state")
    origin = locked.organization
    if origin.valid_to is None:
        raise Conflict(NOT_DISSOLVED, code="not_dissolved", params={"organization": origin.name})
    successor = origin.successor
    if successor is None:
        raise Conflict(NO_SUCCESSOR, code="no_successor", params={"organization": origin.name})
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(REASON_REQUIRED, code="reason_required", field="reason")
    if Review.objects.filter(organization=successor, year=locked.year, kind=locked.kind).exists():
        params = {"kind": ReviewKind(locked.kind).label, "organization": successor.name, "year": locked.year}
        raise Conflict(REVIEW_EXISTS, code="review_exists", params=params)
    role = acting_role(user=by, review=locked, action="cancel")
    locked.organization = successor
    locked.save(update_fields=["organization", "updated_at"])
    audit_record(
        review=locked,
        actor=by,
        role=role,
        action="review.carried_over",
        records=[locked],
        from_state=locked.state,
        to_state=locked.state,
        payload={"from": origin.code, "to": successor.code, "reason": reason},
    )
    grants.sync_object_grants(ReviewGrantTarget(), locked)
    forget_review_perms(locked)
    return locked


__all__ = ["review_carry_over"]
