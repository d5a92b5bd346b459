"""No page issues a query per row: the home list, the review page and the overview take the same number of
queries for 2 rows as for 10 (and stay under a fixed budget)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from review_process.services import records
from tests.factories import OrganizationFactory
from workflows.services import review_open, review_transition

pytestmark = pytest.mark.django_db

BUDGET = 45  # the most any of these pages may take, whatever the number of rows


def queries_for(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types, permissions) once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def open_reviews(people, years):
    reviews = []
    for i, year in enumerate(years):
        review = review_open(organization_code="LB-DG", year=year, by=people.secretary)
        if i % 2:  # half of them one stage further, so the rows differ
            records.report_version_add(review=review, by=people.secretary, text=f"Dự thảo {year}")
            review = review_transition(review=review, name="circulate_draft", by=people.secretary)
        reviews.append(review)
    return reviews


@pytest.mark.parametrize("persona", ["secretary", "board"])
def test_home_takes_the_same_queries_for_2_or_9_reviews(client, people, persona, django_assert_num_queries):
    client.force_login(getattr(people, persona))
    open_reviews(people, [2018, 2019])
    few = queries_for(client, "/")
    open_reviews(people, range(2020, 2027))  # a review's year is not after the current one (year_out_of_range)
    assert few <= BUDGET
    # session, user, tasks (inbox, queue, permissions), reviews, permissions, next actors, open-review choices …
    with django_assert_num_queries(few):
        body = client.get("/").content.decode()
    assert body.count("<tr data-review=") == 9


def walk_with_opinions(walker, people, count: int):
    """A review at `finalizing` with ``count`` opinions, half of them answered."""
    review = walker.to_state("collecting_opinions")
    for i in range(count - 2):  # the walker records two more of its own
        author = people.member if i % 2 else people.member2
        records.opinion_add(
            review=review, by=author, text=f"Góp ý số {i}", channel="written", occurred_on=datetime.date(2021, 11, 25)
        )
    review = walker.step(review)  # close opinions (records the conference and a spoken opinion)
    review = walker.step(review)  # guidance, confirmed
    for opinion in review.opinions.all()[: count // 2]:
        records.opinion_respond(review=review, by=people.secretary, opinion_id=opinion.pk, decision="accepted")
    return review


def test_the_review_page_takes_the_same_queries_for_2_or_10_opinions(
    client, people, walker, org, django_assert_num_queries
):
    few = walk_with_opinions(walker, people, 2)
    client.force_login(people.secretary)  # the secretary sees the most: a response form per opinion
    n = queries_for(client, f"/reviews/{few.pk}/")
    assert n <= BUDGET

    # The same review with ten opinions: start again on a fresh organisation line with the same people.
    from review_process.models import Review

    Review.objects.filter(pk=few.pk).update(year=2019)  # free the (organisation, year) slot for the walker
    many = walk_with_opinions(walker, people, 10)
    assert many.opinions.count() == 10
    with django_assert_num_queries(n):
        body = client.get(f"/reviews/{many.pk}/").content.decode()
    assert body.count('data-action="respond_opinion"') == 10


def test_the_audit_trail_takes_the_same_queries_for_a_short_or_long_trail(
    client, people, walker, org, django_assert_num_queries
):
    short = walker.to_state("collecting_opinions")
    records.opinion_add(review=short, by=people.member, text="Góp ý", channel="written")
    client.force_login(people.auditor)
    n = queries_for(client, f"/reviews/{short.pk}/audit-trail/")
    for i in range(8):
        records.opinion_add(review=short, by=people.member, text=f"Góp ý {i}", channel="written")
    with django_assert_num_queries(n):
        client.get(f"/reviews/{short.pk}/audit-trail/")


def wards_with_reviews(org, people, count: int, start: int):
    for i in range(start, start + count):
        ward = OrganizationFactory(code=f"LB-W{i}", name=f"Đảng ủy phường số {i}", kind="ward", superior=org.lb)
        review = review_open(organization_code=ward.code, year=2021, by=people.board)
        if i % 2:  # some rows at another stage
            review_transition(review=review, name="cancel", by=people.standing, reason="Thử nghiệm")


def test_the_overview_takes_the_same_queries_for_2_or_10_organisations(client, people, org, django_assert_num_queries):
    client.force_login(people.board)
    review_open(organization_code="LB-DG", year=2021, by=people.board)  # Thượng Thanh has none: "not opened"
    n = queries_for(client, "/overview/2021/")
    assert n <= BUDGET
    wards_with_reviews(org, people, 8, start=1)
    with django_assert_num_queries(n):
        body = client.get("/overview/2021/").content.decode()
    assert body.count("<tr>") == 1 + 10  # header row + Đức Giang, Thượng Thanh and eight more wards
