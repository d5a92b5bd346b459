"""What one transition costs in statements (issue 14: a transition near the floor), so a regression fails.

``workflows.services.review_transition`` reads the review's state once before the lock, then makes one locked
read of the process, the review and its organisation, loads the person's object permissions once, evaluates
each guard once, completes the waiting task with one write, and writes one outbox message for the notification
(delivered after the commit, outside the transaction); the statements it issues itself are compiled once
(``permissions.statements``) and the audit event fingerprints the review from the saved instance. The bounds below are the counts measured on SQLite when
this was written; ``bench/transition.py`` measures the time against the floor.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.status import STATUS

from permissions.models import User
from workflows.models import ReviewProcess
from workflows.services import node_for, review_transition

pytestmark = pytest.mark.django_db

#: Measured on SQLite (the test database) with fresh user objects, as in a request.  submit_assessment 17: the
#: stage before the lock; SAVEPOINT; the one locked read (task, process, review, organisation); the person's
#: positions (read once: grants' freshness, acting role); the object permissions; three guard reads (unanswered
#: opinions; a final report after the live guidance, one statement; the self-assessment) and one of the dates;
#: the review's UPDATE; the audit event (chain tip, INSERT: the review's fingerprint is taken from the saved
#: instance); the task's UPDATE; the next task's INSERT and its link; the outbox INSERT; RELEASE.
#: return_for_revision 17: no guard and no date read, but the direct superior for the acting role and the
#: decision gateway's task (INSERT, link, UPDATE; its condition runs without viewflow's savepoint:
#: workflows.task_writes).  Before this work: 48 and 51; before the compiled statements (permissions.statements)
#: and the in-memory fingerprint: 19 and 20; before the compiled task writes: 17 and 19.
MAX_STATEMENTS = {"submit_assessment": 17, "return_for_revision": 17}


def fresh(user):
    """The person as a request sees them: a new instance, nothing cached on it."""
    return User.objects.get(pk=user.pk)


def run(review, name, by, **kwargs) -> list[str]:
    person = fresh(by)
    with CaptureQueriesContext(connection) as captured:
        review_transition(review=review.pk, name=name, by=person, **kwargs)
    return [query["sql"] for query in captured.captured_queries]


def reading(statements: list[str], table: str) -> list[str]:
    return [sql for sql in statements if sql.startswith("SELECT") and f'"{table}"' in sql]


@pytest.fixture
def finalizing(walker):
    return walker.to_state("finalizing", prepared=True)


def test_a_submission_stays_within_its_statements(finalizing, people):
    statements = run(finalizing, "submit_assessment", people.secretary)
    assert len(statements) <= MAX_STATEMENTS["submit_assessment"], "\n".join(statements)


def test_a_return_stays_within_its_statements(finalizing, people):
    review_transition(review=finalizing.pk, name="submit_assessment", by=people.secretary)
    statements = run(finalizing, "return_for_revision", people.standing, reason="Bổ sung số liệu")
    assert len(statements) <= MAX_STATEMENTS["return_for_revision"], "\n".join(statements)


@pytest.mark.parametrize("name", ["submit_assessment", "return_for_revision"])
def test_nothing_is_read_twice_and_permissions_are_loaded_once(finalizing, people, name):
    if name == "return_for_revision":
        review_transition(review=finalizing.pk, name="submit_assessment", by=people.secretary)
        statements = run(finalizing, name, people.standing, reason="Bổ sung số liệu")
    else:
        statements = run(finalizing, name, people.secretary)

    selects = [re.sub(r"\s+", " ", sql) for sql in statements if sql.startswith("SELECT")]
    assert len(selects) == len(set(selects)), "a read repeated:\n" + "\n".join(selects)
    assert len(reading(statements, "guardian_userobjectpermission")) == 1
    assert len(reading(statements, "viewflow_process")) == 1  # the locked read, with the review
    assert len(reading(statements, "viewflow_task")) == 1  # the waiting task
    # The notification is one outbox row written in the transaction; nobody is looked up for it here.
    assert len([sql for sql in statements if sql.startswith('INSERT INTO "workflows_outboxmessage"')]) == 1
    assert not [sql for sql in statements if 'FROM "permissions_user"' in sql]
    # The review is read once before the lock (the stage seen) and once locked (with the task): its audit
    # fingerprint comes from the saved instance, not from a third read.
    assert len([sql for sql in selects if 'FROM "review_process_review"' in sql]) == 1


def test_the_task_is_completed_in_one_write_and_stays_truthful(finalizing, people):
    process = ReviewProcess.objects.get(review=finalizing)
    statements = run(finalizing, "submit_assessment", people.secretary)

    task_writes = [sql for sql in statements if sql.startswith('UPDATE "viewflow_task"')]
    assert len(task_writes) == 1
    done = process.task_set.get(flow_task=node_for("submit_assessment", process.flow_class), status=STATUS.DONE)
    assert done.owner_id == people.secretary.pk
    assert done.started is not None and done.finished is not None and done.started <= done.finished
    waiting = process.task_set.get(status=STATUS.NEW)
    assert waiting.flow_task == node_for("approve", process.flow_class)
    assert list(waiting.previous.all()) == [done]
