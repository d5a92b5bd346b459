"""The task pages (web/views/tasks.py): the task list, a task's page and the procedure chart are the project's
own pages, in the site's layout and language, with a way back; viewflow's own pages are not mounted.

A task belongs to a review: whoever may not see the review gets 404 for the task, even with viewflow's model-wide
permissions. A task's page runs nothing: it says whether the person may take the step now (and every reason why
not, as the service would refuse it) and sends them to the step's form on the review page.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from viewflow.workflow.status import STATUS

from review_process.guards import has_draft_report
from review_process.models import Review
from workflows.models import ReviewProcess
from workflows.services import review_transition

pytestmark = pytest.mark.django_db

ENGLISH_LEFTOVERS = ["Brief", "0-0 of 0", "Execute", "Assign", "Inbox", "Queue", "Archive"]


def waiting_task(review: Review):
    process = ReviewProcess.objects.get(review=review)
    return process.task_set.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]).order_by("-pk").first()


def body(response) -> str:
    return response.content.decode()


def visible_words(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S))


@pytest.fixture
def draft(walker):
    """The reference case at `draft` with its draft report: the secretary may circulate it."""
    return walker.to_state("draft", prepared=True)


def test_the_task_list_shows_the_step_waiting_for_the_person_and_links_to_its_page(client, people, draft):
    task = waiting_task(draft)
    client.force_login(people.secretary)
    response = client.get("/tasks/")
    assert response.status_code == 200
    html = body(response)
    assert f'href="/tasks/{task.pk}/"' in html
    assert "Gửi dự thảo báo cáo" in html  # the task's title, in Vietnamese
    assert 'data-testid="breadcrumbs"' in html and 'href="/"' in html  # a way back
    text = visible_words(html)
    for leftover in ENGLISH_LEFTOVERS:
        assert not re.search(rf"\b{re.escape(leftover)}\b", text), leftover


def test_the_top_menu_and_the_home_page_lead_to_the_task_list(client, people, draft):
    client.force_login(people.secretary)
    html = body(client.get("/"))
    assert '<a href="/tasks/"' in html  # the top menu's "Task lists"
    assert 'href="/tasks/#queue"' in html
    assert f'href="/tasks/{waiting_task(draft).pk}/"' in html
    assert "/tasks/review/" not in html


def test_a_task_page_sends_the_person_to_the_step_on_the_review_page(client, people, draft):
    task = waiting_task(draft)
    client.force_login(people.secretary)
    response = client.get(f"/tasks/{task.pk}/")
    assert response.status_code == 200
    html = body(response)
    assert 'data-testid="task-go-circulate_draft"' in html
    assert f'href="/reviews/{draft.pk}/#next-step"' in html
    assert 'href="/tasks/"' in html  # back to the task list
    assert 'data-testid="breadcrumbs"' in html
    assert Review.objects.get(pk=draft.pk).state == "draft"  # the page itself runs nothing


def test_a_task_page_says_why_a_guard_refuses_the_step(client, walker, people):
    review = walker.open()  # no draft report yet: the guard has_draft_report refuses the circulation
    task = waiting_task(review)
    client.force_login(people.secretary)
    html = body(client.get(f"/tasks/{task.pk}/"))
    assert 'data-testid="task-blockers-circulate_draft"' in html
    assert 'data-testid="task-go-circulate_draft"' not in html
    with translation.override("vi"):
        assert str(has_draft_report.message) in html


def test_a_task_page_says_when_the_role_may_not_take_the_step(client, people, draft):
    task = waiting_task(draft)
    client.force_login(people.member)  # sees the review, may not circulate the draft
    html = body(client.get(f"/tasks/{task.pk}/"))
    assert 'data-testid="task-blockers-circulate_draft"' in html
    assert 'data-testid="task-go-circulate_draft"' not in html


def test_a_finished_task_says_nothing_is_left_to_do(client, people, draft):
    task = waiting_task(draft)
    reviewed = Review.objects.get(pk=draft.pk)
    review_transition(review=reviewed, name="circulate_draft", by=people.secretary)
    client.force_login(people.secretary)
    html = body(client.get(f"/tasks/{task.pk}/"))
    assert 'data-testid="task-closed"' in html
    assert 'data-testid="task-go-circulate_draft"' not in html


def test_the_procedure_page_shows_the_chart_inside_the_site_with_a_way_back(client, people, draft):
    client.force_login(people.board)
    response = client.get(f"/reviews/{draft.pk}/procedure/")
    assert response.status_code == 200
    html = body(response)
    assert 'class="site-nav"' in html and "<svg" in html
    assert 'data-testid="procedure-tasks"' in html
    assert f'href="/reviews/{draft.pk}/"' in html
    assert f'href="/tasks/{waiting_task(draft).pk}/"' in html


def test_the_review_page_links_to_the_procedure_page_not_to_viewflow(client, people, draft):
    client.force_login(people.secretary)
    html = body(client.get(f"/reviews/{draft.pk}/"))
    assert f'href="/reviews/{draft.pk}/procedure/"' in html
    assert "/tasks/review/" not in html


def test_an_outsider_gets_404_for_the_task_and_the_procedure_even_with_model_wide_permissions(client, people, draft):
    outsider = people.outsider
    outsider.user_permissions.add(Permission.objects.get(codename="view_reviewprocess"))
    outsider.user_permissions.add(Permission.objects.get(codename="circulate_draft_review"))
    task = waiting_task(draft)
    client.force_login(outsider)
    listing = body(client.get("/tasks/"))
    assert "Đức Giang" not in listing and f"/tasks/{task.pk}/" not in listing
    for url in (f"/tasks/{task.pk}/", f"/reviews/{draft.pk}/procedure/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Đức Giang" not in body(response)
        assert 'data-testid="error-404"' in body(response)  # the site's translated page
        assert 'class="site-nav"' in body(response)


def test_viewflow_pages_are_gone_and_unknown_tasks_get_the_sites_404(client, people, draft):
    process = ReviewProcess.objects.get(review=draft)
    task = waiting_task(draft)
    client.force_login(people.secretary)
    for url in (
        "/tasks/review/",
        f"/tasks/review/{process.pk}/",
        f"/tasks/review/{process.pk}/chart/",
        f"/tasks/review/{process.pk}/circulate_draft/{task.pk}/execute/",
        "/tasks/999999/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert 'data-testid="error-404"' in body(response), url


def test_anonymous_visitors_are_sent_to_the_login_page(client, draft):
    for url in ("/tasks/", f"/tasks/{waiting_task(draft).pk}/", f"/reviews/{draft.pk}/procedure/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_the_task_list_also_shows_what_the_person_is_asked_to_do(client, walker, people):
    """A committee member is asked for their opinion while opinions are collected (home.work_items)."""
    review = walker.to_state("collecting_opinions")
    client.force_login(people.member)
    html = body(client.get("/tasks/"))
    assert 'data-testid="asked-tasks"' in html
    assert f'href="/reviews/{review.pk}/#form-opinion"' in html
