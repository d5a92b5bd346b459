"""Each rule, broken in turn: the exact finding, and no other rule failing with it."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from review_process.audit import audit_record
from review_process.compliance import rules
from review_process.compliance.facts import event_day, facts_for, record_day
from review_process.compliance.report import review_compliance
from review_process.compliance.rules import RULES, Rule, Severity, Status, passed
from review_process.errors import Conflict, Forbidden
from review_process.models import (
    AuditEvent,
    Conference,
    Decision,
    Guidance,
    Notification,
    Opinion,
    RemedialItem,
    ReportVersion,
    Review,
)
from review_process.regimes import REGIMES
from review_process.services import records
from tests.compliance.conftest import at, open_review, record_conference, walk
from tests.conftest import VOTE
from tests.factories import PositionFactory, UserFactory
from workflows.services import review_transition

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("english")]


def failures(review) -> dict:
    # The rules are broken here by editing rows directly, which records_intact also finds (test_records_in_chain).
    findings = review_compliance(review).findings
    return {f.rule: f for f in findings if f.status == Status.FAIL and f.rule != "records_intact"}


def only_failure(review, rule: str):
    failed = failures(review)
    assert set(failed) == {rule}, {code: f.message for code, f in failed.items()}
    return failed[rule]


# --- The registry ---


def test_every_rule_is_complete_and_cites_its_source():
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes)) == 21
    regime_codes = {r.code for r in REGIMES}
    for rule in RULES:
        assert rule.title_vi and rule.title_en and rule.checks_what
        assert rule.severity in ("blocking", "finding")
        assert set(rule.regimes) <= regime_codes
        for citation in [rule.citation, *rule.regime_citations.values()]:
            assert citation.document
            # Rules whose source domain-rules.md marks [I] or [U] say so in the reference.
            assert ("unverified" in str(citation)) == (citation.tag in ("I", "U")), rule.code
    assert [r.code for r in RULES if r.severity == "blocking"] == ["superior_representative"]


def test_a_rule_outside_its_regimes_is_not_applicable(clean_review):
    rule = Rule(
        code="only_2025",
        title_vi="Chỉ từ 2025",
        title_en="Only from 2025",
        severity="finding",
        citation=RULES[0].citation,
        check=lambda f: passed("checked"),
        checks_what="-",
        regimes=("2025+",),
    )
    finding = rule.evaluate(facts_for(clean_review))
    assert (finding.status, finding.message) == ("not_applicable", "This rule does not apply to reviews of 2021.")


def test_a_rule_is_declared_on_its_check():
    declare = rules.rule(
        code="only_2025",
        severity=Severity.FINDING,
        citation=RULES[0].citation,
        title_vi="Chỉ từ 2025",
        title_en="Only from 2025",
        checks_what="-",
    )

    @declare
    def only_2025(f):
        return passed("checked")

    assert isinstance(only_2025, Rule) and only_2025.code == "only_2025" and only_2025.blocks == ()
    assert only_2025.check(None).status == Status.PASS
    with pytest.raises(ValueError):
        rules.rule(
            code="x",
            severity=Severity.BLOCKING,
            citation=RULES[0].citation,
            title_vi="-",
            title_en="-",
            checks_what="-",
        )
    with pytest.raises(ValueError):
        rules.rule(
            code="x",
            severity=Severity.FINDING,
            blocks=("close",),
            citation=RULES[0].citation,
            title_vi="-",
            title_en="-",
            checks_what="-",
        )


# --- A clean review ---


def test_the_reference_review_walked_by_the_rules_is_compliant(clean_review):
    report = review_compliance(clean_review)
    assert report.compliant
    # The 2019-2022 rules set no quota for organisations (review_process.regimes): that rule does not apply.
    expected = {rule.code: "pass" for rule in RULES} | {"quota_respected": "not_applicable"}
    # The rules of the individual reviews of leaders do not judge a collective review.
    expected |= dict.fromkeys(
        ("secret_ballot_recorded", "leader_after_collective", "head_not_above_collective"), "not_applicable"
    )
    assert {f.rule: f.status for f in report.findings} == expected
    body = report.as_dict()
    assert set(body) == {"compliant", "findings"}
    assert set(body["findings"][0]) == {"rule", "status", "message", "reference", "evidence"}
    notice = report.finding("draft_notice")
    assert notice.message == (
        "The draft was circulated on 20/11/2021, 10 days before the conference on 30/11/2021 (at least 3 required)."
    )
    assert {"type": "conference", "id": Conference.objects.get().pk} in notice.evidence


def test_a_review_in_progress_is_judged_only_on_the_steps_taken(walker):
    review = walk(walker, open_review(walker), "collecting_opinions")
    report = review_compliance(review)
    assert report.compliant
    applicable = {f.rule for f in report.findings if f.status != "not_applicable"}
    assert applicable == {"stage_order", "dates_in_order", "evidence_complete"}
    assert report.finding("remedial_plan").message == "The review has not been closed yet; the plan may still be filed."


# --- stage_order ---


def _append_event(review, people, **fields):
    with transaction.atomic():
        return audit_record(review=review, actor=people.secretary, role="secretary", **fields)


def test_a_skipped_step_in_the_trail_is_found(walker, people):
    review = walk(walker, open_review(walker), "collecting_opinions")
    event = _append_event(
        review,
        people,
        action="review.transition.give_guidance",
        from_state="awaiting_guidance",
        to_state="finalizing",
    )
    finding = failures(review)["stage_order"]
    assert finding.message == (
        f"The step “give_guidance” (event {event.sequence}) started from the stage “Awaiting guidance” while the "
        "review was at the stage “Collecting opinions”: a step was skipped or taken out of order."
    )
    assert finding.evidence == [{"type": "audit_event", "id": event.pk}]


def test_a_step_outside_the_sequence_is_found(walker, people):
    review = walk(walker, open_review(walker), "collecting_opinions")
    event = _append_event(
        review,
        people,
        action="review.transition.give_guidance",
        from_state="collecting_opinions",
        to_state="finalizing",
    )
    assert failures(review)["stage_order"].message == (
        f"The step “give_guidance” (event {event.sequence}) went from “Collecting opinions” to “Finalising”, "
        "which is not a step of the prescribed sequence."
    )


def test_a_stage_that_disagrees_with_the_trail_is_found(clean_review):
    type(clean_review).objects.filter(pk=clean_review.pk).update(state="approved")
    assert only_failure(clean_review, "stage_order").message == (
        "The review is at the stage “Approved” but its audit trail ends at the stage “Closed”."
    )


# --- draft_notice ---


def test_a_draft_circulated_after_the_conference_is_found(clean_review):
    """The conference before the circulation: the services refuse it (review_process.dates); the rule finds it
    when the records say so anyway."""
    Conference.objects.update(held_at=at(19, 8))
    finding = failures(clean_review)["draft_notice"]
    assert finding.message == "The draft was circulated on 20/11/2021, after the conference on 19/11/2021."


def test_a_draft_circulated_the_day_before_the_conference_is_found(walker):
    review = walk(walker, open_review(walker), schedule={"draft": at(29, 15)})
    finding = only_failure(review, "draft_notice")
    assert finding.message == (
        "The draft was circulated on 29/11/2021, only 1 day before the conference on 30/11/2021; "
        "at least 3 days are required."
    )
    circulated = AuditEvent.objects.get(action="review.transition.circulate_draft")
    assert {"type": "audit_event", "id": circulated.pk} in finding.evidence
    assert "unverified" in finding.reference


@override_settings(REVIEW_DRAFT_NOTICE_DAYS=14)
def test_the_notice_period_is_a_setting(clean_review):
    assert only_failure(clean_review, "draft_notice").message == (
        "The draft was circulated on 20/11/2021, only 10 days before the conference on 30/11/2021; "
        "at least 14 days are required."
    )


# --- conference_deadline ---


def test_a_conference_after_the_deadline_is_found(walker, people):
    late = {
        "collecting_opinions": at(16, 11, month=12),
        "awaiting_guidance": at(16, 12, month=12),
        "finalizing": at(17, month=12),
        "submitted": at(20, month=12),
        "approved": at(21, month=12),
    }
    review = walk(
        walker,
        open_review(walker),
        schedule=late,
        prepare={
            "collecting_opinions": lambda r: record_conference(people, r, held_at=at(16, 8, month=12)),
        },
    )
    finding = only_failure(review, "conference_deadline")
    assert finding.message == "The conference was held on 16/12/2021, after the superior's deadline of 15/12/2021."
    assert finding.evidence == [{"type": "conference", "id": review.conference.pk}]


# --- attendance_quorum ---


def test_a_conference_without_a_quorum_is_found(walker, people):
    attendees = [
        {"person": "pvhung", "present": True},
        {"person": "tvminh", "present": False, "reason": "Công tác"},
        {"person": "lthoa", "present": False, "reason": "Ốm"},
        {"person": "ntlan", "present": True},
    ]
    review = walk(
        walker,
        open_review(walker),
        prepare={"collecting_opinions": lambda r: _conference_with(people, r, attendees)},
    )
    assert only_failure(review, "attendance_quorum").message == (
        "Only 2 of 4 members attended; more than 50% must attend."
    )


def _conference_with(people, review, attendees):
    """The conference with other attendees; the spoken opinion comes from one who was present."""
    records.conference_record(
        review=review,
        by=people.secretary,
        held_at=at(30, 8),
        location="Phòng 305",
        chair_username="pvhung",
        attendees=attendees,
        superior_representatives=["vtthan"],
    )
    records.opinion_add(
        review=review, by=people.secretary, text="Ý kiến tại hội nghị", channel="conference", author_username="ntlan"
    )


# --- superior_representative (the blocking rule's finding: records edited after the step) ---


def test_the_conference_is_judged_on_the_day_it_was_held_in_hanoi(walker, people):
    """Held at 06:30 in Hà Nội on 1/12 is 30/11 in UTC: the day is Hà Nội's."""
    review = walk(
        walker,
        open_review(walker),
        schedule={"collecting_opinions": at(1, 11, month=12), "awaiting_guidance": at(1, 12, month=12)},
        prepare={"collecting_opinions": lambda r: record_conference(people, r, held_at=at(1, 6, month=12))},
    )
    assert review.conference.held_at.astimezone(datetime.UTC).day == 30
    assert review_compliance(review).finding("draft_notice").message == (
        "The draft was circulated on 20/11/2021, 11 days before the conference on 01/12/2021 (at least 3 required)."
    )


