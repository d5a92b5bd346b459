"""Writes that create a review and apply its transitions (the domain half of a transition).

The only caller of ``transition_apply`` is ``workflows.services.review_transition``, which holds the
flow lock and completes the matching task in the same transaction.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition

from permissions import grants
from permissions.models import Organization, User
from permissions.roles import Role
from permissions.selectors import held_position_in, open_review_role, organizations_visible_to
from permissions.statements import CompiledUpdate
from review_process import dates, machine
from review_process.audit import audit_record
from review_process.availability import require_transition
from review_process.errors import Conflict, Forbidden, InvalidInput, NotFound
from review_process.grants import ReviewGrantTarget, acting_role
from review_process.models import Review, ReviewKind, ReviewState
from review_process.regimes import regime_for
from review_process.services.base import limit_text

ORGANIZATION_NOT_ACTIVE = _(
    "%(organization)s does not exist at the end of %(year)s: no review of that year can be opened for it."
)
REVIEW_EXISTS = _("A %(kind)s of %(organization)s for %(year)s already exists.")
YEAR_NOT_SUPPORTED = _("Reviews before 2018 are not supported (no regime is defined for %(year)s).")
UNKNOWN_TRANSITION = _("Unknown action “%(name)s”.")
SUBJECT_REQUIRED = _("An individual review names its subject: the username of the leader reviewed.")
SUBJECT_NOT_LEADER = _("%(name)s held no leadership position in %(organization)s during %(year)s.")
SUBJECT_NOT_ALLOWED = _("Only an individual review names a subject.")
#: Positions whose holders are leaders reviewed individually (cán bộ lãnh đạo, quản lý của đảng ủy).
LEADERSHIP_ROLES = (Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER)


def _subject(kind: str, username: str | None, organization: Organization, year: int):
    """The leader an individual review is about: holding a leadership position there during the year."""
    if kind != ReviewKind.INDIVIDUAL:
        if username:
            raise InvalidInput(SUBJECT_NOT_ALLOWED, code="invalid_subject", field="subject")
        return None
    if not username:
        raise InvalidInput(SUBJECT_REQUIRED, code="invalid_subject", field="subject")
    person = User.objects.filter(username=username, is_active=True).first()
    held = person is not None and held_position_in(
        user=person, organization=organization, year=year, roles=LEADERSHIP_ROLES
    )
    if not held:
        raise InvalidInput(
            SUBJECT_NOT_LEADER,
            code="subject_not_leader",
            field="subject",
            params={
                "name": person.get_full_name() if person else username,
                "organization": organization.name,
                "year": year,
            },
        )
    return person


def review_create(*, organization_code: str, year: int, kind: str, by, subject: str | None = None) -> Review:
    """Open a review; the caller (workflows.services.review_open) starts its flow in the same transaction."""
    organization = Organization.objects.filter(code=organization_code).first()
    if organization is None or not organizations_visible_to(user=by).filter(pk=organization.pk).exists():
        raise NotFound(_("Organisation not found."), code="organization_not_found", field="organization")
    role = open_review_role(user=by, organization=organization)  # the role table alone: no superuser power
    if role is None:
        raise Forbidden(_("Only the organisation's secretary or the superior's organisation board may open a review."))
    if kind not in ReviewKind.values:
        raise InvalidInput(_("Unknown review kind."), code="invalid_kind", field="kind")
    year_refused = dates.year_error(year)  # 2018 to the current year (review_process.dates)
    if year_refused is not None:
        raise year_refused
    person = _subject(kind, subject, organization, year)
    regime = regime_for(year)
    if regime is None:
        raise InvalidInput(YEAR_NOT_SUPPORTED, code="year_not_supported", field="year", params={"year": year})
    # The annual review of year Y is held by the organisations that exist at the end of Y: one dissolved
    # during Y hands its work to its successor (domain-rules.md §0: the 2025 reform).
    if not organization.exists_on(datetime.date(year, 12, 31)):
        raise Conflict(
            ORGANIZATION_NOT_ACTIVE,
            code="organization_not_active",
            params={"organization": organization.name, "year": year},
        )
    live = Review.objects.filter(organization=organization, year=year, kind=kind, subject=person).exclude(
        state=ReviewState.CANCELLED
    )
    if live.exists():  # a cancelled review does not lock the year
        raise Conflict(
            REVIEW_EXISTS,
            code="review_exists",
            params={"kind": ReviewKind(kind).label, "organization": organization.name, "year": year},
        )
    try:
        with transaction.atomic():
            review = Review(organization=organization, year=year, kind=kind, subject=person, opened_by=by)
            review.pin_regime(regime)  # the rules of the year as they are today, kept for good
            review.save()
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
        records=[review],
        to_state=review.state,
        payload={
            "organization": organization.code,
            "year": year,
            "kind": kind,
            "subject": person.username if person else None,
            "regime": review.regime_code,
        },
    )
    return review


def _field_values(review: Review) -> dict:
    return {f.attname: getattr(review, f.attname) for f in review._meta.concrete_fields if not f.primary_key}


def _changed_fields(review: Review, before: dict) -> list[str]:
    """The fields whose value differs from ``before``, and the ``auto_now`` ones (always written on save)."""
    fields = [f for f in review._meta.concrete_fields if not f.primary_key]
    return [f.name for f in fields if getattr(f, "auto_now", False) or getattr(review, f.attname) != before[f.attname]]


#: The review's UPDATE of a transition: only where the row is still at the stage read (django-fsm-2's
#: ``ConcurrentTransitionMixin`` condition), compiled once per set of fields (``permissions.statements``).
_TRANSITION_UPDATE = CompiledUpdate(Review, "state")


def _save_transition(review: Review, fields: list[str], from_state: str) -> None:
    """Write ``fields`` of ``review`` if its row is still at ``from_state`` (else ``ConcurrentTransition``, as
    django-fsm-2's mixin raises), with the compiled UPDATE; the usual ``save`` when that cannot be used."""
    updated = _TRANSITION_UPDATE.run(review, fields, state=from_state)
    if updated is None:
        review.save(update_fields=fields)
        return
    if updated != 1:
        raise ConcurrentTransition("Cannot save object! The state has been changed since fetched from the database!")
    review._update_initial_state()  # what ConcurrentTransitionMixin.save does after a save


def transition_meta(name: str):
    """django-fsm-2's description of transition ``name``; 404 ``unknown_transition`` for an unknown name."""
    if name not in machine.TRANSITION_NAMES:
        raise NotFound(UNKNOWN_TRANSITION, code="unknown_transition", params={"name": name})
    return machine.meta(name)


def transition_check(
    *, review: Review, name: str, by, reason: str = "", occurred_on: datetime.date | None = None
) -> None:
    """Raise the error that explains why ``by`` may not run ``name`` now; return quietly if they may.

    The verdict is ``review_process.availability.transition_verdict``: the one the pages and the API show.
    """
    transition_meta(name)
    require_transition(by, review, name, reason=reason)
    # The day it happened: not after today, in the procedure's order (review_process.dates), a reason not too long.
    limit_text(reason, "reason", limit="reason")
    date_refused = dates.transition_error(review, name, occurred_on)
    if date_refused is not None:
        raise date_refused


def transition_apply(
    *,
    review: Review,
    name: str,
    by,
    reason: str = "",
    occurred_on: datetime.date | None = None,
    payload: dict | None = None,
):
    """Change state, save and audit. The caller holds the lock (the review was read under its row lock in this
    transaction) and the transaction and has run ``transition_check`` on this same instance (so django-fsm-2's
    conditions read the cached guards)."""
    from_state = review.state
    before = _field_values(review)
    getattr(review, name)(by=by, reason=reason.strip(), occurred_on=occurred_on)
    _save_transition(review, _changed_fields(review, before), from_state)  # what the transition changed, updated_at
    return audit_record(
        review=review,
        actor=by,
        role=acting_role(user=by, review=review, action=name),
        action=f"review.transition.{name}",
        records=[review],
        review_locked=True,  # read under its row lock by the caller, and just saved
        from_state=from_state,
        to_state=review.state,
        payload={
            **({"reason": reason.strip()} if reason.strip() else {}),
            "occurred_on": (occurred_on or timezone.localdate()).isoformat(),
            **(payload or {}),
        },
    )


__all__ = ["review_create", "transition_apply", "transition_check", "transition_meta"]
