"""The rules of the individual review of a leader (rules/individual.py): each passes on a review done right, fails
on the records broken the way it looks for, and is not applicable to a collective review; the facts load what
they read in bulk, with no query more for a batch without an individual review."""

import datetime
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from review_process.compliance.facts import FACTS_QUERIES, INDIVIDUAL_QUERIES, facts_for
from review_process.compliance.report import review_compliance
from review_process.compliance.rules import RULES_BY_CODE
from review_process.models import Ballot, Decision, Review
from review_process.services import records
from review_process.services.individual import ballot_record
from tests.conftest import VOTE
from tests.review_process.test_individual_reviews import BOARD, TALLY, IndividualWalker
from workflows.services import review_open

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CODES = ("secret_ballot_recorded", "leader_after_collective", "head_not_above_collective")


class DeputyWalker(IndividualWalker):
    """Nguyễn Thị Lan's 2021 individual review (a deputy: not the head)."""

    def open(self):
        return review_open(organization_code="LB-DG", year=2021, kind="individual", subject="ntlan", by=self.p.board)

    def prepare_submitted(self, review):  # the secretary records her ballot (she may not)
        ballot_record(review=review, by=self.p.secretary, counts=TALLY, counting_board=BOARD)


@pytest.fixture
def collective(walker):
    return walker.to_state("submitted")


def decide(review, people, rating="good"):
    records.decision_set(review=review, by=people.standing, final_rating=rating, vote=VOTE)


def decided_leader(people, collective, *, walker_class=IndividualWalker, ballot=True, rating="good"):
    """The collective decided "good", then the leader's review submitted (with its ballot) and decided."""
    decide(collective, people)
    review = walker_class(people).to_state("submitted", prepared=ballot)
    decide(review, people, rating)
    return review


def finding(review, code):
    return review_compliance(Review.objects.get(pk=review.pk)).finding(code)


def test_the_rules_are_registered_with_their_citations():
    for code in CODES:
        rule = RULES_BY_CODE[code]
        assert rule.severity == "finding"
    assert "Quy định 89-QĐ/TW" in str(RULES_BY_CODE["secret_ballot_recorded"].citation_for("2019-2022"))
    order = RULES_BY_CODE["leader_after_collective"]
    assert "Điều 11" in str(order.citation_for("2023-2024")) and order.citation_for("2023-2024").verified
    assert "II.B.4" in str(order.citation_for("2019-2022"))
    ceiling = RULES_BY_CODE["head_not_above_collective"]
    assert ceiling.citation_for("2019-2022").verified
    for regime in ("2023-2024", "2025+"):
        citation = ceiling.citation_for(regime)
        assert citation.tag == "U" and "head_not_above_collective" in str(citation)


def test_a_leader_rated_by_the_rules_passes_all_three(people, collective):
    review = decided_leader(people, collective)
    for code in CODES:
        assert finding(review, code).status == "pass", (code, finding(review, code).message)
    # No counts by level: the person reviewed may read the report before the decision.
    assert re.fullmatch(
        r"The secret-ballot tally was recorded on \d\d/\d\d/\d{4} and adds up; the vote-counting board has 2 members\.",
        finding(review, "secret_ballot_recorded").message,
    )


def test_a_collective_review_is_not_judged_by_them(people, collective):
    decide(collective, people)
    for code in CODES:
        assert finding(collective, code).status == "not_applicable"


def test_secret_ballot_recorded(people, collective):
    review = IndividualWalker(people).to_state("submitted")
    assert finding(review, "secret_ballot_recorded").status == "not_applicable"  # not yet due
    decide(collective, people)
    decide(review, people)  # decided without a tally
    result = finding(review, "secret_ballot_recorded")
    assert (result.status, result.message) == (
        "fail",
        "The rating was decided without a secret-ballot tally on record.",
    )
    IndividualWalker(people).prepare_submitted(review)
    assert finding(review, "secret_ballot_recorded").status == "pass"
    Ballot.objects.filter(review=review).update(cast=20)  # a tally that does not add up, written around the service
    result = finding(review, "secret_ballot_recorded")
    assert result.status == "fail" and result.message.startswith("The tally does not add up")
    assert result.evidence == [{"type": "ballot", "id": Ballot.objects.get(review=review).pk}]


def test_leader_after_collective(people, collective):
    review = decided_leader(people, collective)
    leader = Decision.objects.get(review=review)
    assert "the leader after it" in finding(review, "leader_after_collective").message
    # The collective's decision dated after the leader's: the leader was rated first.
    Decision.objects.filter(review=collective).update(decided_at=leader.decided_at + datetime.timedelta(days=1))
    result = finding(review, "leader_after_collective")
    assert result.status == "fail" and "before the collective" in result.message
    assert {"type": "review", "id": collective.pk} in result.evidence
    # No live collective review at all: not decided.
    Review.objects.filter(pk=collective.pk).update(state="cancelled")
    result = finding(review, "leader_after_collective")
    assert result.status == "fail" and "has not been decided yet" in result.message


def test_head_not_above_collective(people, collective):
    review = decided_leader(people, collective)
    assert finding(review, "head_not_above_collective").status == "pass"
    Decision.objects.filter(review=review).update(final_rating="excellent")  # above the collective's "good"
    result = finding(review, "head_not_above_collective")
    assert result.status == "fail" and "cannot be rated above the collective" in result.message


def test_the_ceiling_binds_the_head_only(people, collective):
    review = decided_leader(people, collective, walker_class=DeputyWalker, rating="excellent")
    result = finding(review, "head_not_above_collective")
    assert (result.status, result.message) == (
        "not_applicable",
        "The person reviewed was not the organisation's secretary that year.",
    )


def test_the_ceiling_follows_the_pinned_regime_setting(people, collective):
    decide(collective, people)
    with override_settings(REVIEW_REGIME_OVERRIDES={"2019-2022": {"head_not_above_collective": False}}):
        review = IndividualWalker(people).to_state("submitted", prepared=True)
    decide(review, people, "excellent")  # allowed under that reading
    result = finding(review, "head_not_above_collective")
    assert result.status == "not_applicable" and "do not cap the head's rating" in result.message


def test_the_facts_of_an_individual_review_cost_two_queries_more_and_a_collective_none(people, collective):
    review = decided_leader(people, collective)
    with CaptureQueriesContext(connection) as plain:
        facts = facts_for(collective)
    assert facts.collective_decision is None and facts.ballot is None
    with CaptureQueriesContext(connection) as leader:
        facts = facts_for(review)
    # Both at the same stage with the same kinds of records: the same queries, and two more for the leader's.
    assert len(plain.captured_queries) <= FACTS_QUERIES
    assert len(leader.captured_queries) == len(plain.captured_queries) + INDIVIDUAL_QUERIES
    assert facts.ballot is not None and facts.subject_was_head
    assert facts.collective_decision == Decision.objects.get(review=collective)