def test_a_conference_whose_representatives_were_removed_is_found(clean_review):
    clean_review.conference.superior_representatives.clear()
    finding = only_failure(clean_review, "superior_representative")
    assert finding.message == "No representative of the superior committee is recorded at the conference."
    assert finding.severity == "blocking"


def test_a_representative_without_a_superior_position_does_not_count(clean_review, people):
    clean_review.conference.superior_representatives.set([people.member])
    assert only_failure(clean_review, "superior_representative").message == (
        "Trần Văn Minh is recorded as the superior's representative but held no position in a superior "
        "organisation on 30/11/2021."
    )


# --- guidance_before_finalisation ---


def test_guidance_dated_after_finalisation_began_is_found(clean_review):
    Guidance.objects.update(occurred_on=datetime.date(2021, 12, 1))
    assert only_failure(clean_review, "guidance_before_finalisation").message == (
        "The guidance is dated 01/12/2021, after the review went on to finalisation on 30/11/2021."
    )


def test_guidance_recorded_late_but_dated_when_given_passes(walker):
    """The rules read the day a thing happened, not the day it was typed in: guidance given at the conference
    of 30/11/2021 and recorded on 2/12 (dated 30/11) counts as given before finalisation."""

    def guidance_recorded_late(review):
        with time_machine.travel(at(2, month=12), tick=True):
            records.guidance_add(
                review=review, by=walker.p.board, text="Ý kiến chỉ đạo", occurred_on=datetime.date(2021, 11, 30)
            )
            review_transition(review=review, name="give_guidance", by=walker.p.board, occurred_on=at(30).date())

    review = walk(walker, open_review(walker), "awaiting_guidance")
    guidance_recorded_late(review)
    review = walk(walker, Review.objects.get(pk=review.pk))
    assert review_compliance(review).finding("guidance_before_finalisation").status == "pass"
    assert not failures(review)


