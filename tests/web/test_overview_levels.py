"""The superior's overview at scale (issue 14): one level of the tree at a time (the city's districts with their
figures counted by the database, then a district's wards, with a breadcrumb back), paginated, and the same
queries for 3 wards and for 30."""

from __future__ import annotations

import re

import pytest

from review_process.selectors.pages import PAGE_SIZE
from tests.factories import OrganizationFactory
from tests.web.test_home_lists import queries, wards

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(client, people, settings):
    def login(persona: str):
        client.force_login(getattr(people, persona))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def table_rows(body: str) -> list[str]:
    table = body.split('data-testid="overview-table"')[1].split("</table>")[0]
    return re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]  # without the header


def test_the_city_sees_its_districts_with_their_figures_then_a_districts_wards(as_, people, org):
    wards(org, people, 6)  # W000..W005 under Long Biên: four drafts, two cancelled
    OrganizationFactory(code="HM", name="Quận ủy Hoàng Mai", kind="district", superior=org.hn)
    auditor = as_("auditor")
    _n, body = queries(auditor, "/overview/2021/")
    rows = table_rows(body)
    assert len(rows) == 2 and "Quận ủy Hoàng Mai" in rows[0] and "Quận ủy Long Biên" in rows[1]  # by code
    long_bien = rows[1]
    assert "8 organisations below Quận ủy Long Biên" in long_bien  # Đức Giang, Thượng Thanh and six more
    assert 'href="/overview/2021/?org=LB"' in long_bien
    assert "Not opened: 2" in long_bien and "Draft: 4" in long_bien and "Cancelled: 2" in long_bien
    assert "overdue</span> 4" in long_bien  # a 2021 draft is long overdue today
    assert 'data-testid="level-down"' not in rows[0]  # Hoàng Mai has nothing below it
    # The chart counts the whole level: 6 reviews; 4 organisations without one (both districts, Đức Giang,
    # Thượng Thanh).
    assert "Not opened: 4" in body and "Draft: 4" in body

    _n, body = queries(auditor, "/overview/2021/?org=LB")
    rows = table_rows(body)
    assert len(rows) == 8 and "Phường số 000" in body and "Đảng ủy phường Đức Giang" in body
    assert not any('data-testid="level-down"' in row for row in rows)  # no ward has anything below it: no link
    crumbs = body.split('data-testid="breadcrumbs"')[1].split("</nav>")[0]
    assert 'href="/overview/2021/"' in crumbs and 'aria-current="page">Quận ủy Long Biên' in crumbs


def test_a_level_outside_the_persons_scope_is_404(as_, people, org):
    wards(org, people, 1)
    board = as_("board")
    assert board.get("/overview/2021/?org=LB").status_code == 200  # their own district
    assert board.get("/overview/2021/?org=HN").status_code == 404  # above them
    assert board.get("/overview/2021/?org=NO-SUCH").status_code == 404
    OrganizationFactory(code="HM", name="Quận ủy Hoàng Mai", kind="district", superior=org.hn)
    OrganizationFactory(code="HM-1", name="Phường Hoàng Mai 1", kind="ward", superior=org.hn)
    assert board.get("/overview/2021/?org=HM").status_code == 404  # another district


def test_a_level_is_paginated(as_, people, org):
    wards(org, people, 30)
    _n, first = queries(as_("board"), "/overview/2021/")
    _n, second = queries(as_("board"), "/overview/2021/?page=2")
    assert len(table_rows(first)) == PAGE_SIZE and len(table_rows(second)) == 32 - PAGE_SIZE
    assert 'href="?page=2#organisations"' in first and 'rel="prev"' in second
    assert "Phường số 000" in first and "Phường số 029" in second


@pytest.mark.parametrize(("persona", "url"), [("auditor", "/overview/2021/"), ("board", "/overview/2021/")])
def test_the_overview_takes_the_same_queries_for_3_or_30_wards(as_, people, org, persona, url):
    wards(org, people, 3)
    few, _body = queries(as_(persona), url)
    wards(org, people, 27, start=3)
    many, _body = queries(as_(persona), url)
    assert many == few
    assert queries(as_("auditor"), "/overview/2021/?org=LB")[0] <= few + 2  # the level's own organisation


def test_an_organisation_with_nothing_below_has_no_link_down(as_, people, walker, org):
    walker.open()  # Đức Giang's review
    OrganizationFactory(code="LB-DG-1", name="Chi bộ 1", kind="cell", superior=org.dg)  # a cell, no review yet
    _n, body = queries(as_("board"), "/overview/2021/")
    duc_giang = next(row for row in table_rows(body) if "Đảng ủy phường Đức Giang" in row)
    assert 'data-testid="level-down"' not in duc_giang and "0 organisations" not in duc_giang
