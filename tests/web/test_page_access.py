"""Every page a role can reach answers 200 for it, and 404 (or the login page, for anonymous visitors) for
everyone who may not see it — the review's pages and its tasks' pages alike (viewflow's own pages are not
mounted)."""

from __future__ import annotations

import pytest

from review_process.models import Review
from tests.web.conftest import EVERYONE, HAS_OVERVIEW, READS_AUDIT, SEES_REVIEW
from workflows.models import ReviewProcess

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(walker):
    """The reference case at `submitted`: every record kind exists, so every page has something to show."""
    return walker.to_state("submitted")


def review_pages(review: Review) -> dict[str, list[str]]:
    """Our pages about one review, by who may see them."""
    base = f"/reviews/{review.pk}/"
    return {
        "view": [base, base + "report/compare/", base + "report/compare/?old=1&new=2"],
        "audit": [base + "audit-trail/"],
    }


def task_pages(review: Review) -> list[str]:
    """The review's procedure chart and the page of each of its people's tasks (web/views/tasks.py)."""
    process = ReviewProcess.objects.get(review=review)
    urls = [f"/reviews/{review.pk}/procedure/"]
    for task in process.task_set.order_by("pk"):
        if getattr(task.flow_task, "transitions", None):
            urls.append(f"/tasks/{task.pk}/")
    return urls


def viewflow_pages(review: Review) -> list[str]:
    """Where viewflow's own pages were mounted: nothing answers there any more."""
    process = ReviewProcess.objects.get(review=review)
    task = process.task_set.order_by("-pk").first()
    return [
        "/tasks/review/",
        "/tasks/review/queue/",
        f"/tasks/review/{process.pk}/",
        f"/tasks/review/{process.pk}/chart/",
        f"/tasks/review/{process.pk}/{task.flow_task.name}/{task.pk}/",
    ]


POST_ACTIONS = [
    "transitions/approve/",
    "transitions/cancel/",
    "report/",
    "opinions/",
    "opinions/spoken/",
    "conference/",
    "guidance/",
    "self-assessment/",
    "decision/",
    "notification/",
    "remedial-plan/",
    "participants/",
]


@pytest.mark.parametrize("persona", EVERYONE)
def test_review_pages_answer_by_visibility(client, people, review, persona):
    client.force_login(getattr(people, persona))
    pages = review_pages(review)
    for url in pages["view"]:
        expected = 200 if persona in SEES_REVIEW else 404
        assert client.get(url).status_code == expected, (persona, url)
    for url in pages["audit"]:
        expected = 200 if persona in READS_AUDIT else 404
        assert client.get(url).status_code == expected, (persona, url)


@pytest.mark.parametrize("persona", EVERYONE)
def test_task_pages_answer_by_visibility(client, people, review, persona):
    client.force_login(getattr(people, persona))
    assert client.get("/tasks/").status_code == 200
    for url in task_pages(review):
        response = client.get(url)
        expected = 200 if persona in SEES_REVIEW else 404
        assert response.status_code == expected, (persona, url)
    # viewflow's own pages are not mounted: nobody reaches them, whatever they may see.
    for url in viewflow_pages(review):
        assert client.get(url).status_code == 404, (persona, url)


@pytest.mark.parametrize("persona", EVERYONE)
def test_home_and_overview(client, people, review, persona):
    client.force_login(getattr(people, persona))
    home = client.get("/")
    assert home.status_code == 200
    assert ("Đức Giang" in home.content.decode()) == (persona in SEES_REVIEW)
    overview = client.get(f"/overview/{review.year}/")
    assert overview.status_code == (200 if persona in HAS_OVERVIEW else 404), persona
    assert client.get("/overview/").status_code == (302 if persona in HAS_OVERVIEW else 404)
    if persona in HAS_OVERVIEW:  # one level at a time: the city's inspection finds the ward below its district
        level = overview if persona != "auditor" else client.get(f"/overview/{review.year}/?org=LB")
        assert "Đức Giang" in level.content.decode()


def test_a_superior_overview_shows_only_the_organisations_below_them(client, people, review, org):
    """The district's board sees both Long Biên wards (one without a review); not the district itself."""
    client.force_login(people.board)
    body = client.get(f"/overview/{review.year}/").content.decode()
    assert "Đức Giang" in body and "Thượng Thanh" in body
    assert "Quận ủy Long Biên" not in body.split('data-testid="overview-table"')[1]


def test_anonymous_visitors_are_sent_to_the_login_page(client, review):
    urls = [
        "/",
        "/overview/",
        f"/overview/{review.year}/",
        *review_pages(review)["view"],
        *review_pages(review)["audit"],
        "/tasks/",
        *task_pages(review),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    for action in POST_ACTIONS:
        response = client.post(f"/reviews/{review.pk}/{action}", {})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), action
    assert client.get("/accounts/login/").status_code == 200


def test_anonymous_visitors_never_see_viewflow_pages(client, review):
    """Anonymous visitors where viewflow's pages were get the login page or nothing; never the review."""
    for url in viewflow_pages(review):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "Đức Giang" not in response.content.decode(), url


@pytest.mark.parametrize("action", POST_ACTIONS)
def test_an_outsider_posting_to_a_review_gets_404_and_changes_nothing(client, people, review, action):
    client.force_login(people.outsider)
    events = review.audit_events.count()
    response = client.post(
        f"/reviews/{review.pk}/{action}", {"t-approve-state": "submitted", "decision-state": "submitted"}
    )
    assert response.status_code == 404
    assert review.audit_events.count() == events
    assert Review.objects.get(pk=review.pk).state == "submitted"


@pytest.mark.parametrize("action", POST_ACTIONS)
def test_actions_refuse_get(client, people, review, action):
    client.force_login(people.secretary)
    assert client.get(f"/reviews/{review.pk}/{action}").status_code == 405


def test_a_review_that_does_not_exist_is_404(client, people, review):
    client.force_login(people.secretary)
    assert client.get("/reviews/999999/").status_code == 404
    assert client.post("/reviews/999999/guidance/", {}).status_code == 404
    assert client.post(f"/reviews/{review.pk}/transitions/no_such_step/", {}).status_code == 404


def test_the_login_page_is_ours_and_logs_in(client, people, review):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="username"' in page and 'autocomplete="current-password"' in page
    response = client.post("/accounts/login/", {"username": "pvhung", "password": "pw"})
    assert response.status_code == 302
    assert "Đức Giang" in client.get("/").content.decode()