# --- opinions_answered ---


def test_an_unanswered_opinion_is_found(clean_review, people):
    opinion = Opinion.objects.create(
        review=clean_review,
        author=people.member2,
        recorded_by=people.member2,
        channel="written",
        text="Ý kiến bị bỏ sót",
        created_at=at(25),
        occurred_on=at(25).date(),
    )
    finding = only_failure(clean_review, "opinions_answered")
    assert finding.message == "1 opinion has no response (accepted or explained)."
    assert finding.evidence == [{"type": "opinion", "id": opinion.pk}]


# --- final_report_revised ---


def test_a_final_report_identical_to_the_draft_is_found(walker, people):
    def finalise_unchanged(review):
        for opinion in review.opinions.all():
            records.opinion_respond(review=review, by=people.secretary, opinion_id=opinion.pk, decision="accepted")
        records.report_version_add(
            review=review, by=people.secretary, text="Dự thảo báo cáo  kiểm điểm 2021", is_final=True
        )
        records.self_assessment_set(review=review, by=people.secretary, proposed_rating="good", justification="...")

    review = walk(walker, open_review(walker), prepare={"finalizing": finalise_unchanged})
    finding = only_failure(review, "final_report_revised")
    assert finding.message == (
        "The final report (version 2) is identical to the circulated draft (version 1) although 2 opinions were "
        "accepted and the superior's guidance was recorded."
    )
    draft, final = ReportVersion.objects.order_by("number")
    assert finding.evidence[:2] == [
        {"type": "report_version", "id": draft.pk},
        {"type": "report_version", "id": final.pk},
    ]


