"""The one way to run a transition: lock the flow, check, change state, audit, complete the task.

``review_open`` and ``review_transition`` are what the API, the web pages, the viewflow task pages, the
demo and the tests call.  Everything happens in one transaction under the flow's
``select_for_update_lock``; notifications go out on commit.
"""

from __future__ import annotations

import datetime
import logging

from django.db import OperationalError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.status import PROCESS, STATUS

from review_process.errors import Conflict, ReviewError
from review_process.machine import OUT_OF_FLOW
from review_process.models import Review, ReviewState
from review_process.selectors import review_get_for_user
from review_process.services.reviews import review_create, transition_apply, transition_check, transition_meta
from workflows.models import ReviewProcess
from workflows.notifications import notify_next_actors
from workflows.registry import flow_for

logger = logging.getLogger(__name__)

ACTIVE_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
SOMEONE_ELSE_ACTED = "someone_else_acted"


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
    the task); otherwise the matching task is found, assigned to ``by`` and completed here.
    Raises a ``ReviewError`` (NotFound / Forbidden / Conflict / InvalidInput) and changes nothing
    when the action is refused.

    Someone else acted (409 ``someone_else_acted``) when the flow's lock cannot be had, when SQLite's write
    lock cannot be had within its busy timeout, or when the review is no longer at the stage the caller saw
    (``seen_state``; by default the stage read just before taking the lock): of concurrent attempts at one
    transition exactly one succeeds.
    """
    transition_meta(name)  # unknown names fail before anything else
    review_id = review.pk if isinstance(review, Review) else review
    visible = review_get_for_user(user=by, review_id=review_id)
    process = ReviewProcess.objects.filter(review=visible).first()
    try:
        with process.flow_class.lock(process.pk), transaction.atomic():
            locked = Review.objects.select_for_update().select_related("organization").get(pk=visible.pk)
            if locked.state != (seen_state or visible.state):
                raise Conflict(code=SOMEONE_ELSE_ACTED)
            transition_check(review=locked, name=name, by=by, reason=reason, occurred_on=occurred_on)
            if activation is None and name not in OUT_OF_FLOW:
                activation = _claim_task(process, name, by)
            transition_apply(review=locked, name=name, by=by, reason=reason, occurred_on=occurred_on)
            if name in OUT_OF_FLOW:
                _cancel_process(process)
            else:
                activation.execute()
    except ConcurrentTransition:
        raise Conflict(code=SOMEONE_ELSE_ACTED) from None
    except FlowLockFailed:
        raise Conflict(code=SOMEONE_ELSE_ACTED) from None
    except OperationalError as error:
        if "database is locked" not in str(error):  # SQLite: the write lock was not free within the busy timeout
            raise
        raise Conflict(code=SOMEONE_ELSE_ACTED) from None
    locked.refresh_from_db()
    transaction.on_commit(lambda: _notify(locked.pk, name))
    return locked


def _claim_task(process: ReviewProcess, name: str, by):
    node = node_for(name, process.flow_class)
    task = process.task_set.filter(flow_task=node, status__in=ACTIVE_TASK_STATUSES).order_by("-created").first()
    if task is None:
        # The FSM allowed the transition but the flow has no task waiting for it: the two disagree.
        logger.error("No active %s task for review process %s", name, process.pk)
        raise ReviewError(code="flow_out_of_step")
    activation = node.activation_class(task)
    if task.status == STATUS.NEW:
        activation.assign(by)
    elif task.status == STATUS.ASSIGNED and task.owner_id != by.pk:
        activation.reassign(user=by)
    if task.status != STATUS.STARTED:
        activation.start(None)
    return activation


def _cancel_process(process: ReviewProcess) -> None:
    for task in process.task_set.filter(status__in=ACTIVE_TASK_STATUSES):
        activation = task.flow_task.activation_class(task)
        activation.cancel()
    process.status = PROCESS.CANCELED
    process.finished = timezone.now()
    process.save(update_fields=["status", "finished"])


def _notify(review_id: int, name: str) -> None:
    """Tell the people who must act next (e-mail through Django's backend; failures are logged, not raised)."""
    try:
        notify_next_actors(review_id=review_id, transition=name)
    except Exception:  # noqa: BLE001 - a failed e-mail must never undo or block a committed transition
        logger.exception("Notification after %s on review %s failed", name, review_id)


__all__ = ["review_open", "review_transition", "node_for", "ReviewState"]
