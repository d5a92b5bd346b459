"""The one way to run a transition: lock the flow, check, change state, audit, complete the task.

``review_open`` and ``review_transition`` are what the API, the web pages, the viewflow task pages, the
demo and the tests call.  Everything happens in one transaction; the flow lock is the row lock on the review's
process (the lock viewflow's ``select_for_update_lock`` takes), taken by the one locked read of what the step
needs: the waiting task, its process, the review and its organisation.  On that one instance each permission
and guard is evaluated once (they cache on it), and the person's positions are read once for the whole step
(``permissions.selectors.positions_read_once``); the waiting task is completed with one write; the
notification is an outbox message written in the same transaction (``workflows.outbox``), delivered after the
commit (by a worker when a broker is configured).  ``tests/workflows/test_transition_statements.py`` bounds
the statements of one step; ``bench/transition.py`` measures it against the floor.

Most of a step's time was Django compiling SQL, not the database: the statements of the step that the project
issues itself (the stage read, the locked read, positions, object permissions, the submission's guards, the
review's UPDATE, the audit chain's tip and INSERT, the outbox INSERT) are compiled once and re-run with fresh
values (``permissions.statements``); the audit event fingerprints the review from the instance just saved
(``chained_records.fingerprints(in_memory=True)``).  viewflow's own bookkeeping (completing the task, creating
the next, the decision gateway) runs viewflow's activations with compiled writes (``workflows.task_writes``).
"""

from __future__ import annotations

import datetime
import logging

from django.db import DatabaseError, OperationalError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.status import PROCESS, STATUS

from permissions.selectors import positions_read_once
from permissions.statements import Compiled
from review_process.access import may_view
from review_process.errors import Conflict, NotFound, ReviewError
from review_process.machine import OUT_OF_FLOW
from review_process.models import Review, ReviewState
from review_process.services.reviews import review_create, transition_apply, transition_check, transition_meta
from workflows import outbox
from workflows.models import ReviewProcess
from workflows.registry import flow_for, registered_kinds

logger = logging.getLogger(__name__)

ACTIVE_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
SOMEONE_ELSE_ACTED = "someone_else_acted"
#: PostgreSQL's answers when a row lock cannot be had: deadlock detected, lock not available (NOWAIT).
LOCK_SQLSTATES = frozenset({"40P01", "55P03"})


def node_for(name: str, flow_class=None):
    """The flow node whose task runs transition ``name`` (None for ``cancel`` and ``OUT_OF_FLOW``: they end
    the process).

    ``flow_class`` is the process's own flow (``process.flow_class``); by default the collective review's.
    """
    flow_class = flow_class or flow_for("collective")
    for node in flow_class.instance.nodes():
        if name in getattr(node, "transitions", ()):
            return node
    return None


def review_open(
    *, organization_code: str, year: int, kind: str = "collective", subject: str | None = None, by
) -> Review:
    with transaction.atomic():
        review = review_create(organization_code=organization_code, year=year, kind=kind, subject=subject, by=by)
        flow_for(review.kind).start.run(review=review)
    return review


def review_transition(
    *,
    review: Review | int,
    name: str,
    by,
    reason: str = "",
    occurred_on: datetime.date | None = None,
    activation=None,
    seen_state: str | None = None,
) -> Review:
    """Run transition ``name`` on the review as ``by``.

    ``occurred_on`` is the day the step happened as the person states it (default: today), checked and kept
    by the domain (``transition_check``); the audit event keeps the time it was recorded.
    ``activation`` is given by viewflow's own task page (which already holds the lock and has started
    the task); otherwise the matching task is found, given to ``by`` and completed here.
    Raises a ``ReviewError`` (NotFound / Forbidden / Conflict / InvalidInput) and changes nothing
    when the action is refused.

    Someone else acted (409 ``someone_else_acted``) when the flow's lock cannot be had (a deadlock, or
    SQLite's write lock not free within its busy timeout), or when the review is no longer at the stage the
    caller saw (``seen_state``; by default the stage read just before taking the lock): of concurrent attempts
    at one transition exactly one succeeds.
    """
    transition_meta(name)  # unknown names fail before anything else
    review_id = _review_id(review)
    if seen_state is None:  # what the caller would have seen: the stage before the lock
        seen = _STATE.first_row(review_id)
        seen_state = seen[0] if seen is not None else None
    try:
        with positions_read_once(), transaction.atomic():
            in_flow = activation is None and name not in OUT_OF_FLOW
            task = _locked_task(review_id, name) if in_flow else None
            process = task.process.coerced if task is not None else _locked_process(review_id)
            locked = process.review
            if not may_view(by, locked):
                raise NotFound()
            if locked.state != seen_state:
                raise Conflict(code=SOMEONE_ELSE_ACTED)
            transition_check(review=locked, name=name, by=by, reason=reason, occurred_on=occurred_on)
            if in_flow and (task is None or task.flow_task != node_for(name, process.flow_class)):
                # The FSM allowed the transition but the flow has no task waiting for it: the two disagree.
                logger.error("No active %s task for review process %s", name, process.pk)
                raise ReviewError(code="flow_out_of_step")
            transition_apply(review=locked, name=name, by=by, reason=reason, occurred_on=occurred_on)
            if name in OUT_OF_FLOW:
                _cancel_process(process)
            elif activation is not None:
                activation.execute()
            else:
                _complete(task, by)
            outbox.enqueue("notify_next_actors", review_id=locked.pk, transition=name)
    except ConcurrentTransition:
        raise Conflict(code=SOMEONE_ELSE_ACTED) from None
    except FlowLockFailed:
        raise Conflict(code=SOMEONE_ELSE_ACTED) from None
    except OperationalError as error:
        if not _lock_refused(error):
            raise
        raise Conflict(code=SOMEONE_ELSE_ACTED) from None
    return locked


