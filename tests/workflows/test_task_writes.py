"""The compiled task writes (``workflows.task_writes``) leave exactly the rows viewflow's own activations leave.

Each kind of step is run twice on the same review at the same frozen instant: first with viewflow's stock
activations (``ViewActivation`` for the review steps, ``IfActivation`` for the decision gateway) inside a savepoint
that is then rolled back, then with the project's.  Every column of every task row of the process, every link
between tasks and the process's rows must be equal (row ids are replaced by their order, as PostgreSQL's
sequences are not rolled back).  Kinds: a human task completion (``submit_assessment``), the decision gateway on
``return_for_revision`` and on ``approve``, the end of the flow on ``close``, and the process cancelled by
``cancel`` and by ``withdraw``.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.nodes.if_gate import IfActivation
from viewflow.workflow.nodes.view import ViewActivation

from permissions.models import User
from tests.conftest import WALK_SCHEDULE, Rollback
from workflows.flows import ReviewFlow, ReviewStep
from workflows.models import ReviewProcess
from workflows.services import review_transition
from workflows.task_writes import DecisionActivation, ReviewStepActivation

pytestmark = pytest.mark.django_db


@contextmanager
def stock_activations(monkeypatch):
    """viewflow's own activations on every node the project gives compiled writes."""
    with monkeypatch.context() as patch:
        for node in ReviewFlow.instance.nodes():
            if isinstance(node, ReviewStep):
                patch.setattr(node, "activation_class", ViewActivation)
        patch.setattr(ReviewFlow.instance.check_decision, "activation_class", IfActivation)
        yield


def rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def snapshot(review_id: int) -> dict:
    """Every row viewflow keeps for the review's process, as stored, with row ids replaced by their order."""
    process_id = ReviewProcess.objects.get(review_id=review_id).pk
    tasks = rows("SELECT * FROM viewflow_task WHERE process_id = %s ORDER BY created, id", [process_id])
    order = {task.pop("id"): index for index, task in enumerate(tasks)}
    links = rows(
        "SELECT from_task_id, to_task_id FROM viewflow_task_previous WHERE from_task_id IN"
        " (SELECT id FROM viewflow_task WHERE process_id = %s)",
        [process_id],
    )
    return {
        "tasks": tasks,
        "links": sorted((order[link["from_task_id"]], order[link["to_task_id"]]) for link in links),
        "process": rows("SELECT * FROM viewflow_process WHERE id = %s", [process_id]),
        "review_process": rows("SELECT * FROM workflows_reviewprocess WHERE process_ptr_id = %s", [process_id]),
    }


def step(review_id: int, name: str, by, **kwargs) -> list[str]:
    """Run the step as a fresh instance of ``by`` (as a request has it); the SQL it issued."""
    person = User.objects.get(pk=by.pk)
    with CaptureQueriesContext(connection) as captured:
        review_transition(review=review_id, name=name, by=person, **kwargs)
    return [query["sql"] for query in captured.captured_queries]


def both_ways(monkeypatch, review, at: datetime.datetime, name: str, by, **kwargs) -> tuple[dict, dict, dict]:
    """The rows after the step taken by viewflow's activations (rolled back) and by the project's (kept), at the
    same instant; and the SQL of each (``stock``, ``compiled``)."""
    with time_machine.travel(at, tick=False):
        try:
            with transaction.atomic(), stock_activations(monkeypatch):
                stock_sql = step(review.pk, name, by, **kwargs)
                stock = snapshot(review.pk)
                raise Rollback()
        except Rollback:
            pass
        statements = step(review.pk, name, by, **kwargs)
        compiled = snapshot(review.pk)
    return stock, compiled, {"stock": stock_sql, "compiled": statements}


def later(state: str) -> datetime.datetime:
    return WALK_SCHEDULE[state] + datetime.timedelta(hours=2)


def test_the_nodes_use_the_compiled_activations():
    steps = [node for node in ReviewFlow.instance.nodes() if isinstance(node, ReviewStep)]
    assert steps and all(node.activation_class is ReviewStepActivation for node in steps)
    assert ReviewFlow.instance.check_decision.activation_class is DecisionActivation


def test_completing_a_human_task_writes_what_viewflow_writes(monkeypatch, walker, people):
    review = walker.to_state("finalizing", prepared=True)
    stock, compiled, statements = both_ways(
        monkeypatch, review, later("finalizing"), "submit_assessment", people.secretary
    )
    assert compiled == stock
    done = [task for task in compiled["tasks"] if task["flow_task"].endswith(".submit_assessment")][-1]
    assert done["status"] == "DONE" and done["owner_id"] == people.secretary.pk
    # The compiled path ran: the task's UPDATE names only what changed, the link is a plain INSERT.
    updates = [sql for sql in statements["compiled"] if sql.startswith('UPDATE "viewflow_task"')]
    assert len(updates) == 1 and '"flow_task"' not in updates[0] and '"owner_id"' in updates[0]


@pytest.mark.parametrize("name", ["return_for_revision", "approve"])
def test_the_decision_gateway_writes_what_viewflow_writes(monkeypatch, walker, people, name):
    review = walker.to_state("submitted", prepared=True)
    kwargs = {"reason": "Bổ sung số liệu"} if name == "return_for_revision" else {}
    stock, compiled, statements = both_ways(monkeypatch, review, later("submitted"), name, people.standing, **kwargs)
    assert compiled == stock
    waiting = compiled["tasks"][-1]
    expected = ".submit_assessment" if name == "return_for_revision" else ".close"
    assert waiting["status"] == "NEW" and waiting["flow_task"].endswith(expected)
    # The gateway's condition (a read of the review in memory) runs without viewflow's savepoint.
    savepoints = {way: [sql for sql in sqls if sql.startswith("SAVEPOINT")] for way, sqls in statements.items()}
    assert len(savepoints["compiled"]) == len(savepoints["stock"]) - 1


def test_closing_ends_the_flow_as_viewflow_does(monkeypatch, walker, people):
    review = walker.to_state("approved", prepared=True)
    stock, compiled, _statements = both_ways(monkeypatch, review, later("approved"), "close", people.board)
    assert compiled == stock
    assert compiled["process"][0]["status"] == "DONE" and compiled["process"][0]["finished"] is not None
    assert compiled["tasks"][-1]["flow_task"].endswith(".end") and compiled["tasks"][-1]["status"] == "DONE"


@pytest.mark.parametrize(
    ("state", "name", "actor"), [("collecting_opinions", "cancel", "standing"), ("draft", "withdraw", "secretary")]
)
def test_cancelling_and_withdrawing_write_what_viewflow_writes(monkeypatch, walker, people, state, name, actor):
    review = walker.to_state(state)
    stock, compiled, _statements = both_ways(
        monkeypatch, review, later(state), name, getattr(people, actor), reason="Không tiến hành"
    )
    assert compiled == stock
    assert compiled["process"][0]["status"] == "CANCELED"
    assert [task["status"] for task in compiled["tasks"]][-1] == "CANCELED"
