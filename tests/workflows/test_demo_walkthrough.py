"""README's walk-through of the demo, step by step through the services, at the dates README gives: the reference
review ends closed and compliant (every rule passes or does not apply).

README (section "Quick start") is the script: the board records the guidance given at the conference and confirms
it; the secretary answers the nine opinions, adds the final report and the self-assessment and submits; the
standing committee decides the rating by its vote and approves; the board records the notification; the
secretary files the remedial plan; the board closes. If README changes its walk, this test changes with it.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from review_process.compliance.report import review_compliance
from review_process.compliance.rules import RULES
from review_process.errors import ReviewError
from review_process.models import Review
from review_process.services import drafting, records
from workflows import demo
from workflows.services import review_transition

pytestmark = pytest.mark.django_db

D = datetime.date
# The days README tells each person to enter (and the demo's own ``DATES``, so README, demo and test agree).
README_DATES = {
    "guidance": D(2021, 11, 30),
    "give_guidance": D(2021, 11, 30),
    "final_report": D(2021, 12, 3),
    "submit_assessment": D(2021, 12, 6),
    "decision": D(2021, 12, 14),
    "approve": D(2021, 12, 14),
    "notification": D(2021, 12, 17),
    "remedial_plan": D(2021, 12, 24),
    "close": D(2021, 12, 28),
}
#: The rules that judge only individual reviews of leaders, and the quota (no quota for organisations in 2021).
NOT_APPLICABLE = {"secret_ballot_recorded", "leader_after_collective", "head_not_above_collective", "quota_respected"}


def walk_readme() -> Review:
    """README's walk-through, each person doing their own steps, at README's dates."""
    review, created = demo.seed_demo()
    assert created and review.state == "awaiting_guidance"
    than, hung, vinh = demo.person("vtthan"), demo.person("pvhung"), demo.person("lqvinh")
    day = README_DATES

    # vtthan (organisation board): the guidance given at the conference, then confirm it.
    records.guidance_add(review=review, by=than, text=demo.GUIDANCE_TEXT, occurred_on=day["guidance"])
    review = review_transition(review=review, name="give_guidance", by=than, occurred_on=day["give_guidance"])

    # pvhung (secretary): every opinion accepted at once (the article: all were), the final report, the
    # self-assessment.
    assert drafting.opinions_accept_all(review=review, by=hung, note="Tiếp thu toàn bộ") == 9
    records.report_version_add(
        review=review, by=hung, text=demo.FINAL_TEXT, is_final=True, occurred_on=day["final_report"]
    )
    records.self_assessment_set(review=review, by=hung, proposed_rating="good", justification=demo.SELF_ASSESSMENT_TEXT)
    review = review_transition(review=review, name="submit_assessment", by=hung, occurred_on=day["submit_assessment"])

    # lqvinh (standing committee): the rating by the committee's vote, then approve.
    records.decision_set(
        review=review, by=vinh, final_rating="good", vote=demo.DECISION_VOTE, occurred_on=day["decision"]
    )
    review = review_transition(review=review, name="approve", by=vinh, occurred_on=day["approve"])

    # vtthan: the notification of results; pvhung: the remedial plan; vtthan: close.
    records.notification_record(review=review, by=than, notified_on=day["notification"])
    records.remedial_plan_set(review=review, by=hung, items=demo.REMEDIAL_ITEMS, occurred_on=day["remedial_plan"])
    return review_transition(review=review, name="close", by=than, occurred_on=day["close"])


def test_readme_dates_are_the_demos():
    assert {k: demo.DATES[k] for k in README_DATES} == README_DATES


def test_the_walk_through_ends_in_a_compliant_closed_review():
    review = walk_readme()
    assert review.state == "closed"
    assert (review.circulated_on, review.submitted_on, review.approved_on, review.closed_on) == (
        D(2021, 11, 23),
        D(2021, 12, 6),
        D(2021, 12, 14),
        D(2021, 12, 28),
    )
    with translation.override("en"):
        report = review_compliance(review)
    statuses = {f.rule: str(f.status) for f in report.findings}
    assert statuses == {r.code: ("not_applicable" if r.code in NOT_APPLICABLE else "pass") for r in RULES}, {
        f.rule: f.message for f in report.findings if f.status == "fail"
    }
    assert report.compliant
    # The draft's notice is judged on the days things happened, not on the day the demo was loaded.
    assert report.finding("draft_notice").message == (
        "The draft was circulated on 23/11/2021, 7 days before the conference on 30/11/2021 (at least 3 required)."
    )
    assert report.finding("notification_recorded").message == "The result was notified on 17/12/2021."


def test_closing_without_the_remedial_plan_is_refused_on_the_walk():
    """The step README's earlier walk missed: the board cannot close before the secretary files the plan."""
    review, _created = demo.seed_demo(through="approved")
    than = demo.person("vtthan")
    records.notification_record(review=review, by=than, notified_on=README_DATES["notification"])
    with pytest.raises(ReviewError) as refused:
        review_transition(review=review, name="close", by=than, occurred_on=README_DATES["close"])
    assert refused.value.code == "remedial_plan_missing"
    assert Review.objects.get(pk=review.pk).state == "approved"


def test_the_demo_through_closed_is_the_same_compliant_record():
    review, _created = demo.seed_demo(through="closed")
    assert review.state == "closed"
    report = review_compliance(review)
    assert report.compliant, {f.rule: f.message for f in report.findings if f.status == "fail"}
