"""``acting_role`` asks only for the roles that carry the action (``permissions.grants.HeldRoles``), yet names
the same role as reading every holder of the line (``permissions.grants.roles_of``) — for every persona and
action, on today's tree and on a dated one, with the person's positions read once or not."""

from __future__ import annotations

import datetime

import pytest

from permissions import grants
from permissions.models import Position
from permissions.roles import ROLE_ACTIONS, Action, Role, above, actions_of
from permissions.selectors import positions_read_once
from permissions.services import organization_save, position_end, superior_periods_set
from review_process.grants import ReviewGrantTarget, acting_role
from tests.factories import PositionFactory, UserFactory

pytestmark = pytest.mark.django_db

REFORM = datetime.date(2025, 7, 1)


def every_holder_reading(user, review, action: str) -> str:
    """The definition: every role ``user`` holds over the review (all holders of the line, then theirs)."""
    target = ReviewGrantTarget()
    roles = grants.roles_of(user.pk, review.organization, target.extra_roles(review), target.line_day(review))
    for role in Role:
        if role in roles and action in ROLE_ACTIONS[role]:
            return role.value
    for role in Role:
        if above(role) in roles and action in actions_of(above(role)):
            return role.value
    return ""


def personas(people, org):
    city_standing = UserFactory(username="city-standing")
    PositionFactory(person=city_standing, organization=org.hn, role="standing_committee")
    return [*vars(people).values(), city_standing]


def assert_agree(review, users):
    named = set()
    for user in users:
        for action in Action.values:
            expected = every_holder_reading(user, review, action)
            assert acting_role(user=user, review=review, action=action) == expected, (user.username, action)
            with positions_read_once():
                assert acting_role(user=user, review=review, action=action) == expected, (user.username, action)
            named.add(expected)
    return named


def test_every_persona_and_action_on_todays_tree(walker, people, org):
    users = personas(people, org)
    review = walker.ready_at("submitted")  # with "guest" invited as a participant

    named = assert_agree(review, users)

    # The comparison covered local, direct superior, "@above" and per-review roles.
    assert {"secretary", "standing_committee", "inspection", "participant", ""} <= named


def test_every_persona_and_action_on_a_dated_tree(walker, people, org):
    """After the reform, the 2021 review is still decided by the tree of 2021 (the district above the ward)."""
    users = personas(people, org)
    review = walker.to_state("finalizing", prepared=True)
    superior_periods_set(
        organization=org.dg, periods=[(org.lb, None, REFORM - datetime.timedelta(1)), (org.hn, REFORM, None)]
    )
    org.dg.superior = org.hn
    organization_save(organization=org.dg)
    ended = Position.objects.get(person=people.board, organization=org.lb)
    position_end(position=ended, end=datetime.date.today() - datetime.timedelta(days=1))  # now a past actor only

    named = assert_agree(review, users)

    assert {"secretary", "standing_committee", "past_actor"} <= named
