"""The rating rules found afterwards (review_process/compliance/rules/ratings.py): one check, two uses.

Each rule calls the function of review_process.ratings the engine refuses with, on the records as they are and
under the review's pinned regime: a pass and a fail for each, the same data judged differently under the rules
of 2019-2022 and of 2025+, the quota over the organisations under one superior (loaded in bulk), and the
generated minutes and report stating the decision with its vote and reason.
"""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document

from bench.data import build_dataset
from review_process import documents, regimes
from review_process.chained_records import SNAPSHOT_QUERIES
from review_process.compliance.facts import FACTS_QUERIES, PEER_QUERIES
from review_process.compliance.report import compliance_for, review_compliance
from review_process.compliance.rules import RULES_BY_CODE, Status
from review_process.errors import ReviewError
from review_process.models import Decision, Review, SelfAssessment
from review_process.services import records
from tests.conftest import VOTE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

RATING_RULES = ("rating_consistent", "vote_carried", "reason_for_down_rating", "quota_respected")


def verdict(review, rule: str):
    finding = review_compliance(Review.objects.get(pk=review.pk)).finding(rule)
    return finding.status, finding.message


def pin(review, code: str) -> None:
    """Pin the review to the regime ``code`` (as migrate_regime would), saved with .update()."""
    review = Review.objects.get(pk=review.pk)
    review.pin_regime(regimes.regime_by_code(code))
    Review.objects.filter(pk=review.pk).update(regime_code=review.regime_code, regime_rules=review.regime_rules)


def test_the_rules_are_registered_with_their_sources():
    for code in RATING_RULES:
        rule = RULES_BY_CODE[code]
        assert rule.severity == "finding"
    assert "Điều lệ Đảng, Điều 9" in str(RULES_BY_CODE["vote_carried"].citation)
    assert "Điều 11" in str(RULES_BY_CODE["rating_consistent"].citation_for("2025+"))
    assert "Điều 11–12" in str(RULES_BY_CODE["rating_consistent"].citation_for("2023-2024"))
    assert "II.B.2.3a" in str(RULES_BY_CODE["quota_respected"].citation_for("2019-2022"))
    assert "Điều 12" in str(RULES_BY_CODE["quota_respected"].citation_for("2023-2024"))


def test_the_reference_review_passes_the_rating_rules(clean_review):
    assert verdict(clean_review, "rating_consistent") == ("pass", "The ratings follow the rules of 2019-2022.")
    assert verdict(clean_review, "vote_carried") == (
        "pass",
        "11 of 15 members voted for the decision (13 present, 1 against, 1 abstained): more than half.",
    )
    assert verdict(clean_review, "reason_for_down_rating") == (
        "pass",
        "The final rating is not below the proposed one: no reason is needed.",
    )
    assert verdict(clean_review, "quota_respected") == (
        "not_applicable",
        "The rules of 2019-2022 set no quota for organisations.",
    )


def test_nothing_to_judge_before_a_rating(walker):
    review = walker.to_state("finalizing")
    assert verdict(review, "rating_consistent")[0] == "not_applicable"
    assert verdict(review, "vote_carried") == ("not_applicable", "No rating has been decided yet.")
    assert verdict(review, "reason_for_down_rating")[0] == "not_applicable"


# --- rating_consistent ---


def test_a_rating_against_a_ground_for_not_complete_is_refused_and_found(walker, people):
    review = walker.to_state("submitted")
    with pytest.raises(ReviewError) as error:  # the engine refuses it ...
        records.decision_set(review=review, by=people.standing, final_rating="good", triggers=["discipline"], vote=VOTE)
    assert error.value.code == "forced_not_complete"
    records.decision_set(review=review, by=people.standing, final_rating="good", vote=VOTE)
    assert verdict(review, "rating_consistent")[0] == "pass"
    Decision.objects.update(triggers=["discipline"])  # ... and finds it when written outside the engine
    assert verdict(review, "rating_consistent") == (
        "fail",
        "The decision: “Disciplined during the year” forces the rating “not complete”.",
    )


def test_the_same_data_is_judged_by_the_regime_the_review_is_pinned_to(clean_review):
    # As recorded in 2021: no score. Right under 2019-2022; under 2025+ a score is required.
    assert verdict(clean_review, "rating_consistent")[0] == "pass"
    pin(clean_review, "2025+")
    status, message = verdict(clean_review, "rating_consistent")
    assert status == "fail"
    required = "From 2025 the rating is based on a score: give the score (0 to 100)."
    assert message == f"The self-assessment: {required} The decision: {required}"

    # With a score of 75 ("good" from 70): right under 2025+, refused under 2019-2022.
    SelfAssessment.objects.update(score=75)
    Decision.objects.update(score=75)
    assert verdict(clean_review, "rating_consistent") == ("pass", "The ratings follow the rules of 2025+.")
    pin(clean_review, "2019-2022")
    status, message = verdict(clean_review, "rating_consistent")
    assert status == "fail"
    assert message.startswith("The self-assessment: Before 2025 ratings are not scored: leave the score out.")

    # A score that gives another rating is found under 2025+.
    pin(clean_review, "2025+")
    Decision.objects.update(score=95)
    assert verdict(clean_review, "rating_consistent") == (
        "fail",
        "The decision: A score of 95 gives “Excellent (hoàn thành xuất sắc nhiệm vụ)”, not “Good (hoàn thành tốt "
        "nhiệm vụ)” (thresholds 90/70/50).",
    )


