"""Compiled statements (``permissions.statements``) give what their querysets give, and refuse what they cannot
run faithfully; the hot path's statements are each compared with the queryset they were compiled from."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from guardian.models import UserObjectPermission

from permissions import selectors, tree
from permissions.models import Position, SuperiorPeriod
from permissions.statements import Compiled, CompiledInsert, CompiledUpdate
from review_process import access, audit, dates, guards
from review_process.models import AuditEvent, Review
from workflows import outbox, services
from workflows.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_rows_and_instances_match_the_queryset(walker, people):
    review = walker.to_state("awaiting_guidance")
    rows = selectors._POSITIONS.rows(people.secretary.pk)
    expected = Position.objects.filter(person_id=people.secretary.pk).values_list(
        "role", "organization_id", "start", "end", "person__grants_synced_on"
    )
    assert sorted(rows) == sorted(expected) and rows
    content_type = ContentType.objects.get_for_model(Review)
    granted = access._ONE_REVIEW.rows(people.secretary.pk, content_type.pk, str(review.pk))
    assert sorted(granted) == sorted(
        UserObjectPermission.objects.filter(
            user=people.secretary, content_type=content_type, object_pk=str(review.pk)
        ).values_list("object_pk", "permission__codename")
    )
    assert granted
    assert (
        audit._TIP.first_row(review.pk)
        == AuditEvent.objects.filter(review=review).order_by("-sequence").values_list("sequence", "hash").first()
    )
    assert services._STATE.first_row(review.pk) == ("awaiting_guidance",)
    assert services._STATE.first_row(review.pk + 1000) is None


def test_the_locked_read_gives_the_task_with_its_process_review_and_organisation(walker, people):
    review = walker.to_state("finalizing")
    with transaction.atomic():
        task = services._locked_task(review.pk, "submit_assessment")
    assert task is not None and task.flow_task == services.node_for("submit_assessment")
    process = task.process.coerced
    assert process.review == review and process.review.state == "finalizing"
    assert process.review.organization.code == "LB-DG"
    assert process.review.organization.superior == review.organization.superior
    with transaction.atomic():
        assert services._locked_task(review.pk, "approve") is None  # no task waits for it


def test_superior_periods_and_report_days_match(walker, org):
    SuperiorPeriod.objects.create(
        organization=org.dg, superior=org.lb, valid_from=datetime.date(2010, 1, 1), valid_to=datetime.date(2025, 6, 30)
    )
    SuperiorPeriod.objects.create(organization=org.dg, superior=org.hn, valid_from=datetime.date(2025, 7, 1))
    periods = tree._PERIODS.instances(org.dg.pk)
    expected = list(SuperiorPeriod.objects.filter(organization=org.dg).select_related("superior"))
    assert periods == expected and len(periods) == 2
    assert [(p.superior.code, p.valid_from, p.valid_to) for p in periods] == [
        (p.superior.code, p.valid_from, p.valid_to) for p in expected
    ]
    assert tree.superior_on(org.dg, datetime.date(2021, 12, 31)) == org.lb
    assert tree.superior_on(org.dg, datetime.date(2025, 12, 31)) == org.hn
    review = walker.to_state("finalizing", prepared=True)
    final = review.report_versions.filter(is_final=True).order_by("-occurred_on").first()
    assert dates._latest_report(review, is_final=True) == final.occurred_on
    assert dates._latest_report(review, is_final=False) is None or isinstance(
        dates._latest_report(review, is_final=False), type(final.occurred_on)
    )


def test_the_submission_guards_answer_as_their_rules(walker, people):
    review = walker.to_state("finalizing")
    assert not guards.final_report_after_guidance.predicate(review)  # the final report is not there yet
    assert not guards.proposed_rating_set.predicate(Review.objects.get(pk=review.pk))
    walker.prepare(review)
    fresh = Review.objects.get(pk=review.pk)
    assert guards.opinions_answered.predicate(fresh)
    assert guards.final_report_after_guidance.predicate(fresh)
    assert guards.proposed_rating_set.predicate(fresh)
    # A guidance given after the final report: the final report no longer counts.
    review.guidance.update(created_at=timezone.now() + timezone.timedelta(days=1))
    assert not guards.final_report_after_guidance.predicate(Review.objects.get(pk=review.pk))
    review.guidance.update(withdrawn_at=timezone.now())  # withdrawn guidance counts for nothing
    assert guards.final_report_after_guidance.predicate(Review.objects.get(pk=review.pk))


def test_an_argument_of_another_type_or_a_lost_sentinel_is_refused():
    with pytest.raises(TypeError):
        services._STATE.rows("1")
    lost = Compiled(lambda review_id: Review.objects.filter(pk__gt=0).values_list("pk"), int)
    with pytest.raises(ValueError, match="did not reach"):
        lost.rows(1)


def test_the_compiled_insert_writes_what_save_writes():
    message = OutboxMessage(kind="notify_next_actors", payload={"review_id": 7, "note": "ý kiến"})
    CompiledInsert(OutboxMessage).save(message)
    assert message.pk is not None and not message._state.adding
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert stored.payload == {"review_id": 7, "note": "ý kiến"} and stored.created_at == message.created_at
    second = OutboxMessage(kind="notify_next_actors", payload={})
    outbox._INSERT.save(second)
    assert second.pk > message.pk


def test_the_compiled_update_writes_only_at_the_stage_read(walker):
    review = walker.to_state("draft")
    update = CompiledUpdate(Review, "state")
    review.cancel_reason = "Thử"
    assert update.run(review, ["cancel_reason", "updated_at"], state="collecting_opinions") == 0
    assert Review.objects.get(pk=review.pk).cancel_reason == ""
    before = review.updated_at
    assert update.run(review, ["cancel_reason", "updated_at"], state="draft") == 1
    stored = Review.objects.get(pk=review.pk)
    assert stored.cancel_reason == "Thử" and stored.updated_at == review.updated_at and review.updated_at >= before
    review.cancel_reason = ""
    assert update.run(review, ["cancel_reason", "submitted_at"], state="draft") == 1  # a NULL among the values
    assert update.run(review, ["cancel_reason"], other="x") is None  # not the statement's condition
