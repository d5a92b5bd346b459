"""Grants follow positions: created when a review is opened or a position starts, removed when it ends."""

import datetime

import pytest
from guardian.models import UserObjectPermission

from permissions.grants import sync_all_grants
from permissions.services import position_end
from review_process.access import may
from review_process.models import Review
from review_process.selectors import reviews_visible_to
from review_process.services import records
from tests.factories import PositionFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(review):
    return Review.objects.get(pk=review.pk)


def test_opening_a_review_grants_the_line_and_nobody_else(walker, people):
    review = walker.open()
    for persona in ["secretary", "deputy", "member", "board", "inspection", "standing", "auditor"]:
        assert may(getattr(people, persona), fresh(review), "view"), persona
    assert not may(people.outsider, fresh(review), "view")
    assert not may(people.guest, fresh(review), "view")
    assert list(reviews_visible_to(user=people.outsider)) == []
    assert list(reviews_visible_to(user=people.secretary)) == [review]


def test_a_position_that_starts_later_gets_grants_on_existing_reviews(walker, people, org):
    review = walker.open()
    newcomer = UserFactory(username="newcomer")
    assert not may(newcomer, fresh(review), "view")
    PositionFactory(person=newcomer, organization=org.dg, role="committee_member", start=datetime.date(2021, 1, 1))
    assert may(newcomer, fresh(review), "add_opinion")
    assert not may(newcomer, fresh(review), "circulate_draft")


def test_ending_a_position_removes_its_grants_but_keeps_those_of_another_position(walker, people, org):
    review = walker.open()
    member_position = people.member.positions.get()
    position_end(position=member_position, end=datetime.date(2021, 12, 31))
    assert not may(people.member, fresh(review), "view")
    assert not UserObjectPermission.objects.filter(user=people.member).exists()
    assert list(reviews_visible_to(user=people.member)) == []

    # The board head also holds a standing-committee seat: ending one keeps the other's grants.
    seat = PositionFactory(person=people.board, organization=org.lb, role="standing_committee")
    assert may(people.board, fresh(review), "approve")
    position_end(position=seat, end=datetime.date(2021, 12, 31))
    assert not may(people.board, fresh(review), "approve")
    assert may(people.board, fresh(review), "give_guidance")


def test_superior_roles_cover_every_organisation_below_but_not_sideways(walker, people, org):
    review = walker.open()
    from workflows.services import review_open

    other = review_open(organization_code="LB-TT", year=2021, by=people.outsider)
    assert may(people.auditor, fresh(other), "view")  # city inspection sees every ward
    assert not may(people.secretary, fresh(other), "view")  # Đức Giang's secretary does not see Thượng Thanh
    assert set(reviews_visible_to(user=people.board)) == {review, other}


def test_an_invited_participant_may_read_and_give_opinions_only(walker, people):
    review = walker.open()
    records.participant_invite(review=review, by=people.secretary, username="guest")
    assert may(people.guest, fresh(review), "view")
    assert may(people.guest, fresh(review), "add_opinion")
    assert not may(people.guest, fresh(review), "view_audit_trail")


def test_the_daily_sync_repairs_drift_and_is_idempotent(walker, people):
    review = walker.open()
    UserObjectPermission.objects.filter(user=people.deputy).delete()
    added, removed = sync_all_grants()
    assert added > 0 and removed == 0
    assert may(people.deputy, fresh(review), "add_report_version")
    assert sync_all_grants() == (0, 0)
