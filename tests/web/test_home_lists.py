"""The home page's list of reviews at scale (issue 14): one page of rows, filtered by stage, overdue, organisation
and name; counts per stage from one aggregate; the same queries for 3 reviews and for 30; and the SQL reading of
"overdue" (``pages.overdue_filter``) agreeing with ``deadlines.review_overdue`` on every stage."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from review_process.models import Review
from review_process.selectors.deadlines import DEADLINE_BY_STATE, review_deadlines, review_overdue
from review_process.selectors.pages import PAGE_SIZE, overdue_filter
from tests.factories import OrganizationFactory, PositionFactory
from workflows.services import review_open, review_transition

pytestmark = pytest.mark.django_db


def wards(org, people, count: int, start: int = 0, *, district=None) -> list[Review]:
    """``count`` wards under Long Biên (or ``district``) with a 2021 review each, opened by the district's board;
    the secretary of Đức Giang is the secretary of each (so their queue holds each draft's circulation); every
    third review is cancelled (another stage)."""
    reviews = []
    for i in range(start, start + count):
        ward = OrganizationFactory(
            code=f"W{i:03d}", name=f"Phường số {i:03d}", kind="ward", superior=district or org.lb
        )
        PositionFactory(person=people.secretary, organization=ward, role="secretary")
        review = review_open(organization_code=ward.code, year=2021, by=people.board)
        if i % 3 == 2:
            review = review_transition(review=review, name="cancel", by=people.standing, reason="Thử nghiệm")
        reviews.append(review)
    return reviews


def queries(client, url: str) -> tuple[int, str]:
    client.get(url)  # warm the per-process caches (content types, permissions) once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


def listed(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-review="(\d+)"', body)]


@pytest.fixture
def board(client, people, settings):
    client.force_login(people.board)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_home_page_takes_the_same_queries_for_3_or_30_reviews(board, people, org):
    wards(org, people, 3)
    few, body = queries(board, "/")
    assert len(listed(body)) == 3
    wards(org, people, 27, start=3)
    many, body = queries(board, "/")
    assert many == few
    assert len(listed(body)) == PAGE_SIZE  # one page of the 30
    assert 'data-testid="pagination"' in body and 'href="?page=2#reviews"' in body
    # Every filter costs the same queries as the plain page.
    for url in ("/?page=2", "/?stage=cancelled", "/?overdue=1", "/?q=s%E1%BB%91+007", "/?org=LB"):
        assert queries(board, url)[0] <= few, url


def test_pages_and_filters_show_the_right_rows(board, people, org):
    reviews = wards(org, people, 30)
    ordered = sorted(reviews, key=lambda r: (-r.year, r.organization.path, r.pk))
    _n, first = queries(board, "/")
    _n, second = queries(board, "/?page=2")
    assert listed(first) == [r.pk for r in ordered[:PAGE_SIZE]]
    assert listed(second) == [r.pk for r in ordered[PAGE_SIZE:]]
    assert 'aria-current="page"' in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert "Showing 26–30 of 30" in second
    # By stage: the counts come from the aggregate, the rows from the filter.
    cancelled = [r.pk for r in ordered if r.state == "cancelled"]
    _n, body = queries(board, "/?stage=cancelled")
    assert listed(body) == cancelled
    assert re.search(rf'data-stage="cancelled"[^>]*>[^<]*<strong>{len(cancelled)}</strong>', body)
    assert re.search(rf'data-stage="draft"[^>]*>[^<]*<strong>{30 - len(cancelled)}</strong>', body)
    # By name or code, and by organisation (it and those below it).
    _n, body = queries(board, "/?q=s%E1%BB%91+007")  # "số 007"
    assert listed(body) == [reviews[7].pk]
    _n, body = queries(board, "/?q=w012")
    assert listed(body) == [reviews[12].pk]
    _n, body = queries(board, "/?org=W004")
    assert listed(body) == [reviews[4].pk]
    _n, body = queries(board, "/?org=NO-SUCH-CODE")
    assert listed(body) == [] and "No review matches these filters." in body
    # A page past the end shows the last page; nonsense shows the first.
    assert listed(queries(board, "/?page=99")[1]) == listed(second)
    assert listed(queries(board, "/?page=x")[1]) == listed(first)


def test_the_overdue_panel_counts_all_and_links_to_the_filtered_list(board, people, org):
    reviews = wards(org, people, 12)
    live = [r for r in reviews if r.state != "cancelled"]  # a 2021 draft is long overdue today
    _n, body = queries(board, "/")
    assert f'data-testid="overdue-count">({len(live)})' in body
    assert 'href="?overdue=1#reviews"' in body
    _n, body = queries(board, "/?overdue=1")
    assert sorted(listed(body)) == sorted(r.pk for r in live)


def test_a_secretary_with_one_review_gets_no_filters(client, people, walker):
    review = walker.open()
    client.force_login(people.secretary)
    _n, body = queries(client, "/")
    assert listed(body) == [review.pk]
    assert 'data-testid="review-filters"' not in body and 'data-testid="pagination"' not in body


# --- "Overdue" in SQL agrees with review_overdue ----------------------------------------------------------------

STATES = ["draft", "collecting_opinions", "awaiting_guidance", "finalizing", "submitted", "approved", "closed"]


def test_the_overdue_filter_agrees_with_review_overdue_on_every_stage(walker, people):
    for year, state in zip(range(2014, 2014 + len(STATES)), STATES, strict=True):
        review = walker.to_state(state)
        Review.objects.filter(pk=review.pk).update(year=year)  # free the 2021 slot; 2014-2017 have no regime
    unpinned = walker.to_state("collecting_opinions")
    Review.objects.filter(pk=unpinned.pk).update(regime_code="", regime_rules={})  # read by the table of its year
    everything = Review.objects.select_related("conference")
    days = set()
    for review in everything:
        for day in review_deadlines(review).values():
            if day is not None:
                days |= {day - datetime.timedelta(days=1), day, day + datetime.timedelta(days=1)}
    assert len(days) > 10
    for today in sorted(days):
        expected = {r.pk for r in everything if review_overdue(r, today) is not None}
        found = set(everything.filter(overdue_filter(everything, today)).values_list("pk", flat=True))
        assert found == expected, today
    assert {r.state for r in everything if r.state in DEADLINE_BY_STATE} >= {"draft", "approved", "finalizing"}
