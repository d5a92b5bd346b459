"""The rating rules through the services, regime by regime, edge by edge (review_process.ratings).

Each regime is reached by the year of the review (pinned when it is opened): 2021 is "2019-2022", 2023 is
"2023-2024", 2025 is "2025+".  In the fixtures Đức Giang stays under Long Biên in 2025 (no reorganisation is
applied), so the Long Biên standing committee is the direct superior that decides in every year.
"""

from __future__ import annotations

import pytest

from review_process.errors import ReviewError
from review_process.models import Decision, SelfAssessment
from review_process.regimes import regime_for
from review_process.services import records
from tests.conftest import VOTE, Walker
from workflows.services import review_open, review_transition

pytestmark = pytest.mark.django_db

SCORE_YEAR = 2025  # "2025+": the 100-point scale
BEFORE_SCORE = (2018, 2021, 2023)  # "2018", "2019-2022", "2023-2024": no score


class YearWalker(Walker):
    """The walker of tests/conftest.py, on a review of another year."""

    def __init__(self, people, year: int):
        super().__init__(people)
        self.year = year

    def open(self):
        return review_open(organization_code="LB-DG", year=self.year, kind="collective", by=self.p.secretary)


def finalizing(people, year: int):
    """A review of ``year`` at finalisation, with everything but the self-assessment ready for submission."""
    review = YearWalker(people, year).to_state("finalizing")
    assert review.regime.code == regime_for(year).code
    for opinion in review.opinions.filter(response__isnull=True):
        records.opinion_respond(review=review, by=people.secretary, opinion_id=opinion.pk, decision="accepted")
    records.report_version_add(review=review, by=people.secretary, text="Báo cáo hoàn chỉnh", is_final=True)
    return review


def submitted(people, year: int, *, proposed: str = "good", score: int | None = None, triggers=()):
    review = finalizing(people, year)
    records.self_assessment_set(
        review=review,
        by=people.secretary,
        proposed_rating=proposed,
        score=score,
        triggers=list(triggers),
        justification="Căn cứ",
    )
    return review_transition(review=review, name="submit_assessment", by=people.secretary)


def refusal(call, **kwargs) -> tuple[int, str, str | None]:
    with pytest.raises(ReviewError) as error:
        call(**kwargs)
    return error.value.status, error.value.code, error.value.field


def rating_for(score: int) -> str:
    return "excellent" if score >= 90 else "good" if score >= 70 else "complete" if score >= 50 else "not_complete"


# --- The thresholds of 2025+ (366 Điều 11): each edge, the matching rating and its neighbour ---------------

EDGES = [
    # (score, matching rating, neighbour that the score does not give)
    (49, "not_complete", "complete"),
    (50, "complete", "not_complete"),
    (69, "complete", "good"),
    (70, "good", "complete"),
    (89, "good", "excellent"),
    (90, "excellent", "good"),
]


@pytest.mark.parametrize(("score", "matching", "neighbour"), EDGES)
def test_each_threshold_edge_of_2025_in_the_self_assessment(people, score, matching, neighbour):
    review = finalizing(people, SCORE_YEAR)
    assert rating_for(score) == matching
    status, code, field = refusal(
        records.self_assessment_set, review=review, by=people.secretary, proposed_rating=neighbour, score=score
    )
    assert (status, code, field) == (400, "rating_score_mismatch", "proposed_rating")
    records.self_assessment_set(
        review=review, by=people.secretary, proposed_rating=matching, score=score, justification="Căn cứ"
    )
    assert (
        SelfAssessment.objects.get(review=review).score,
        SelfAssessment.objects.get(review=review).proposed_rating,
    ) == (
        score,
        matching,
    )


@pytest.mark.parametrize(("score", "matching", "neighbour"), EDGES)
def test_each_threshold_edge_of_2025_in_the_decision(people, score, matching, neighbour):
    review = submitted(people, SCORE_YEAR, proposed="not_complete", score=0)  # below anything: no reason needed
    decide = records.decision_set
    status, code, field = refusal(
        decide, review=review, by=people.standing, final_rating=neighbour, score=score, vote=VOTE
    )
    assert (status, code, field) == (400, "rating_score_mismatch", "final_rating")
    decision = decide(review=review, by=people.standing, final_rating=matching, score=score, vote=VOTE)
    assert (decision.final_rating, decision.score) == (matching, score)


def test_2025_requires_a_score_and_keeps_it_in_range(people):
    review = finalizing(people, SCORE_YEAR)
    assert refusal(records.self_assessment_set, review=review, by=people.secretary, proposed_rating="good") == (
        400,
        "score_required",
        "score",
    )
    assert refusal(
        records.self_assessment_set, review=review, by=people.secretary, proposed_rating="excellent", score=101
    )[1:] == ("invalid_score", "score")


