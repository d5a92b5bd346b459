"""Within ``positions_read_once`` a person's positions are read once, and every answer given from that read is
the answer of the queries it replaces: ``PositionQuerySet.active_on`` / ``held_during``, ``held_position_in``
and ``refresh_if_stale`` (which re-derives the grants when a position started or ended since the last sync)."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from permissions.grants import refresh_if_stale
from permissions.models import Position, User
from permissions.selectors import HeldPosition, held_position_in, person_positions, positions_read_once

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
D = datetime.timedelta
#: Days around today and around the edges of the positions below.
DAYS = [TODAY + D(days=n) for n in (-400, -40, -11, -10, -9, -1, 0, 1, 9, 10, 11, 40, 400)]
#: (start, end) of positions: open-ended, ended, future, one day long, ending today, starting today.
SPANS = [
    (TODAY - D(days=10), None),
    (TODAY - D(days=40), TODAY - D(days=10)),
    (TODAY + D(days=10), None),
    (TODAY - D(days=1), TODAY - D(days=1)),
    (TODAY - D(days=9), TODAY),
    (TODAY, TODAY + D(days=9)),
]


@pytest.fixture
def person(org):
    user = User.objects.create(username="positions", full_name="Người giữ chức vụ")
    for (start, end), organization in zip(SPANS, itertools.cycle([org.dg, org.lb]), strict=False):
        Position.objects.create(person=user, organization=organization, role="committee_member", start=start, end=end)
    return user


def test_the_predicates_say_what_the_querysets_say(person):
    for position in Position.objects.filter(person=person):
        held = HeldPosition(position.role, position.organization_id, position.start, position.end)
        mine = Position.objects.filter(pk=position.pk)
        for day in DAYS:
            assert held.active_on(day) == mine.active_on(day).exists(), (position.start, position.end, day)
        for first, last in itertools.combinations(DAYS, 2):
            assert held.held_during(first, last) == mine.held_during(first, last).exists(), (first, last)


def test_held_position_in_answers_the_same_from_one_read(person, org):
    questions = [
        (o, y, r)
        for o in (org.dg, org.lb, org.hn)
        for y in (2020, TODAY.year, TODAY.year + 1)
        for r in (None, ["secretary"], ["committee_member"])
    ]
    expected = [held_position_in(user=person, organization=o, year=y, roles=r) for o, y, r in questions]
    assert True in expected and False in expected
    with positions_read_once(), CaptureQueriesContext(connection) as captured:
        answers = [held_position_in(user=person, organization=o, year=y, roles=r) for o, y, r in questions]
    assert answers == expected
    assert len(captured.captured_queries) == 1


@pytest.mark.parametrize(
    ("synced", "stale"),
    [(None, True), (TODAY - D(days=400), True), (TODAY - D(days=10), True), (TODAY, False), (TODAY + D(days=1), False)],
)
def test_refresh_if_stale_decides_the_same_from_one_read(person, synced, stale):
    def decide(read_once: bool) -> bool:
        User.objects.filter(pk=person.pk).update(grants_synced_on=synced)
        fresh = User.objects.get(pk=person.pk)
        if not read_once:
            return refresh_if_stale(fresh)
        with positions_read_once():
            return refresh_if_stale(fresh)

    assert decide(read_once=True) == decide(read_once=False) == stale


def test_outside_a_block_nothing_is_remembered(person):
    assert person_positions(person.pk) is None
    with positions_read_once():
        assert len(person_positions(person.pk).positions) == len(SPANS)
    assert person_positions(person.pk) is None
