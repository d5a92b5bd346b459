"""The task list at scale (issue 14): the inbox and the queue read in SQL (``web.views.inbox``) hold the same
tasks as viewflow's own lists, one page at a time, with the same queries for 3 waiting steps and for 30."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm
from viewflow.workflow.models import Task

from review_process.selectors.pages import PAGE_SIZE
from tests.web.test_home_lists import queries, wards
from web.views import inbox
from workflows.flows import ReviewFlow
from workflows.views import tasks_visible_to

pytestmark = pytest.mark.django_db

PERSONAS = ["secretary", "deputy", "member", "board", "inspection", "standing", "auditor", "outsider", "guest"]


def task_links(body: str, section: str) -> list[int]:
    part = body.split(f'data-testid="{section}-tasks"')[1].split("</table>")[0] if section + "-tasks" in body else ""
    return [int(pk) for pk in re.findall(r'<tr data-task="(\d+)"', part)]


def test_the_queue_in_sql_is_viewflows_queue(people, org, walker):
    wards(org, people, 4)
    walker.to_state("awaiting_guidance")  # a step waiting for the district's board and standing committee
    for persona in PERSONAS:
        user = getattr(people, persona)
        theirs = set(tasks_visible_to(Task.objects.queue([ReviewFlow], user), user).values_list("pk", flat=True))
        ours = set(inbox.queue(user).values_list("pk", flat=True))
        assert ours == theirs, persona
    assert set(inbox.queue(people.secretary)) and set(inbox.queue(people.board))


def test_a_task_asking_for_another_permission_or_held_by_a_group_is_viewflows_queue_too(people, org, walker):
    """The queue looks only at the steps' kinds of permission for a review step; any other task (here: one asking
    for the review's view permission) and a permission held through a group give viewflow's answer as well."""
    wards(org, people, 2)
    walker.to_state("awaiting_guidance")
    other = Task.objects.filter(status="NEW", flow_task_type="HUMAN").order_by("pk").first()
    other.owner_permission = "review_process.view_review"
    other.save(update_fields=["owner_permission"])
    group = Group.objects.create(name="guidance")
    people.outsider.groups.add(group)
    step = Task.objects.filter(status="NEW", owner_permission="review_process.give_guidance_review").first()
    assign_perm("review_process.give_guidance_review", group, step.process.reviewprocess.review)
    assign_perm("review_process.view_review", group, step.process.reviewprocess.review)
    for persona in PERSONAS:
        user = getattr(people, persona)
        theirs = set(tasks_visible_to(Task.objects.queue([ReviewFlow], user), user).values_list("pk", flat=True))
        ours = set(inbox.queue(user).values_list("pk", flat=True))
        assert ours == theirs, persona
    assert other.pk in set(inbox.queue(people.secretary).values_list("pk", flat=True))
    assert step.pk in set(inbox.queue(people.outsider).values_list("pk", flat=True))


def test_the_task_list_takes_the_same_queries_for_3_or_30_waiting_steps(client, people, org):
    client.force_login(people.secretary)  # the secretary of every ward: each draft's circulation waits for them
    wards(org, people, 3)
    few, body = queries(client, "/tasks/")
    assert len(task_links(body, "queue")) == 2  # the third review is cancelled
    wards(org, people, 57, start=3)
    many, body = queries(client, "/tasks/")
    assert many == few
    waiting = list(inbox.queue(people.secretary).order_by("created", "pk").values_list("pk", flat=True))
    assert len(waiting) == 40
    assert task_links(body, "queue") == waiting[:PAGE_SIZE]
    assert 'href="?queue=2#queue"' in body
    _n, second = queries(client, "/tasks/?queue=2")
    assert task_links(second, "queue") == waiting[PAGE_SIZE:]
    # The home page names the first few and counts them all.
    _n, home = queries(client, "/")
    assert 'data-testid="queue-count">40<' in home and 'data-testid="tasks-more"' in home
    assert home.count("open in the task list") == inbox.HOME_TASKS or "mở trong danh sách" in home
