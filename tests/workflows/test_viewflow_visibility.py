"""viewflow's own pages show a person only the reviews they may see.

viewflow's defaults are not row-filtered: an outsider holding the model-level view permission on the
process model would see every ward.  Here the outsider holds exactly that and still sees nothing.
"""

import pytest
from django.contrib.auth.models import Permission
from viewflow.workflow.status import STATUS

from review_process.models import Review
from workflows.models import ReviewProcess

pytestmark = pytest.mark.django_db

LISTS = [
    "/tasks/review/",
    "/tasks/review/flows/",
    "/tasks/review/tasks/",
    "/tasks/review/inbox/",
    "/tasks/review/queue/",
    "/tasks/review/archive/",
]


@pytest.fixture
def outsider(people):
    user = people.outsider
    user.user_permissions.add(Permission.objects.get(codename="view_reviewprocess"))
    user.user_permissions.add(Permission.objects.get(codename="circulate_draft_review"))  # a model-wide grant
    return user


def task_urls(process):
    urls = [f"/tasks/review/{process.pk}/", f"/tasks/review/{process.pk}/chart/"]
    for task in process.task_set.all():
        base = f"/tasks/review/{process.pk}/{task.flow_task.name}/{task.pk}/"
        urls += [base, base + "detail/"]
        if task.flow_task.name != "start":
            urls += [base + "assign/", base + "execute/"]
    return urls


def test_outsider_with_the_model_permission_sees_no_review_anywhere(client, walker, outsider):
    review = walker.to_state("collecting_opinions")
    process = ReviewProcess.objects.get(review=review)
    client.force_login(outsider)
    for url in LISTS:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Đức Giang" not in body, url
        assert f"/tasks/review/{process.pk}/" not in body, url
    for url in task_urls(process):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    assert Review.objects.get(pk=review.pk).state == "collecting_opinions"


def test_the_secretary_sees_the_review_and_its_next_task(client, walker, people):
    review = walker.to_state("collecting_opinions")
    process = ReviewProcess.objects.get(review=review)
    client.force_login(people.secretary)
    queue = client.get("/tasks/review/queue/").content.decode()
    waiting = process.task_set.get(status=STATUS.NEW)
    assert f"/tasks/review/{process.pk}/close_opinions/{waiting.pk}/" in queue
    assert client.get(f"/tasks/review/{process.pk}/").status_code == 200
    assert "Đức Giang" in client.get("/tasks/review/flows/").content.decode()


def test_a_task_of_another_process_is_not_reachable_through_a_visible_process(client, walker, people, org):
    from tests.factories import PositionFactory
    from workflows.services import review_open

    mine = walker.to_state("draft")
    PositionFactory(person=people.board, organization=org.lb, role="organization_board")
    theirs = review_open(organization_code="LB-TT", year=2021, by=people.outsider)
    their_task = ReviewProcess.objects.get(review=theirs).task_set.get(status=STATUS.NEW)
    my_process = ReviewProcess.objects.get(review=mine)
    client.force_login(people.secretary)
    url = f"/tasks/review/{my_process.pk}/circulate_draft/{their_task.pk}/assign/"
    assert client.post(url).status_code == 404


def test_the_secretary_runs_a_step_on_viewflow_task_pages(client, walker, people):
    review = walker.to_state("draft", prepared=True)
    process = ReviewProcess.objects.get(review=review)
    task = process.task_set.get(status=STATUS.NEW)
    base = f"/tasks/review/{process.pk}/circulate_draft/{task.pk}/"
    client.force_login(people.member)
    assert client.post(base + "assign/").status_code == 403  # visible, but not their step
    client.force_login(people.secretary)
    assert client.post(base + "assign/").status_code == 302
    assert client.get(base + "execute/").status_code == 200
    response = client.post(base + "execute/", {"transition": "circulate_draft", "reason": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Review.objects.get(pk=review.pk).state == "collecting_opinions"
    task.refresh_from_db()
    assert (task.status, task.owner_id) == (STATUS.DONE, people.secretary.pk)


def test_anonymous_visitors_are_sent_to_the_login_page(client, walker):
    review = walker.open()
    process = ReviewProcess.objects.get(review=review)
    for url in ["/tasks/review/", f"/tasks/review/{process.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_a_superuser_flag_gives_no_power_through_viewflows_manage_actions(walker):
    from tests.factories import UserFactory
    from workflows.flows import ReviewFlow

    review = walker.open()
    root = UserFactory(username="root-vf", is_superuser=True, is_staff=True)
    process = review.reviewprocess if hasattr(review, "reviewprocess") else None
    assert not ReviewFlow.instance.has_manage_permission(root)
    assert not ReviewFlow.instance.has_manage_permission(root, process)
