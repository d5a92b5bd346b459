"""``manage.py seed_load``: a small load verifies, covers every stage, and its inspection login sees it all."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from viewflow.workflow.status import PROCESS, STATUS

from permissions.grants import sync_object_grants
from permissions.models import Organization, User
from review_process.audit import verify_chain
from review_process.grants import ReviewGrantTarget
from review_process.machine import next_transition_from
from review_process.models import Review
from review_process.record_check import verify_records
from review_process.selectors.reviews import reviews_visible_to
from workflows.models import ReviewProcess
from workflows.services import review_transition

pytestmark = pytest.mark.django_db

STAGES = {"draft", "collecting_opinions", "awaiting_guidance", "finalizing", "submitted", "approved", "closed"}


def load(*args):
    out = io.StringIO()
    call_command("seed_load", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_small_load_verifies_and_the_inspection_login_sees_every_review():
    out = load("--organizations", "30", "--year", "2024", "--password", "s3cret-Load", "--code", "SL")
    assert Organization.objects.filter(code__startswith="SL").count() == 30
    reviews = Review.objects.filter(year=2024)
    assert set(reviews.values_list("state", flat=True)) == STAGES | {"cancelled"}
    assert verify_chain().intact
    assert verify_records().intact
    logins = dict(line.split() for line in out.splitlines() if line.startswith("  "))
    assert set(logins) == {
        "secretary",
        "deputy_secretary",
        "committee_member",
        "organization_board",
        "standing_committee",
        "inspection",
    }
    for username in logins.values():
        assert User.objects.get(username=username).check_password("s3cret-Load")
    inspection = User.objects.get(username=logins["inspection"])
    assert inspection.positions.get().organization.code == "SL"
    assert reviews_visible_to(user=inspection).count() == reviews.count() == 28
    secretary = User.objects.get(username=logins["secretary"])
    assert reviews_visible_to(user=secretary).count() == 1
    # The bulk grants are the rows the services derive: nothing to add or remove.
    assert {sync_object_grants(ReviewGrantTarget(), review) for review in reviews} == {(0, 0)}


def test_a_database_with_other_data_is_refused_unless_forced():
    User.objects.create(username="someone")
    with pytest.raises(CommandError):
        load("--organizations", "5", "--password", "p", "--code", "SX")
    load("--organizations", "5", "--password", "p", "--code", "SX", "--force")
    with pytest.raises(CommandError):
        load("--organizations", "5", "--password", "p", "--code", "SX", "--force")


def test_every_loaded_review_has_the_flow_rows_of_its_stage_and_takes_its_next_step():
    """The process and waiting task the services would have left: a loaded review is acted on like any other."""
    load("--organizations", "30", "--year", "2024", "--password", "s3cret-Load", "--code", "SL")
    reviews = Review.objects.filter(year=2024)
    for review in reviews:
        process = ReviewProcess.objects.get(review=review)
        waiting = process.task_set.filter(status=STATUS.NEW)
        if review.state in {"closed", "cancelled"}:
            assert not waiting.exists() and process.status in {PROCESS.DONE, PROCESS.CANCELED}
            continue
        task = waiting.get()  # exactly one, for the step out of the review's stage
        assert next_transition_from(review.state) in task.flow_task.transitions
        assert task.previous.get().flow_task_type == "START"
    # The ward secretary's review at the finalising stage takes its step through the one transition service.
    review = reviews.filter(state="finalizing").first()
    secretary = review.organization.positions.get(role="secretary").person
    done = review_transition(review=review, name="submit_assessment", by=secretary, occurred_on=datetime.date.today())
    assert done.state == "submitted"
    process = ReviewProcess.objects.get(review=review)
    assert process.task_set.filter(status=STATUS.NEW).get().flow_task.transitions == ("approve", "return_for_revision")
