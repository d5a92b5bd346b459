"""How guardian grants are derived for reviews, and under which role a person acts on one.

``permissions.grants`` turns positions into object permissions for any model through a *grant target*;
``ReviewGrantTarget`` is the review's: the organisation a review belongs to, and the per-review roles
(invited participants).  ``acting_role`` names the role recorded in the audit trail.
"""

from __future__ import annotations

from django.db.models import QuerySet

from permissions import grants
from permissions.models import Organization
from permissions.roles import ROLE_ACTIONS, Role, above, actions_of, review_codename
from permissions.tree import reference_day
from review_process.models import AuditEvent, Review


class ReviewGrantTarget:
    """How guardian grants are derived for reviews (see permissions.grants)."""

    model = Review

    def objects_in(self, organizations: QuerySet[Organization]) -> QuerySet[Review]:
        return Review.objects.filter(organization__in=organizations)

    def organization_of(self, obj: Review) -> Organization:
        return obj.organization

    def extra_roles(self, obj: Review) -> grants.RolesByUser:
        """Invited participants, and whoever acted on the review (they keep read access for good)."""
        roles: grants.RolesByUser = {}
        actors = AuditEvent.objects.filter(review=obj, actor__isnull=False).values_list("actor_id", flat=True)
        for person_id in set(actors):
            roles.setdefault(person_id, set()).add(Role.PAST_ACTOR)
        for person_id in obj.participants.active().values_list("person_id", flat=True):  # not revoked
            roles.setdefault(person_id, set()).add(Role.PARTICIPANT)
        return roles

    def line_day(self, obj: Review):
        """A review is decided by the tree of its year (``permissions.tree.reference_day``)."""
        return reference_day(obj.year, obj.organization)

    def codename(self, action: str) -> str:
        return review_codename(action)


def acting_role(*, user, review: Review, action: str) -> str:
    """The role under which ``user`` takes ``action`` on ``review`` (recorded in the audit trail): the first role
    of the role table's order that they hold over the review and that carries the action, else the first such
    "@above" role.  Only the roles that carry the action are looked up (``permissions.grants.HeldRoles``): a
    local role costs one query, the competent body's one more, the per-review roles only when asked."""
    target = ReviewGrantTarget()
    held = grants.HeldRoles(
        user.pk,
        review.organization,
        target.line_day(review),
        extra=lambda: target.extra_roles(review).get(user.pk, set()),
    )
    for role in Role:
        if action in ROLE_ACTIONS[role] and role in held:
            return role.value
    for role in Role:
        if action in actions_of(above(role)) and above(role) in held:
            return role.value
    return ""