def _review_id(review: Review | int) -> int:
    if isinstance(review, Review):
        return review.pk
    try:
        return int(review)
    except (TypeError, ValueError):
        raise NotFound() from None


def _locked_process(review_id: int) -> ReviewProcess:
    """The one locked read: the review's process (its row is the flow lock) with the review (locked too, as the
    record services lock it) and its organisation and today's superior (not locked)."""
    try:
        return (
            ReviewProcess.objects.select_for_update(of=("self", "review"))
            .select_related("review__organization__superior")
            .get(review_id=review_id)
        )
    except ReviewProcess.DoesNotExist:
        raise NotFound() from None


def _lock_refused(error: DatabaseError) -> bool:
    """SQLite: the write lock was not free within the busy timeout; PostgreSQL: a deadlock was broken."""
    if "database is locked" in str(error):
        return True
    return getattr(error.__cause__, "sqlstate", None) in LOCK_SQLSTATES


#: The stage the caller would have seen: the review's state read just before the lock.
_STATE = Compiled(lambda review_id: Review.objects.filter(pk=review_id).order_by().values_list("state")[:1], int)
_LOCKED_TASK: dict[str, Compiled | None] = {}


def _locked_task_statement(name: str) -> Compiled | None:
    """The compiled locked read of the task waiting for ``name`` (None when no flow has such a task)."""
    if name not in _LOCKED_TASK:
        nodes = {node_for(name, flow_class) for flow_class in map(flow_for, registered_kinds())} - {None}
        if not nodes:
            _LOCKED_TASK[name] = None
        else:
            manager = next(iter(nodes)).flow_class.task_class._default_manager
            _LOCKED_TASK[name] = Compiled(
                lambda review_id: (
                    manager.select_for_update(of=("process__reviewprocess", "process__reviewprocess__review"))
                    .select_related("process__reviewprocess__review__organization__superior")
                    .filter(
                        process__reviewprocess__review_id=review_id,
                        flow_task__in=nodes,
                        status__in=ACTIVE_TASK_STATUSES,
                    )
                    .order_by("-created")[:1]
                ),
                int,
            )
    return _LOCKED_TASK[name]


def _locked_task(review_id: int, name: str):
    """The one locked read when a task waits for ``name``: that task, with its process (whose row is the flow
    lock), the review (locked too, as the record services lock it), its organisation and today's superior
    (not locked).  None when no task waits for it (the caller then locks the process alone).  The statement is
    compiled once (``permissions.statements``)."""
    statement = _locked_task_statement(name)
    return statement.first_instance(review_id) if statement is not None else None


def _complete(task, by) -> None:
    """Give the task to ``by``, start and complete it, and create the next: the node's activation does it, with
    one write of the task (assigning and starting only set its fields; completing writes what they changed:
    ``workflows.task_writes.ReviewStepActivation``)."""
    if task.status != STATUS.STARTED:
        task.owner = by
        task.status = STATUS.ASSIGNED
    activation = task.flow_task.activation_class(task)
    if task.status != STATUS.STARTED:
        activation.start(None)
    activation.execute()


def _cancel_process(process: ReviewProcess) -> None:
    for task in process.task_set.filter(status__in=ACTIVE_TASK_STATUSES):
        task.process = process
        activation = task.flow_task.activation_class(task)
        activation.cancel()
    process.status = PROCESS.CANCELED
    process.finished = timezone.now()
    process.save(update_fields=["status", "finished"])


__all__ = ["review_open", "review_transition", "node_for", "ReviewState"]