# --- vote_carried ---


@pytest.mark.parametrize(
    ("vote", "message"),
    [
        (None, "The decision records no vote of the standing committee."),
        (
            {"members": 15, "present": 13, "for": 7, "against": 5, "abstain": 1},
            "The decision is not valid: 7 of 15 members voted for it; more than half (8) are needed.",
        ),
        (
            {"members": 15, "present": 16, "for": 9, "against": 0, "abstain": 0},
            "The vote does not add up: present cannot exceed members, and for + against + abstain cannot exceed "
            "present.",
        ),
    ],
)
def test_a_decision_not_carried_by_a_majority_of_the_members_is_found(clean_review, vote, message):
    Decision.objects.update(vote=vote)
    assert verdict(clean_review, "vote_carried") == ("fail", message)


# --- reason_for_down_rating ---


def test_a_rating_below_the_proposal_without_a_reason_is_found(clean_review):
    Decision.objects.update(final_rating="complete", reason="")
    assert verdict(clean_review, "reason_for_down_rating") == (
        "fail",
        "The final rating is below the proposed one: give the reason.",
    )
    Decision.objects.update(reason="Chưa hoàn thành chỉ tiêu cải cách hành chính.")
    assert verdict(clean_review, "reason_for_down_rating") == (
        "pass",
        "The rating is below the proposed one and the reason is recorded.",
    )


# --- quota_respected (2023 on: organisations under one superior) ---


def reports_by_review(year: int, code: str) -> dict[int, dict[str, object]]:
    return {
        report.review_id: {f.rule: f for f in report.findings if f.rule in RATING_RULES}
        for report in compliance_for(year, code)
    }


def test_the_quota_over_the_organisations_under_one_superior():
    # Two districts of seven wards, every ward rated good in 2023 ("2023-2024" caps organisations by group).
    build_dataset(reviews=14, root_code="Q", wards_per_district=7, year=2023)
    reviews = list(Review.objects.filter(year=2023).order_by("pk"))
    first_district = [r for r in reviews if r.organization.superior_id == reviews[0].organization.superior_id]
    assert len(first_district) == 7
    found = reports_by_review(2023, "Q")
    assert {f["quota_respected"].status for f in found.values()} == {Status.PASS}
    assert found[reviews[0].pk]["quota_respected"].message == (
        "0 of the 7 decided organisations under the same direct superior were rated excellent, for 7 rated good: "
        "within the quota."
    )

    # Two excellent for five good in the first district: over the cap (one for five), whoever decided what.
    Decision.objects.filter(review__in=first_district[:2]).update(final_rating="excellent")
    found = reports_by_review(2023, "Q")
    failing = {pk for pk, f in found.items() if f["quota_respected"].status == Status.FAIL}
    assert failing == {r.pk for r in first_district}  # the other district keeps the quota
    finding = found[first_district[0].pk]["quota_respected"]
    assert finding.message == (
        "Group “organisations under the same direct superior in 2023”: 2 rated excellent for 5 rated good; at "
        "most 1 (one excellent for every 5 good)."
    )
    assert finding.evidence == [{"type": "review", "id": r.pk} for r in first_district]

    # A cancelled review is not a peer: one excellent for five good is within the cap.
    Review.objects.filter(pk=first_district[1].pk).update(state="cancelled")
    found = reports_by_review(2023, "Q")
    assert found[first_district[0].pk]["quota_respected"].status == Status.PASS


def test_the_quota_costs_one_query_per_batch_whatever_its_size():
    build_dataset(reviews=4, root_code="S", wards_per_district=2, year=2023)
    build_dataset(reviews=20, root_code="L", wards_per_district=5, year=2023)
    counts = []
    for code in ("S", "L"):
        with CaptureQueriesContext(connection) as queries:
            list(compliance_for(2023, code))
        counts.append(len(queries.captured_queries))
    assert counts == [1 + FACTS_QUERIES + PEER_QUERIES + SNAPSHOT_QUERIES] * 2  # the events are read once


# --- The documents state the decision as recorded ---


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_the_minutes_and_the_report_state_the_decision_with_its_vote_and_reason(clean_review):
    tally = "Kết quả biểu quyết: tổng số 15 ủy viên, có mặt 13; tán thành 11, không tán thành 1, không biểu quyết 1."
    minutes = docx_text(documents.conference_minutes_docx(clean_review))
    assert "KẾT QUẢ XẾP LOẠI (GHI NHẬN SAU HỘI NGHỊ)" in minutes
    assert "Quyết định xếp loại của cấp có thẩm quyền (ghi nhận ngày 08/12/2021, đồng chí Lê Quang Vinh" in minutes
    assert tally in minutes
    assert "Lý do" not in minutes  # none recorded: nothing said
    Decision.objects.update(final_rating="complete", reason="Chưa hoàn thành chỉ tiêu cải cách hành chính.")
    expected = (
        "Lý do xếp loại thấp hơn mức tự đánh giá (Hoàn thành tốt nhiệm vụ): "
        "Chưa hoàn thành chỉ tiêu cải cách hành chính."
    )
    for text in (
        docx_text(documents.conference_minutes_docx(clean_review)),
        docx_text(documents.final_report_docx(clean_review)),
    ):
        assert tally in text and expected in text


def test_the_minutes_say_nothing_of_a_decision_not_yet_taken(walker):
    review = walker.to_state("submitted")
    assert "KẾT QUẢ XẾP LOẠI" not in docx_text(documents.conference_minutes_docx(review))