def test_a_final_report_dated_before_the_guidance_is_found(clean_review):
    ReportVersion.objects.filter(is_final=True).update(occurred_on=datetime.date(2021, 11, 29))
    assert only_failure(clean_review, "final_report_revised").message == (
        "The final report (version 2, 29/11/2021) is dated before the guidance of 30/11/2021."
    )


# --- self_assessment_before_decision ---


def test_a_decision_dated_before_the_self_assessment_went_up_is_found(clean_review):
    # The self-assessment goes up with the submission (03/12/2021 in the walk).
    Decision.objects.update(occurred_on=datetime.date(2021, 12, 2))
    assert only_failure(clean_review, "self_assessment_before_decision").message == (
        "The self-assessment (03/12/2021) is dated after the rating decision (02/12/2021)."
    )


# --- competent_body ---


def test_a_rating_decided_by_the_city_instead_of_the_district_is_refused_and_found(clean_review, people, org):
    city = UserFactory(username="ttcity", full_name="Trần Thành Phố")
    PositionFactory(person=city, organization=org.hn, role="standing_committee")
    # One check, two uses: the engine refuses the city (not the direct superior) ...
    with pytest.raises(Forbidden):
        records.decision_set(review=clean_review, by=city, final_rating="good", vote=VOTE)
    # ... and a decision that says otherwise (written outside the engine) is found by the auditors.
    Decision.objects.update(decided_by=city)
    assert only_failure(clean_review, "competent_body").message == (
        "The rating was decided by Trần Thành Phố, who sat on a standing committee above the reviewed "
        "organisation on 08/12/2021 but not on the directly superior one."
    )


def test_a_rating_decided_by_someone_outside_the_standing_committee_is_found(clean_review, people):
    Decision.objects.update(decided_by=people.board)
    finding = only_failure(clean_review, "competent_body")
    assert finding.message == (
        "The rating was decided by Vũ Thị Thân, who held no standing-committee position in a superior "
        "organisation on 08/12/2021."
    )
    assert finding.evidence == [{"type": "decision", "id": clean_review.decision.pk}]


def test_a_position_that_ended_before_the_decision_does_not_count(clean_review, people):
    people.standing.positions.update(end=datetime.date(2021, 12, 1))
    assert "held no standing-committee position" in only_failure(clean_review, "competent_body").message


# --- notification_recorded ---


def test_a_notification_dated_before_the_approval_is_found(clean_review):
    Notification.objects.update(notified_on=datetime.date(2021, 12, 7))
    assert only_failure(clean_review, "notification_recorded").message == (
        "The notification is dated 07/12/2021, before the approval on 08/12/2021."
    )


def test_a_missing_notification_is_found_once_overdue(walker):
    review = walk(walker, open_review(walker), "approved", schedule={"submitted": at(10, month=12)})
    with time_machine.travel(at(20, month=12)):
        finding = review_compliance(review).finding("notification_recorded")
    assert (finding.status, finding.message) == (
        "not_applicable",
        "The notification of results is not recorded yet (due by 25/12/2021).",
    )
    with time_machine.travel(at(26, month=12)):
        finding = review_compliance(review).finding("notification_recorded")
    assert (finding.status, finding.message) == ("fail", "The result approved on 10/12/2021 was never notified.")


# --- remedial_plan and evidence_complete ---


def test_a_remedial_item_due_before_the_approval_is_found(clean_review):
    clean_review.remedial_plan.items.update(due_date=datetime.date(2021, 12, 8))
    finding = only_failure(clean_review, "remedial_plan")
    assert finding.message == "1 item of the remedial plan is due on or before the approval on 08/12/2021."


# --- dates_in_order ---


def test_a_closing_dated_before_the_notification_is_found(clean_review):
    """Out-of-order days the other rules do not judge: the same check the services refuse with
    (review_process.dates.order_error), read from the records."""
    Notification.objects.update(notified_on=datetime.date(2021, 12, 11))
    finding = only_failure(clean_review, "dates_in_order")
    assert finding.message == (
        "The closing of the review (10/12/2021) cannot be dated before the notification of results (11/12/2021)."
    )


