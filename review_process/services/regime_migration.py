"""Move live reviews from one regime to another, explicitly (``manage.py migrate_regime``).

A review keeps the rules it was opened under (``Review.regime_code`` / ``regime_rules``), whatever the regime
table says later. When a committee decides that open reviews must follow another rule set (a new guidance
arrives mid-round, say), this moves them: the dry run lists what would change, the real run pins each review to
the new regime's rules as defined today and records one audit event per review, with the rules before and after.
Closed and cancelled reviews are never moved: their record stands as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from permissions.models import Organization
from review_process.audit import audit_record
from review_process.errors import InvalidInput, NotFound
from review_process.models import Review, ReviewState
from review_process.regimes import regime_by_code

UNKNOWN_REGIME = _("Unknown regime “%(code)s”.")
FINISHED_STATES = (ReviewState.CLOSED, ReviewState.CANCELLED)


@dataclass(frozen=True)
class Move:
    review: Review
    before: dict
    after: dict

    @property
    def changed_rules(self) -> list[str]:
        return sorted(k for k in set(self.before) | set(self.after) if self.before.get(k) != self.after.get(k))


def regime_moves(*, from_code: str, to_code: str, organization_code: str | None = None) -> list[Move]:
    """The live reviews pinned to ``from_code`` (in ``organization_code``'s subtree today, when given) and the
    rules each would get under ``to_code``."""
    target = regime_by_code(to_code)
    if target is None:
        raise InvalidInput(UNKNOWN_REGIME, code="unknown_regime", field="to", params={"code": to_code})
    if regime_by_code(from_code) is None and not Review.objects.filter(regime_code=from_code).exists():
        raise InvalidInput(UNKNOWN_REGIME, code="unknown_regime", field="from", params={"code": from_code})
    reviews = Review.objects.filter(regime_code=from_code).exclude(state__in=FINISHED_STATES)
    if organization_code:
        organization = Organization.objects.filter(code=organization_code).first()
        if organization is None:
            raise NotFound(_("Organisation not found."), code="organization_not_found", field="organization")
        reviews = reviews.filter(organization__path__startswith=organization.path)
    rules = target.rules()
    return [
        Move(review=review, before=dict(review.regime_rules), after=rules)
        for review in reviews.select_related("organization").order_by("organization__path", "year", "pk")
    ]


@transaction.atomic
def regime_migrate(*, from_code: str, to_code: str, organization_code: str | None = None, by=None) -> list[Move]:
    """Pin every review of ``regime_moves`` to ``to_code``, one audit event each."""
    moves = regime_moves(from_code=from_code, to_code=to_code, organization_code=organization_code)
    for move in moves:
        review = Review.objects.select_for_update().get(pk=move.review.pk)
        Review.objects.filter(pk=review.pk).update(regime_code=to_code, regime_rules=move.after)
        audit_record(
            review=review,
            actor=by,
            role="",
            action="review.regime_migrated",
            records=[review],
            from_state=review.state,
            to_state=review.state,
            payload={"from": from_code, "to": to_code, "rules_before": move.before, "rules_after": move.after},
        )
    return moves
