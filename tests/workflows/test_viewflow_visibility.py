"""The flow's tasks show a person only the reviews they may see, and viewflow's own pages are not mounted.

viewflow's defaults are not row-filtered: an outsider holding the model-level view permission on the process
model would see every ward on its pages. Those pages are gone (the project's task pages replace them:
web/views/tasks.py); here the outsider holds exactly that permission and still sees nothing anywhere.
"""

import pytest
from django.contrib.auth.models import Permission
from viewflow.workflow.status import STATUS

from review_process.models import Review
from tests.factories import UserFactory
from workflows.flows import ReviewFlow
from workflows.models import ReviewProcess
from workflows.services import review_transition

pytestmark = pytest.mark.django_db

VIEWFLOW_LISTS = [
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


def viewflow_task_urls(process):
    urls = [f"/tasks/review/{process.pk}/", f"/tasks/review/{process.pk}/chart/"]
    for task in process.task_set.all():
        base = f"/tasks/review/{process.pk}/{task.flow_task.name}/{task.pk}/"
        urls += [base, base + "detail/", base + "assign/", base + "execute/"]
    return urls


def test_outsider_with_the_model_permission_sees_no_review_anywhere(client, walker, outsider):
    review = walker.to_state("collecting_opinions")
    process = ReviewProcess.objects.get(review=review)
    client.force_login(outsider)
    listing = client.get("/tasks/").content.decode()
    assert "Đức Giang" not in listing
    for task in process.task_set.all():
        assert f"/tasks/{task.pk}/" not in listing
        assert client.get(f"/tasks/{task.pk}/").status_code == 404
    for url in VIEWFLOW_LISTS + viewflow_task_urls(process):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    assert Review.objects.get(pk=review.pk).state == "collecting_opinions"


def test_the_secretary_sees_the_review_and_its_next_task(client, walker, people):
    review = walker.to_state("collecting_opinions")
    waiting = ReviewProcess.objects.get(review=review).task_set.get(status=STATUS.NEW)
    client.force_login(people.secretary)
    listing = client.get("/tasks/").content.decode()
    assert f"/tasks/{waiting.pk}/" in listing and "Đức Giang" in listing
    assert client.get(f"/tasks/{waiting.pk}/").status_code == 200


def test_a_step_taken_through_the_service_completes_its_task(walker, people):
    review = walker.to_state("draft", prepared=True)
    task = ReviewProcess.objects.get(review=review).task_set.get(status=STATUS.NEW)
    review_transition(review=review, name="circulate_draft", by=people.secretary)
    task.refresh_from_db()
    assert (task.status, task.owner_id) == (STATUS.DONE, people.secretary.pk)


def test_a_superuser_flag_gives_no_power_through_viewflows_manage_actions(walker):
    review = walker.open()
    root = UserFactory(username="root-vf", is_superuser=True, is_staff=True)
    process = ReviewProcess.objects.get(review=review)
    assert not ReviewFlow.instance.has_manage_permission(root)
    assert not ReviewFlow.instance.has_manage_permission(root, process)