def test_a_date_in_the_future_is_found(clean_review):
    future = timezone.localdate() + datetime.timedelta(days=3)
    clean_review.remedial_plan.items.update(due_date=future)  # due dates may lie ahead: not an event
    assert review_compliance(clean_review).finding("dates_in_order").status == "pass"
    Opinion.objects.filter(review=clean_review).update(occurred_on=future)
    finding = failures(clean_review)["dates_in_order"]
    assert finding.message.startswith("The opinion cannot be dated ")


def test_events_recorded_before_occurred_on_existed_are_dated_by_their_recording_in_hanoi():
    """The fallback: an event without occurred_on in its payload is dated by the day it was recorded, in Hà Nội
    (23:30 UTC on 29/11 is 30/11 in Hà Nội); a record without occurred_on by its timestamp."""
    recorded = datetime.datetime(2021, 11, 29, 23, 30, tzinfo=datetime.UTC)
    assert event_day(AuditEvent(occurred_at=recorded, payload={})) == datetime.date(2021, 11, 30)
    assert event_day(AuditEvent(occurred_at=recorded, payload={"occurred_on": "2021-11-23"})) == datetime.date(
        2021, 11, 23
    )
    assert record_day(SimpleNamespace(occurred_on=None, created_at=recorded)) == datetime.date(2021, 11, 30)
    assert record_day(SimpleNamespace(occurred_on=datetime.date(2021, 11, 1), created_at=recorded)) == (
        datetime.date(2021, 11, 1)
    )


def test_closing_without_a_remedial_plan_is_refused(walker, people):
    """One rule, two uses: the engine refuses to close without the plan (guard ``remedial_plan_missing``) ..."""
    review = walk(walker, open_review(walker), "approved")
    records.notification_record(review=review, by=people.board, notified_on=datetime.date(2021, 12, 10))
    with pytest.raises(Conflict) as refused:
        review_transition(review=review, name="close", by=people.board)
    assert refused.value.code == "remedial_plan_missing"


def test_shortcomings_without_a_remedial_plan_are_found(clean_review):
    """... and a closed review whose plan is gone (written outside the engine) is found by the auditors."""
    RemedialItem.objects.filter(plan__review=clean_review).delete()
    failed = failures(clean_review)
    assert set(failed) == {"remedial_plan", "evidence_complete"}
    assert failed["remedial_plan"].message == (
        "Shortcomings were named (2 opinions accepted; final rating “Good (hoàn thành tốt nhiệm vụ)”) but no "
        "remedial plan was filed."
    )
    assert failed["evidence_complete"].message == "The evidence file lacks: 9. Remedial plan."
    assert failed["evidence_complete"].evidence == [{"type": "evidence_item", "id": 9}]


def test_no_plan_is_needed_when_no_shortcoming_was_named(walker, people):
    def explain_all(review):
        for opinion in review.opinions.all():
            records.opinion_respond(
                review=review, by=people.secretary, opinion_id=opinion.pk, decision="explained", note="Đã làm rõ"
            )
        records.report_version_add(review=review, by=people.secretary, text="Báo cáo hoàn chỉnh", is_final=True)
        records.self_assessment_set(
            review=review, by=people.secretary, proposed_rating="excellent", justification="..."
        )

    def decide_excellent(review):
        records.decision_set(review=review, by=people.standing, final_rating="excellent", vote=VOTE)

    review = walk(walker, open_review(walker), prepare={"finalizing": explain_all, "submitted": decide_excellent})
    report = review_compliance(review)
    assert report.compliant
    assert report.finding("remedial_plan").message == (
        "No shortcomings were named (no opinion accepted, rating excellent)."
    )


def test_a_conference_without_an_attendance_list_leaves_the_evidence_file_incomplete(clean_review):
    clean_review.conference.attendance.all().delete()
    failed = failures(clean_review)
    assert set(failed) == {"attendance_quorum", "evidence_complete"}
    assert failed["attendance_quorum"].message == "The conference has no attendance list."
    assert failed["evidence_complete"].message == (
        "The evidence file lacks: 6. Invitation, attendance list and minutes of the conference."
    )


def test_the_walked_review_went_through_every_step_once(clean_review):
    steps = AuditEvent.objects.filter(review=clean_review, action__startswith="review.transition.")
    assert [s.rsplit(".", 1)[1] for s in steps.values_list("action", flat=True)] == [
        "circulate_draft",
        "close_opinions",
        "give_guidance",
        "submit_assessment",
        "approve",
        "close",
    ]
