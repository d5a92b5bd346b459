"""Writes that create a review and apply its transitions (the domain half of a transition).

The only caller of ``transition_apply`` is ``workflows.services.review_transition``, which holds the
flow lock and completes the matching task in the same transaction.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from permissions import grants
from permissions.models import Organization
from permissions.selectors import open_review_role, organizations_visible_to
from review_process import guards
from review_process.access import may, may_view
from review_process.audit import audit_record
from review_process.compliance.blocking import blocking_failures
from review_process.errors import Conflict, Forbidden, InvalidInput, NotFound
from review_process.models import TRANSITION_NAMES, Review, ReviewKind, ReviewState
from review_process.regimes import regime_for
from review_process.selectors import ReviewGrantTarget, acting_role

REVIEW_EXISTS = _("A %(kind)s of %(organization)s for %(year)s already exists.")
YEAR_NOT_SUPPORTED = _("Reviews before 2018 are not supported (no regime is defined for %(year)s).")
UNKNOWN_TRANSITION = _("Unknown action “%(name)s”.")
WRONG_STATE = _("“%(action)s” is not possible while the review is at the stage “%(state)s”.")
REASON_REQUIRED = _("A reason is required for this action.")


def review_create(*, organization_code: str, year: int, kind: str, by) -> Review:
    """Open a review; the caller (workflows.services.review_open) starts its flow in the same transaction."""
    organization = Organization.objects.filter(code=organization_code).first()
    if organization is None or not organizations_visible_to(user=by).filter(pk=organization.pk).exists():
        raise NotFound(_("Organisation not found."), code="organization_not_found", field="organization")
    role = open_review_role(user=by, organization=organization) or ("superuser" if by.is_superuser else None)
    if role is None:
        raise Forbidden(_("Only the organisation's secretary or the superior's organisation board may open a review."))
    if kind not in ReviewKind.values:
        raise InvalidInput(_("Unknown review kind."), code="invalid_kind", field="kind")
    if regime_for(year) is None:
        raise InvalidInput(YEAR_NOT_SUPPORTED, code="year_not_supported", field="year", params={"year": year})
    if Review.objects.filter(organization=organization, year=year, kind=kind).exists():
        raise Conflict(
            REVIEW_EXISTS,
            code="review_exists",
            params={"kind": ReviewKind(kind).label, "organization": organization.name, "year": year},
        )
    try:
        with transaction.atomic():
            review = Review.objects.create(organization=organization, year=year, kind=kind, opened_by=by)
    except IntegrityError:
        raise Conflict(
            REVIEW_EXISTS,
            code="review_exists",
            params={"kind": ReviewKind(kind).label, "organization": organization.name, "year": year},
        ) from None
    grants.sync_object_grants(ReviewGrantTarget(), review)
    audit_record(
        review=review,
        actor=by,
        role=role,
        action="review.opened",
        to_state=review.state,
        payload={"organization": organization.code, "year": year, "kind": kind},
    )
    return review


def transition_meta(name: str):
    if name not in TRANSITION_NAMES:
        raise NotFound(UNKNOWN_TRANSITION, code="unknown_transition", params={"name": name})
    return getattr(Review, name)._django_fsm


def transition_check(*, review: Review, name: str, by, reason: str = "") -> None:
    """Raise the error that explains why ``by`` may not run ``name`` now; return quietly if they may."""
    meta = transition_meta(name)
    if not may_view(by, review):
        raise NotFound()
    if not may(by, review, name):
        raise Forbidden()
    transition = meta.get_transition(review.state)
    if transition is None:
        raise Conflict(
            WRONG_STATE,
            code="invalid_state",
            params={"action": _action_label(name), "state": ReviewState(review.state).label},
        )
    if (transition.custom or {}).get("requires_reason") and not (reason or "").strip():
        raise InvalidInput(REASON_REQUIRED, code="reason_required", field="reason")
    failed = [g for g in transition.conditions if not g.check(review)]
    failed += [g for g in guards.USER_GUARDS.get(name, ()) if not g.check(review, by)]
    if failed:
        raise Conflict(failed[0].message, code=failed[0].code)
    blocked = blocking_failures(review, name)  # compliance rules the engine enforces (compliance/blocking.py)
    if blocked:
        raise Conflict(blocked[0].message, code=blocked[0].rule)


def transition_apply(*, review: Review, name: str, by, reason: str = "", payload: dict | None = None):
    """Check, change state, save and audit. The caller holds the lock and the transaction."""
    transition_check(review=review, name=name, by=by, reason=reason)
    from_state = review.state
    getattr(review, name)(by=by, reason=reason.strip())
    review.save()
    return audit_record(
        review=review,
        actor=by,
        role=acting_role(user=by, review=review, action=name),
        action=f"review.transition.{name}",
        from_state=from_state,
        to_state=review.state,
        payload={"reason": reason.strip(), **(payload or {})} if reason.strip() or payload else {},
    )


def _action_label(name: str) -> str:
    from permissions.roles import Action

    return str(Action(name).label)
