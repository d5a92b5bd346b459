"""Apply a planned reorganisation (``review_process.reorganization``) in one transaction, all or nothing."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q

from permissions import grants
from permissions.models import Organization, User
from review_process.grants import ReviewGrantTarget
from review_process.models import Review
from review_process.reorganization import ChangeError, ChangeSetError, Plan, plan_change_set


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def reorganize(data, *, by: User | None = None, dry_run: bool = False, progress=None) -> tuple[Plan, int]:
    """Plan and apply the change set ``data`` in one transaction; return the plan and the number of reviews
    whose grants were re-derived.  A dry run applies it in full (so that every error shows) and rolls back.
    ``progress`` wraps the iteration over those reviews (a tqdm bar for long runs)."""
    plan = plan_change_set(data)
    synced = 0
    try:
        with transaction.atomic():
            for step in plan.steps:
                try:
                    step.run(by)
                except (ValidationError, ObjectDoesNotExist, DatabaseError) as error:
                    message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                    refused = ChangeError(message, index=step.index, op=step.op, field=step.field)
                    raise ChangeSetError([refused]) from error
            synced = _resync_review_grants(plan.touched, progress)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return plan, synced


def _resync_review_grants(codes: set[str], progress=None) -> int:
    """Re-derive the grants of every review of ``codes`` and of everything below them in today's tree."""
    below = Q(pk__in=[])
    for path in Organization.objects.filter(code__in=list(codes)).values_list("path", flat=True):
        below |= Q(organization__path__startswith=path)
    reviews, target = Review.objects.filter(below).select_related("organization"), ReviewGrantTarget()
    items, count = reviews.iterator(), reviews.count()
    for review in progress(items, count) if progress else items:
        grants.sync_object_grants(target, review)
    return count