@pytest.mark.parametrize("year", BEFORE_SCORE)
def test_a_score_is_refused_before_2025(people, year):
    review = finalizing(people, year)
    assert refusal(
        records.self_assessment_set, review=review, by=people.secretary, proposed_rating="good", score=75
    ) == (400, "score_not_allowed", "score")
    records.self_assessment_set(review=review, by=people.secretary, proposed_rating="good", justification="Căn cứ")
    review = review_transition(review=review, name="submit_assessment", by=people.secretary)
    assert refusal(
        records.decision_set, review=review, by=people.standing, final_rating="good", score=75, vote=VOTE
    ) == (400, "score_not_allowed", "score")
    assert records.decision_set(review=review, by=people.standing, final_rating="good", vote=VOTE).score is None


# --- Grounds that force "not complete" (HD 21; 124 Điều 12; 366 Điều 11) ----------------------------------

TRIGGER_CASES = [(year, trigger) for year in (2021, 2023, SCORE_YEAR) for trigger in regime_for(year).triggers]


@pytest.mark.parametrize(("year", "trigger"), TRIGGER_CASES)
def test_each_ground_forces_not_complete(people, year, trigger):
    review = finalizing(people, year)
    score = 95 if year >= SCORE_YEAR else None  # a ground overrides even an excellent score
    assert refusal(
        records.self_assessment_set,
        review=review,
        by=people.secretary,
        proposed_rating="good",
        score=score,
        triggers=[trigger],
    ) == (400, "forced_not_complete", "proposed_rating")
    records.self_assessment_set(
        review=review,
        by=people.secretary,
        proposed_rating="not_complete",
        score=score,
        triggers=[trigger],
        justification="Căn cứ",
    )
    review = review_transition(review=review, name="submit_assessment", by=people.secretary)
    # The ground reported in the self-assessment binds the decision too.
    assert refusal(
        records.decision_set, review=review, by=people.standing, final_rating="good", score=score, vote=VOTE
    ) == (400, "forced_not_complete", "final_rating")
    decision = records.decision_set(
        review=review, by=people.standing, final_rating="not_complete", score=score, vote=VOTE
    )
    assert decision.final_rating == "not_complete"


def test_a_ground_found_by_the_deciding_body_forces_not_complete(people):
    review = submitted(people, 2021, proposed="good")
    assert refusal(
        records.decision_set,
        review=review,
        by=people.standing,
        final_rating="complete",
        reason="Kỷ luật",
        triggers=["discipline"],
        vote=VOTE,
    ) == (400, "forced_not_complete", "final_rating")


def test_a_ground_of_a_later_regime_is_refused_in_2021(people):
    review = finalizing(people, 2021)
    assert "subordinates_disciplined" not in regime_for(2021).triggers
    assert refusal(
        records.self_assessment_set,
        review=review,
        by=people.secretary,
        proposed_rating="not_complete",
        triggers=["subordinates_disciplined"],
    ) == (400, "invalid_trigger", "triggers")


# --- The vote (Party Statute Art. 9 §5: more than half of the members) ------------------------------------

VOTES = [
    # (vote, expected refusal or None when carried)
    ({"members": 15, "present": 13, "for": 7, "against": 5, "abstain": 1}, (409, "vote_not_carried")),
    ({"members": 15, "present": 13, "for": 8, "against": 4, "abstain": 1}, None),
    ({"members": 15, "present": 8, "for": 8, "against": 0, "abstain": 0}, None),  # of members, not of those present
    (
        {"members": 14, "present": 14, "for": 7, "against": 7, "abstain": 0},
        (409, "vote_not_carried"),
    ),  # half is not more
    ({"members": 15, "present": 16, "for": 9, "against": 0, "abstain": 0}, (400, "invalid_vote")),  # present > members
    ({"members": 15, "present": 10, "for": 9, "against": 1, "abstain": 1}, (400, "invalid_vote")),  # tally > present
    ({"members": 0, "present": 0, "for": 0, "against": 0, "abstain": 0}, (400, "invalid_vote")),
    (None, (400, "invalid_vote")),  # no vote recorded
]


@pytest.mark.parametrize(("vote", "expected"), VOTES)
def test_the_vote_edges(people, vote, expected):
    review = submitted(people, 2021)
    decide = {"review": review, "by": people.standing, "final_rating": "good", "vote": vote}
    if expected is None:
        assert records.decision_set(**decide).vote == vote
    else:
        assert refusal(records.decision_set, **decide)[:2] == expected
        assert not Decision.objects.filter(review=review).exists()


# --- The reason for a rating below the proposed one -------------------------------------------------------


@pytest.mark.parametrize(
    ("proposed", "final", "reason", "refused"),
    [
        ("good", "complete", "", True),
        ("good", "complete", "   ", True),
        ("excellent", "not_complete", "", True),
        ("good", "complete", "Chưa hoàn thành chỉ tiêu cải cách hành chính.", False),
        ("good", "good", "", False),
        ("complete", "good", "", False),  # above the proposal: no reason is asked
    ],
)
def test_a_rating_below_the_proposed_one_gives_its_reason(people, proposed, final, reason, refused):
    review = submitted(people, 2021, proposed=proposed)
    decide = {"review": review, "by": people.standing, "final_rating": final, "reason": reason, "vote": VOTE}
    if refused:
        assert refusal(records.decision_set, **decide) == (400, "reason_required", "reason")
    else:
        assert records.decision_set(**decide).reason == reason.strip()
