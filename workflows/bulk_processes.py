"""The task layer of reviews loaded in bulk (``manage.py seed_load``): the rows viewflow itself writes.

``review_process.bulk_load`` writes reviews, records and their audit chain without running the services, so no
flow ran for them. ``create_processes`` gives each such review the process and tasks its flow would hold at the
review's stage: the process (``ReviewProcess``, the review's own flow), the start task (done), and while the
review is open the human task that waits for its next step (new, no owner, the step's object permission on the
review, after the start task), exactly as ``workflows.services.review_open``/``review_transition`` leave them, so
a loaded review is acted on like any other. A closed review's process is done (its end task done); a cancelled
one's is cancelled. Earlier stages are not replayed as tasks: the audit trail is their record.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from permissions.roles import review_codename
from review_process import machine
from review_process.models import Review, ReviewState
from workflows.models import ReviewProcess
from workflows.registry import flow_for
from workflows.services import node_for

BATCH = 1000
START_TOKEN = Token("start")  # the token of a flow without splits, as viewflow writes it


def _process_status(state: str) -> str:
    if state == ReviewState.CLOSED:
        return PROCESS.DONE
    if state == ReviewState.CANCELLED:
        return PROCESS.CANCELED
    return PROCESS.NEW


def _tasks(review: Review, process_id: int, flow_class, content_type, now) -> tuple[Task, Task | None]:
    start = Task(
        flow_task=flow_class.instance.start,
        flow_task_type="START",
        status=STATUS.DONE,
        process_id=process_id,
        created=now,
        started=now,
        finished=now,
        token=START_TOKEN,
    )
    name = machine.next_transition_from(review.state) if review.state != ReviewState.CANCELLED else None
    if review.state == ReviewState.CLOSED:
        node = flow_class.instance.end
        return start, Task(
            flow_task=node, flow_task_type="END", status=STATUS.DONE, process_id=process_id,
            created=now, started=now, finished=now, token=START_TOKEN,
        )  # fmt: skip
    if name is None:
        return start, None
    node = node_for(name, flow_class)
    waiting = Task(
        flow_task=node,
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        process_id=process_id,
        created=now,
        token=START_TOKEN,
        owner_permission=f"review_process.{review_codename(node.transitions[0])}",
        owner_permission_content_type=content_type,
        owner_permission_obj_pk=str(review.pk),
    )
    return start, waiting


def create_processes(reviews, *, progress=None) -> int:
    """Give every review of ``reviews`` (a queryset) that has no process the one its flow would hold; how many."""
    pending = reviews.filter(process__isnull=True).order_by("pk")
    content_type = ContentType.objects.get_for_model(Review)
    child_table = connection.ops.quote_name(ReviewProcess._meta.db_table)
    created = 0
    ids = list(pending.values_list("pk", flat=True))
    batches = range(0, len(ids), BATCH)
    for offset in progress(batches, unit="batch") if progress else batches:
        batch = list(Review.objects.filter(pk__in=ids[offset : offset + BATCH]).only("pk", "state", "kind"))
        now = timezone.now()
        with transaction.atomic():
            flows = [flow_for(review.kind) for review in batch]
            parents = Process.objects.bulk_create(
                [
                    Process(
                        flow_class=flow,
                        status=_process_status(review.state),
                        created=now,
                        finished=None if _process_status(review.state) == PROCESS.NEW else now,
                    )
                    for review, flow in zip(batch, flows, strict=True)
                ]
            )
            with connection.cursor() as cursor:  # multi-table inheritance: bulk_create cannot write the child rows
                cursor.executemany(
                    f"INSERT INTO {child_table} (process_ptr_id, review_id) VALUES (%s, %s)",
                    [(parent.pk, review.pk) for parent, review in zip(parents, batch, strict=True)],
                )
            pairs = [
                _tasks(review, parent.pk, flow, content_type, now)
                for review, parent, flow in zip(batch, parents, flows, strict=True)
            ]
            Task.objects.bulk_create([start for start, _ in pairs])
            followers = Task.objects.bulk_create([task for _, task in pairs if task is not None])
            followed = [start for start, task in pairs if task is not None]
            Task.previous.through.objects.bulk_create(
                [
                    Task.previous.through(from_task_id=task.pk, to_task_id=start.pk)
                    for task, start in zip(followers, followed, strict=True)
                ]
            )
        created += len(batch)
    return created
