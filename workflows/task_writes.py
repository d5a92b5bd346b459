"""viewflow's task bookkeeping on the transition's path, written by compiled statements: the same rows, less Python.

A step completes the waiting task and creates the next (and, after a decision, the decision gateway's task and the
one after it).  viewflow does it with ``Model.save()`` of every column and ``task.previous.add()``: Django builds
and compiles each statement anew, most of what viewflow's bookkeeping costs (issue 14).  The activations here are
viewflow's own (``ViewActivation``, ``IfActivation``: the same transitions, conditions, signals and order), and
only their writes differ:

* a new task is one ``CompiledInsert`` of the row ``task.save()`` would insert (``flow_task_type`` filled as
  ``AbstractTask.save`` fills it), and its link to the previous task one ``CompiledInsert`` of the link row;
* completing a task is one ``CompiledUpdate`` of the fields its life on this path changed: ``status``, ``owner``,
  ``started``, ``finished`` (``workflows.services._complete`` gives it to the person and starts it without a
  write; viewflow's ``assign`` sets no ``assigned``); a gateway's completion and a cancellation write ``status``
  and ``finished``;
* the decision gateway evaluates its condition (a read of the review in memory) without a savepoint while
  viewflow propagates exceptions (its default, and the only mode the project runs in): the savepoint only mattered
  when a failed condition is recorded on the task instead of raised.

Invariants: the rows are those viewflow writes (``tests/workflows/test_task_writes.py`` runs each kind of step
both ways and compares every task, link and process row); nothing else on the task may change between its locked
read and its completion (the project's node view changes nothing: it redirects); no ``pre_save``/``post_save``/
``m2m_changed`` signals are sent (nothing receives them for tasks); a statement that cannot be compiled falls back
to viewflow's own save.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, transaction
from django.utils.timezone import now
from viewflow.workflow.context import context
from viewflow.workflow.nodes.if_gate import IfActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.signals import task_finished
from viewflow.workflow.status import STATUS

from permissions.statements import CompiledInsert, CompiledUpdate

#: What a human task's life on the transition's path changes: given to the person, started, completed.
LIFECYCLE_FIELDS = ("status", "owner", "started", "finished")
#: What completing a gateway, or cancelling a task, changes.
FINISH_FIELDS = ("status", "finished")

_STATEMENTS: dict[type, tuple[CompiledInsert, CompiledInsert, CompiledUpdate]] = {}


def _statements(model) -> tuple[CompiledInsert, CompiledInsert, CompiledUpdate]:
    """The task INSERT, the link INSERT and the task UPDATE of a task model, compiled on first use."""
    statements = _STATEMENTS.get(model)
    if statements is None:
        statements = _STATEMENTS[model] = (
            CompiledInsert(model),
            CompiledInsert(model.previous.through),
            CompiledUpdate(model),
        )
    return statements


def insert_task(task, previous) -> None:
    """``task.save(); task.previous.add(previous)`` for a new task: its row, then its link to ``previous``."""
    if task.flow_task and not task.flow_task_type:  # as AbstractTask.save fills it
        task.flow_task_type = task.flow_task.task_type
    insert, link, _update = _statements(type(task))
    using = task._state.db or DEFAULT_DB_ALIAS
    insert.save(task, using=using)
    through = link.model
    link.save(through(from_task_id=task.pk, to_task_id=previous.pk), using=using)


def update_task(task, fields: tuple[str, ...]) -> None:
    """``task.save()`` where only ``fields`` changed since the task was read: one UPDATE of those fields."""
    using = task._state.db or DEFAULT_DB_ALIAS
    updated = _statements(type(task))[2].run(task, list(fields), using=using)
    if updated is None:
        task.save(update_fields=list(fields), using=using)
    elif updated != 1:
        raise DatabaseError(f"task {task.pk} was not found to update")


def _new_task(flow_task, prev_activation, token, data, seed):
    task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
    task.data = data if data is not None else {}
    task.seed = seed
    return task


class ReviewStepActivation(ViewActivation):
    """A review step's activation: viewflow's ``ViewActivation`` with compiled writes (module docstring)."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        """``ViewActivation.create``: the object permission and owner worked out by the node, one INSERT, one
        link."""
        task = _new_task(flow_task, prev_activation, token, data, seed)
        activation = cls(task)
        owner_permission = flow_task.calc_owner_permission(activation)
        if owner_permission:
            task.owner_permission = owner_permission
            task.owner_permission_obj = flow_task.calc_owner_permission_obj(activation)
        owner = flow_task.calc_owner(activation)
        if owner:
            task.owner = owner
            task.status = STATUS.ASSIGNED
        insert_task(task, prev_activation.task)
        if flow_task._on_create is not None:
            flow_task._on_create(activation)
        return activation

    @ViewActivation.status.super()
    def complete(self):
        """``Activation.complete``, writing what the task's life on this path changed."""
        assert connection.in_atomic_block
        self.task.finished = now()
        update_task(self.task, LIFECYCLE_FIELDS)
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)

    @ViewActivation.status.super()
    def cancel(self):
        self.task.finished = now()
        update_task(self.task, FINISH_FIELDS)


class DecisionActivation(IfActivation):
    """The decision gateway's activation: viewflow's ``IfActivation`` with compiled writes (module docstring)."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        """``Activation.create``: one INSERT, one link."""
        task = _new_task(flow_task, prev_activation, token, data, seed)
        insert_task(task, prev_activation.task)
        return cls(task)

    @IfActivation.status.super()
    def activate(self):
        if not context.propagate_exception:  # a failure is recorded on the task: keep viewflow's savepoint
            with self.exception_guard(), transaction.atomic(savepoint=True):
                self._condition_result = self.flow_task._condition(self)
            return
        self._condition_result = self.flow_task._condition(self)

    @IfActivation.status.super()
    def complete(self):
        """``Activation.complete``: the gateway's status and end."""
        assert connection.in_atomic_block
        self.task.finished = now()
        update_task(self.task, FINISH_FIELDS)
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


__all__ = ["DecisionActivation", "ReviewStepActivation", "insert_task", "update_task"]
