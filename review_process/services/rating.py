"""Records of the last stages: the self-assessment, the decision, the notification and the remedial plan.

Each replaces the one before (``machine.RECORD_MODE``). The decision and the remedial plan carry the day they
happened (``occurred_on``), the notification its ``notified_on``: checked by ``review_process.dates`` (on or after
the submission, the approval; the plan's due dates after the approval). The self-assessment states its basis.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.roles import Action
from review_process import dates
from review_process.audit import audit_record
from review_process.errors import InvalidInput
from review_process.guards import collective_rating
from review_process.models import (
    Decision,
    Notification,
    Rating,
    RemedialItem,
    RemedialPlan,
    Review,
    ReviewKind,
    SelfAssessment,
)
from review_process.ratings import Vote, assessment_error, ceiling_error, order_error, reason_error, vote_error
from review_process.services.base import authorise, dated, limit_text, locked, require_text
from review_process.services.individual import is_head


def _rating(value: str, field: str) -> str:
    if value not in Rating.values:
        raise InvalidInput(
            _("Choose one of: excellent, good, complete, not_complete."), code="invalid_rating", field=field
        )
    return value


def _triggers(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise InvalidInput(_("Give the grounds as a list of codes."), code="invalid_trigger", field="triggers")
    return sorted(set(values))


BASIS_REQUIRED = _("State the basis of the self-assessment: what the proposed rating rests on.")


def _raise(error) -> None:
    if error is not None:
        raise error


@transaction.atomic
def self_assessment_set(
    *,
    review: Review | int,
    by,
    proposed_rating: str,
    justification: str = "",
    score: int | None = None,
    triggers=(),
) -> SelfAssessment:
    """Propose the collective's rating. It follows the pinned regime (``review_process.ratings``): a score from
    2025 that matches the thresholds, none before, and "not complete" when a ground for it is reported."""
    review = locked(review)
    role = authorise(review, by, Action.SET_SELF_ASSESSMENT)
    proposed_rating = _rating(proposed_rating, "proposed_rating")
    triggers = _triggers(triggers)
    _raise(assessment_error(review.regime, proposed_rating, score, triggers, field="proposed_rating"))
    justification = limit_text(justification, "justification", limit="justification")
    if not justification:
        raise InvalidInput(BASIS_REQUIRED, code="basis_required", field="justification")
    assessment, _created = SelfAssessment.objects.update_or_create(
        review=review,
        defaults={
            "proposed_rating": proposed_rating,
            "score": score,
            "triggers": triggers,
            "justification": justification,
            "set_by": by,
            "updated_at": timezone.now(),
        },
    )
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.self_assessment.set",
        records=[assessment],
        from_state=review.state,
        to_state=review.state,
        payload={
            "proposed_rating": proposed_rating,
            "score": score,
            "triggers": triggers,
            "justification": assessment.justification,
        },
    )
    return assessment


@transaction.atomic
def decision_set(
    *,
    review: Review | int,
    by,
    final_rating: str,
    reason: str = "",
    vote: dict | Vote | None = None,
    score: int | None = None,
    triggers=(),
    occurred_on: datetime.date | None = None,
) -> Decision:
    """Record the competent body's decision, taken by a vote of its members.

    Refused (the rules of ``review_process.ratings``): a rating inconsistent with the score or with a ground
    for "not complete" (reported here or in the self-assessment) (400), no reason for a rating below the
    proposed one (400 ``reason_required``), a tally that does not add up (400 ``invalid_vote``), a vote
    without a majority of the members (409 ``vote_not_carried``)."""
    review = locked(review)
    role = authorise(review, by, Action.SET_DECISION)
    final_rating = _rating(final_rating, "final_rating")
    collective = None
    if review.kind == ReviewKind.INDIVIDUAL:  # a leader is rated after the collective they lead
        collective = collective_rating(review)
        _raise(order_error(collective, organization=review.organization.name, year=review.year))
    assessment = SelfAssessment.objects.filter(review=review).first()
    triggers = _triggers(triggers)
    found = sorted(set(triggers) | set(assessment.triggers if assessment else []))
    _raise(assessment_error(review.regime, final_rating, score, found, field="final_rating"))
    reason = limit_text(reason, "reason", limit="decision_reason")
    day = dated(review, "decision", occurred_on)
    _raise(reason_error(assessment.proposed_rating if assessment else None, final_rating, reason))
    if review.kind == ReviewKind.INDIVIDUAL:
        head = is_head(review)
        _raise(ceiling_error(review.regime, is_head=head, rating=final_rating, collective_rating=collective))
    if not isinstance(vote, Vote):
        vote = Vote.from_dict(vote) if isinstance(vote, dict) else None
    _raise(vote_error(vote))
    decision, _created = Decision.objects.update_or_create(
        review=review,
        defaults={
            "final_rating": final_rating,
            "score": score,
            "triggers": triggers,
            "reason": reason,
            "vote": vote.as_dict(),
            "decided_by": by,
            "decided_at": timezone.now(),
            "occurred_on": day,
        },
    )
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.decision.set",
        records=[decision],
        from_state=review.state,
        to_state=review.state,
        payload={
            "final_rating": final_rating,
            "score": score,
            "triggers": triggers,
            "reason": reason,
            "vote": vote.as_dict(),
            "occurred_on": day.isoformat(),
        },
    )
    return decision


@transaction.atomic
def notification_record(*, review: Review | int, by, notified_on: datetime.date, note: str = "") -> Notification:
    review = locked(review)
    role = authorise(review, by, Action.RECORD_NOTIFICATION)
    if not isinstance(notified_on, datetime.date):
        raise InvalidInput(_("Give the day of the notification."), code="blank", field="notified_on")
    dated(review, "notification", notified_on, field="notified_on")
    note = limit_text(note, "note", limit="note")
    notification, _created = Notification.objects.update_or_create(
        review=review,
        defaults={"notified_on": notified_on, "note": note, "recorded_by": by},
    )
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.notification.recorded",
        records=[notification],
        from_state=review.state,
        to_state=review.state,
        payload={"notified_on": notified_on.isoformat(), "note": notification.note},
    )
    return notification


@transaction.atomic
def remedial_plan_set(
    *, review: Review | int, by, items: list[dict], occurred_on: datetime.date | None = None
) -> RemedialPlan:
    """File (or replace) the remedial plan: items of (description, owner, due_date), each due after the
    approval; the plan is dated on or after the approval."""
    review = locked(review)
    role = authorise(review, by, Action.SET_REMEDIAL_PLAN)
    if not items:
        raise InvalidInput(_("Add at least one item."), code="blank", field="items")
    day = dated(review, "remedial_plan", occurred_on)
    clean = []
    for i, item in enumerate(items):
        description = require_text(item.get("description", ""), f"items[{i}].description", limit="remedial_item")
        owner = require_text(item.get("owner", ""), f"items[{i}].owner", limit="remedial_owner")
        due = item.get("due_date")
        if not isinstance(due, datetime.date):
            raise InvalidInput(_("Give a due date."), code="blank", field=f"items[{i}].due_date")
        # Due dates lie ahead of the approval (they may well be in the future: no "not after today" here).
        _raise(
            dates.order_error(
                "approval", review.approved_on, "due_date", due, strict=True, field=f"items[{i}].due_date"
            )
        )
        clean.append((description, owner, due))
    plan, _created = RemedialPlan.objects.update_or_create(
        review=review, defaults={"filed_by": by, "updated_at": timezone.now(), "occurred_on": day}
    )
    plan.items.all().delete()
    RemedialItem.objects.bulk_create(
        [RemedialItem(plan=plan, description=d, owner=o, due_date=due) for d, o, due in clean]
    )
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.remedial_plan.filed",
        records=[plan],
        from_state=review.state,
        to_state=review.state,
        payload={
            "items": [{"description": d, "owner": o, "due_date": due.isoformat()} for d, o, due in clean],
            "occurred_on": day.isoformat(),
        },
    )
    return plan
