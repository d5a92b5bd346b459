"""The home page's tasks (``review_process.selectors.tasks.tasks_for``): who is asked to do what, by when, overdue,
with a link to the exact form; a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from review_process.models import Review
from review_process.selectors.tasks import FILE_REMEDIAL_PLAN, GIVE_OPINION, RECORD_NOTIFICATION, tasks_for
from review_process.services import records
from review_process.services.drafting import participant_revoke
from tests.factories import PositionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(login, client, settings):
    """The persona's client reading pages in English, the source language the assertions are written in."""

    def as_(name: str):
        logged_in = login(name)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return logged_in

    return as_


D = datetime.date
CIRCULATED = D(2021, 11, 20)  # tests/conftest.py WALK_SCHEDULE: the draft goes out on 20/11/2021
APPROVED = D(2021, 12, 8)  # WALK_SCHEDULE: decided and approved on 8/12/2021


def kinds(user, today=None) -> list[tuple[str, int]]:
    return [(t.kind, t.review.pk) for t in tasks_for(user, today or D(2021, 11, 21))]


def test_committee_members_and_participants_are_asked_for_their_opinion(walker, people):
    review = walker.open()
    records.participant_invite(review=review, by=people.secretary, username="guest")
    review = walker.step(review)  # circulated on 20/11/2021
    for persona in ("member", "member2", "deputy", "guest"):
        assert kinds(getattr(people, persona)) == [(GIVE_OPINION, review.pk)], persona
    # The secretary wrote the draft; the superiors hold "give an opinion" too, but are not asked.
    for persona in ("secretary", "board", "standing", "inspection", "auditor", "outsider"):
        assert kinds(getattr(people, persona)) == [], persona


def test_the_opinion_is_due_at_circulation_plus_the_notice_then_at_the_conference(walker, people, settings):
    settings.REVIEW_DRAFT_NOTICE_DAYS = 3
    review = walker.to_state("collecting_opinions")
    (task,) = tasks_for(people.member2, D(2021, 11, 23))
    assert (task.due, task.overdue) == (CIRCULATED + datetime.timedelta(days=3), False)
    (task,) = tasks_for(people.member2, D(2021, 11, 24))
    assert task.overdue
    walker.prepare(review)  # records the conference of 30/11/2021 (and a written opinion of tvminh)
    (task,) = tasks_for(people.member2, D(2021, 11, 24))
    assert (task.due, task.overdue) == (D(2021, 11, 30), False)


def test_who_gave_an_opinion_or_was_revoked_is_no_longer_asked(walker, people):
    review = walker.open()
    guest = records.participant_invite(review=review, by=people.secretary, username="guest")
    review = walker.step(review)
    records.opinion_add(review=review, by=people.member, text="Góp ý", channel="written", occurred_on=D(2021, 11, 21))
    assert kinds(people.member) == []
    assert kinds(people.member2) == [(GIVE_OPINION, review.pk)]
    participant_revoke(review=review, by=people.secretary, participant=guest, reason="Mời nhầm")
    assert kinds(people.guest) == []


def test_after_approval_the_board_records_the_notification_and_the_secretary_files_the_plan(walker, people, settings):
    settings.REVIEW_NOTIFY_DAYS = 15
    settings.REMEDIAL_PLAN_DUE_DAYS = 30
    review = walker.to_state("approved")
    (board,) = tasks_for(people.board, D(2021, 12, 20))
    assert (board.kind, board.due, board.overdue) == (
        RECORD_NOTIFICATION,
        APPROVED + datetime.timedelta(days=15),
        False,
    )
    (secretary,) = tasks_for(people.secretary, D(2021, 12, 26))
    assert (secretary.kind, secretary.due) == (FILE_REMEDIAL_PLAN, D(2022, 1, 7))
    assert not secretary.overdue
    assert tasks_for(people.board, D(2021, 12, 24))[0].overdue  # 15 days after 8/12
    assert tasks_for(people.secretary, D(2022, 1, 8))[0].overdue
    for persona in ("member", "deputy", "standing", "inspection", "auditor"):
        assert kinds(getattr(people, persona), D(2021, 12, 20)) == [], persona

    walker.prepare(review)  # the notification and the plan, on 10/12/2021
    assert kinds(people.board, D(2021, 12, 20)) == [] and kinds(people.secretary, D(2021, 12, 20)) == []


def test_a_board_above_the_direct_superior_is_not_asked(walker, org, people):
    city_board = UserFactory(username="hnboard", full_name="Ban Tổ chức Thành ủy")
    PositionFactory(person=city_board, organization=org.hn, role="organization_board")
    review = walker.to_state("approved")
    assert review.state == "approved"
    assert kinds(city_board, D(2021, 12, 20)) == []
    assert [t.kind for t in tasks_for(people.board, D(2021, 12, 20))] == [RECORD_NOTIFICATION]


def test_the_tasks_take_the_same_queries_for_one_or_three_reviews(walker, org, people):
    walker.to_state("collecting_opinions")
    people.member.refresh_from_db()
    tasks_for(people.member, D(2021, 11, 21))  # warm the caches (content types)
    with CaptureQueriesContext(connection) as one:
        assert len(tasks_for(people.member, D(2021, 11, 21))) == 1

    for year in (2019, 2020):
        Review.objects.filter(year=2021).update(year=year)  # free the slot for the walker
        walker.to_state("collecting_opinions")
    with CaptureQueriesContext(connection) as three:
        assert len(tasks_for(people.member, D(2021, 11, 21))) == 3
    assert len(three.captured_queries) == len(one.captured_queries) <= 6


def test_the_home_page_links_each_task_to_its_form_and_says_overdue(login, walker, people):
    review = walker.to_state("approved")
    body = login("secretary").get("/").content.decode()
    assert f'href="/reviews/{review.pk}/#form-plan"' in body
    assert "File the remedial plan by 07/01/2022" in body
    assert 'data-testid="work-overdue"' in body  # today is long after January 2022
    page = login("secretary").get(f"/reviews/{review.pk}/").content.decode()
    assert 'id="form-plan"' in page  # the link's target exists
    body = login("board").get("/").content.decode()
    assert f'href="/reviews/{review.pk}/#form-notification"' in body
    assert "Record the notification of results by 23/12/2021" in body
    assert 'data-testid="work-list"' not in login("member").get("/").content.decode()
