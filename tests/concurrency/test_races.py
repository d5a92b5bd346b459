"""Twenty processes attempt the same action at the same moment: exactly one succeeds, the others are told
409 ``someone_else_acted``, and the audit trail holds one event for it and stays intact.

The contenders are separate interpreters (``tests.concurrency.race_worker``) on a shared database: a WAL-mode
SQLite file in ``make test`` (writers queue for the write lock), the PostgreSQL test database in
``make test-postgres`` (the flow's ``select_for_update`` lock on the process row).  Each read the review as
the person would see it on the page before the start; they are released together.  Slower than the rest of
the suite: marker ``race``.  The last two tests show, one call after the other, the rules the contenders meet.
"""

from __future__ import annotations

from collections import Counter

import pytest

from review_process.errors import Conflict
from review_process.models import AuditEvent, OpinionResponse, Review
from review_process.services import records
from workflows.services import review_transition

pytestmark = [pytest.mark.race, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CONTENDERS = 20
SOMEONE_ELSE_ACTED = {"outcome": "refused", "code": "someone_else_acted", "status": 409, "type": "Conflict"}


def outcomes(results: list[dict]) -> Counter:
    """How many contenders ended each way (an unexpected outcome keeps its details, to be seen in the failure)."""
    seen = Counter()
    for result in results:
        if result == {"outcome": "ok"}:
            seen["ok"] += 1
        elif result == SOMEONE_ELSE_ACTED:
            seen["someone_else_acted"] += 1
        else:
            seen[repr(result)] += 1
    return seen


def test_of_twenty_approvals_at_once_one_is_recorded(race_db, race, walker):
    review = walker.to_state("submitted", prepared=True)
    race_db.publish()

    report = race(
        {"action": "transition", "review": review.pk, "by": "lqvinh", "name": "approve", "contenders": CONTENDERS}
    )

    assert outcomes(report["results"]) == {"ok": 1, "someone_else_acted": CONTENDERS - 1}, report
    left = race_db.check(review=review.pk)
    assert left["state"] == "approved"
    assert left["events"]["review.transition.approve"] == 1
    assert left["intact"], left["chain"]
    assert report["seconds"] < 30


@pytest.mark.parametrize(
    ("seen", "answers"),
    [
        # They saw the opinion unanswered and answer differently: the first answer stands, the rest are refused.
        ("unanswered", [["accepted", ""], ["explained", "Đã giải trình"]]),
        # The pages and the API do not say what was seen: the same answer given twenty times is one answer.
        ("unsaid", [["accepted", ""]]),
    ],
)
def test_of_twenty_responses_to_one_opinion_at_once_one_is_recorded(race_db, race, walker, seen, answers):
    review = walker.to_state("finalizing")
    opinion = review.opinions.order_by("pk").first()
    race_db.publish()

    report = race(
        {
            "action": "respond",
            "review": review.pk,
            "by": "pvhung",
            "opinion": opinion.pk,
            "answers": answers,
            "seen": seen,
            "contenders": CONTENDERS,
        }
    )

    assert outcomes(report["results"]) == {"ok": 1, "someone_else_acted": CONTENDERS - 1}, report
    left = race_db.check(review=review.pk, opinion=opinion.pk)
    assert left["state"] == "finalizing"
    assert len(left["responses"]) == 1
    assert left["events"]["review.opinion.responded"] == 1
    assert left["intact"], left["chain"]
    assert report["seconds"] < 30


def test_one_after_the_other_a_changed_answer_is_a_correction_and_a_repeated_one_is_refused(walker, people):
    """What the contenders meet, without the race: the rules ``opinion_respond`` applies under its lock."""
    review = walker.to_state("finalizing")
    opinion = review.opinions.order_by("pk").first()

    def respond(decision, note="", **seen):
        return records.opinion_respond(
            review=review, by=people.secretary, opinion_id=opinion.pk, decision=decision, note=note, **seen
        )

    respond("accepted", correction=False)
    for decision, note, seen in [
        ("accepted", "", {}),  # the recorded answer again, nothing said: a duplicate
        ("explained", "Đã giải trình", {"correction": False}),  # they saw it unanswered: someone answered since
    ]:
        with pytest.raises(Conflict) as refused:
            respond(decision, note, **seen)
        assert refused.value.code == "someone_else_acted"
    respond("explained", "Đã giải trình")  # a different answer, nothing said: the pages' "Change the response"
    respond("accepted", correction=True)
    assert OpinionResponse.objects.get(opinion=opinion).decision == "accepted"
    assert AuditEvent.objects.filter(review=review, action="review.opinion.responded").count() == 3


def test_a_transition_from_a_stage_the_person_no_longer_sees_is_refused(walker, people):
    review = walker.to_state("submitted", prepared=True)
    with pytest.raises(Conflict) as refused:
        review_transition(review=review.pk, name="approve", by=people.standing, seen_state="finalizing")
    assert refused.value.code == "someone_else_acted"
    assert Review.objects.get(pk=review.pk).state == "submitted"
