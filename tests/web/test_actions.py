"""Each action through its web form: it works for the role that may take it, its outcome is stated, errors
land on the right field, and a page drawn before someone else acted says so instead of failing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone

from review_process.errors import Conflict
from review_process.models import ReportVersion, Review, SelfAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(client, people):
    """Log the client in as a persona, reading pages in English (stable strings to assert on)."""

    def login(name: str):
        client.force_login(getattr(people, name))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


# The standing committee's vote as the decision form posts it: 15 members, 13 present, 11 for, 1 against, 1 abstain.
VOTE_FIELDS = {"vote_members": 15, "vote_present": 13, "vote_for": 11, "vote_against": 1, "vote_abstain": 1}


def post(client, review, path, prefix, state=None, follow=False, **fields):
    data = {f"{prefix}-state": state or Review.objects.get(pk=review.pk).state}
    for name, value in fields.items():
        if name == "intent":
            data["intent"] = value
        else:
            data[f"{prefix}-{name}"] = value
    return client.post(f"/reviews/{review.pk}/{path}", data, follow=follow)


def state_of(review) -> str:
    return Review.objects.get(pk=review.pk).state


def messages_of(response) -> list[str]:
    """The messages shown on the page (the latest last)."""
    return [str(m) for m in response.context["messages"]] if response.context else []


def last_message(response) -> str:
    return messages_of(response)[-1]


def test_the_reference_case_from_awaiting_guidance_to_closed_by_forms(as_, walker, people):
    review = walker.to_state("awaiting_guidance")
    events = review.audit_events.count()

    # Organisation board: record the guidance, then confirm it.
    board = as_("board")
    page = board.get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-action="add_guidance"' in page and 'data-action="give_guidance"' in page
    assert "No guidance from the superior has been recorded" in page  # what blocks the next step, in words
    response = post(board, review, "guidance/", "guidance", text="Cần bổ sung số liệu cụ thể.", follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/reviews/{review.pk}/#guidance")
    assert last_message(response) == "The guidance was recorded."
    response = post(board, review, "transitions/give_guidance/", "t-give_guidance", reason="", follow=True)
    assert state_of(review) == "finalizing"
    assert "The review is now at the stage “Finalising”" in last_message(response)

    # Secretary: answer every opinion, add the final report (draft first), self-assess (draft first), submit.
    secretary = as_("secretary")
    for opinion in review.opinions.all():
        response = post(
            secretary, review, f"opinions/{opinion.pk}/response/", f"respond-{opinion.pk}", decision="accepted", note=""
        )
        assert response.status_code == 302
    assert not review.opinions.filter(response__isnull=True).exists()

    versions = ReportVersion.objects.filter(review=review).count()
    response = post(
        secretary,
        review,
        "report/",
        "report",
        text="Báo cáo hoàn chỉnh",
        is_final="on",
        intent="save_draft",
        follow=True,
    )
    assert ReportVersion.objects.filter(review=review).count() == versions  # a draft records nothing
    assert "Draft saved" in last_message(response)
    assert "You are continuing your saved draft" in response.content.decode()
    assert "Báo cáo hoàn chỉnh" in response.content.decode()
    response = post(secretary, review, "report/", "report", text="Báo cáo hoàn chỉnh", is_final="on", intent="submit")
    assert response.status_code == 302
    assert ReportVersion.objects.filter(review=review, is_final=True).count() == 1

    post(
        secretary,
        review,
        "self-assessment/",
        "assessment",
        proposed_rating="good",
        justification="…",
        intent="save_draft",
    )
    assert SelfAssessment.objects.filter(review=review).count() == 0
    response = post(
        secretary,
        review,
        "self-assessment/",
        "assessment",
        proposed_rating="good",
        justification="Lý do",
        intent="submit",
    )
    assert response.status_code == 302
    assert SelfAssessment.objects.get(review=review).proposed_rating == "good"
    post(secretary, review, "transitions/submit_assessment/", "t-submit_assessment", reason="")
    assert state_of(review) == "submitted"

    # A committee member sees the review but has nothing to do at this stage.
    member_page = as_("member").get(f"/reviews/{review.pk}/").content.decode()
    assert 'class="action-form' not in member_page
    assert 'data-testid="no-actions"' in member_page

    # Standing committee: decide, approve.
    standing = as_("standing")
    page = standing.get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-testid="decision-vote-fields"' in page and 'name="decision-score"' not in page  # no score in 2021
    response = post(standing, review, "decision/", "decision", final_rating="good", reason="", **VOTE_FIELDS)
    assert response.status_code == 302
    page = standing.get(f"/reviews/{review.pk}/").content.decode()
    assert "15 members, 13 present: 11 for, 1 against, 1 abstained" in page
    response = post(standing, review, "transitions/approve/", "t-approve", reason="", follow=True)
    assert state_of(review) == "approved"
    assert "Next: “Close and archive” (Organisation board)." in last_message(response)

    # Secretary: remedial plan; board: notification, close.
    response = post(
        as_("secretary"),
        review,
        "remedial-plan/",
        "plan",
        item_0_description="Bổ sung số liệu",
        item_0_owner="Văn phòng Đảng ủy",
        # due after the approval (dated today by default): the domain refuses an earlier one (date_out_of_order)
        item_0_due_date=(timezone.localdate() + datetime.timedelta(days=180)).strftime("%d/%m/%Y"),
        item_1_description="",
        item_1_owner="",
        item_1_due_date="",
        follow=True,
    )
    assert last_message(response) == "The remedial plan was filed (1 items)."
    board = as_("board")
    today = timezone.localdate().strftime("%d/%m/%Y")
    post(board, review, "notification/", "notification", notified_on=today, note="")
    response = post(board, review, "transitions/close/", "t-close", reason="", follow=True)
    assert state_of(review) == "closed"
    assert "Closed" in response.content.decode()

    # Every action left exactly one audit event.
    assert review.audit_events.count() == events + 2 + review.opinions.count() + 1 + 1 + 1 + 2 + 1 + 1 + 1


def test_a_required_reason_is_asked_for_on_its_field(as_, walker):
    review = walker.to_state("submitted")
    standing = as_("standing")
    response = post(standing, review, "transitions/return_for_revision/", "t-return_for_revision", reason="  ")
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'<textarea name="t-return_for_revision-reason"[^>]*aria-invalid="true"', body)
    assert state_of(review) == "submitted"
    response = post(standing, review, "transitions/return_for_revision/", "t-return_for_revision", reason="Bổ sung")
    assert response.status_code == 302
    assert state_of(review) == "finalizing"


def test_a_service_error_lands_on_the_field_it_names(as_, walker):
    review = walker.to_state("approved")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    response = post(as_("board"), review, "notification/", "notification", notified_on=tomorrow, note="")
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r"cannot be dated \d\d/\d\d/\d{4}: that is after today", body)  # code date_in_future
    assert re.search(r'name="notification-notified_on"[^>]*aria-invalid="true"', body)
    assert 'href="#form-notification"' in body  # the error summary links to the form
    assert 'href="#id_notification-notified_on"' in body  # … and to the field


def test_an_explanation_is_required_on_the_note_field(as_, walker):
    review = walker.to_state("finalizing")
    opinion = review.opinions.first()
    response = post(
        as_("secretary"), review, f"opinions/{opinion.pk}/response/", f"respond-{opinion.pk}", decision="explained"
    )
    assert response.status_code == 400
    assert re.search(rf'name="respond-{opinion.pk}-note"[^>]*aria-invalid="true"', response.content.decode())


def test_a_remedial_plan_row_error_lands_on_that_row(as_, walker):
    review = walker.to_state("approved")
    response = post(
        as_("secretary"),
        review,
        "remedial-plan/",
        "plan",
        item_0_description="",
        item_0_owner="",
        item_0_due_date="",
        item_1_description="Khắc phục",
        item_1_owner="",
        item_1_due_date="30/06/2022",
    )
    assert response.status_code == 400
    assert re.search(r'name="plan-item_1_owner"[^>]*aria-invalid="true"', response.content.decode())


def test_a_guard_that_blocks_the_step_is_said_in_plain_words(as_, walker):
    review = walker.to_state("awaiting_guidance")
    response = post(as_("board"), review, "transitions/give_guidance/", "t-give_guidance", reason="")
    assert response.status_code == 409
    assert "No guidance from the superior has been recorded" in response.content.decode()
    assert state_of(review) == "awaiting_guidance"


def test_a_page_drawn_before_someone_else_acted_says_so(as_, walker, people):
    review = walker.to_state("awaiting_guidance", prepared=True)
    board = as_("board")
    seen = state_of(review)
    # Meanwhile another board member (here: the same person in another tab) confirms the guidance.
    post(board, review, "transitions/give_guidance/", "t-give_guidance", reason="")
    assert state_of(review) == "finalizing"
    events = review.audit_events.count()
    response = post(board, review, "transitions/give_guidance/", "t-give_guidance", state=seen, reason="")
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else acted first" in body
    assert "from the stage “Awaiting guidance” to “Finalising”" in body
    assert review.audit_events.count() == events
    # The same for a record form: nothing is saved.
    response = post(board, review, "guidance/", "guidance", state=seen, text="Muộn")
    assert response.status_code == 409
    assert review.guidance.filter(text="Muộn").count() == 0


def test_a_concurrent_transition_is_reported_plainly(as_, walker, monkeypatch):
    review = walker.to_state("awaiting_guidance", prepared=True)

    def lost_the_race(**kwargs):
        raise Conflict(code="someone_else_acted")

    monkeypatch.setattr("web.views.transitions.review_transition", lost_the_race)
    response = post(as_("board"), review, "transitions/give_guidance/", "t-give_guidance", reason="")
    assert response.status_code == 409
    assert "Someone else acted on this review at the same moment" in response.content.decode()


def test_a_role_that_may_not_act_gets_a_refusal_and_nothing_changes(as_, walker):
    review = walker.to_state("awaiting_guidance")
    response = post(as_("member"), review, "guidance/", "guidance", text="Không được phép")
    assert response.status_code == 403
    assert "Your role does not allow this action on this review." in response.content.decode()
    assert not review.guidance.exists()


def test_forms_are_shown_only_to_who_may_take_them(as_, walker):
    review = walker.to_state("collecting_opinions")
    secretary = as_("secretary").get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-action="record_opinion_for_others"' in secretary
    assert 'data-action="record_conference"' in secretary
    assert 'data-action="add_opinion"' not in secretary  # the secretary records others' words, not own opinions
    member = as_("member").get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-action="add_opinion"' in member
    assert 'data-action="record_conference"' not in member
    assert 'data-action="close_opinions"' not in member
    auditor = as_("auditor").get(f"/reviews/{review.pk}/").content.decode()
    assert "action-form" not in auditor


def test_the_secretary_records_the_conference_and_a_spoken_opinion(as_, walker, people):
    review = walker.to_state("collecting_opinions")
    secretary = as_("secretary")
    response = post(
        secretary,
        review,
        "conference/",
        "conference",
        held_on="30/11/2021",
        held_time="08:00",
        location="Phòng 305",
        chair="pvhung",
        superior_representatives=["vtthan"],
        present_pvhung="on",
        present_ntlan="on",
        present_tvminh="on",
        reason_lthoa="Đi công tác",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    conference = Review.objects.get(pk=review.pk).conference
    assert timezone.localtime(conference.held_at).strftime("%d/%m/%Y %H:%M") == "30/11/2021 08:00"
    absent = conference.attendance.get(person__username="lthoa")
    assert (absent.present, absent.reason) == (False, "Đi công tác")
    response = post(
        secretary, review, "opinions/spoken/", "spoken", author="tvminh", text="Ý kiến tại hội nghị", follow=True
    )
    assert last_message(response) == "The opinion of Trần Văn Minh was recorded."
    # An absent person cannot be recorded as having spoken: the error is on the author field.
    response = post(secretary, review, "opinions/spoken/", "spoken", author="lthoa", text="…")
    assert response.status_code == 400
    assert re.search(r'name="spoken-author"[^>]*aria-invalid="true"', response.content.decode())


def test_an_absence_without_a_reason_is_refused_on_its_row(as_, walker):
    review = walker.to_state("collecting_opinions")
    response = post(
        as_("secretary"),
        review,
        "conference/",
        "conference",
        held_on="30/11/2021",
        held_time="08:00",
        location="Phòng 305",
        present_pvhung="on",
    )
    assert response.status_code == 400
    assert "Give the reason for the absence." in response.content.decode()


def test_a_member_gives_a_written_opinion(as_, walker):
    review = walker.to_state("collecting_opinions")
    response = post(
        as_("member2"), review, "opinions/", "opinion", channel="written", text="Góp ý của tôi", follow=True
    )
    assert last_message(response) == "Your opinion was recorded."
    assert review.opinions.filter(author__username="lthoa", text="Góp ý của tôi").exists()


def test_the_secretary_invites_a_participant(as_, walker, people):
    review = walker.to_state("draft")
    response = post(as_("secretary"), review, "participants/", "invite", username="guest", follow=True)
    assert last_message(response) == "Khách mời was invited to read the draft and give an opinion."
    response = post(as_("secretary"), review, "participants/", "invite", username="nobody")
    assert response.status_code == 400
    assert re.search(r'name="invite-username"[^>]*aria-invalid="true"', response.content.decode())


def test_opening_a_review_from_the_home_page(as_, people, org):
    secretary = as_("secretary")
    assert 'data-action="open_review"' in secretary.get("/").content.decode()
    response = secretary.post("/reviews/open/", {"organization": "LB-DG", "year": 2022}, follow=True)
    review = Review.objects.get(organization__code="LB-DG", year=2022)
    assert response.redirect_chain[-1][0].endswith(f"/reviews/{review.pk}/#report")
    response = secretary.post("/reviews/open/", {"organization": "LB-DG", "year": 2022})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert 'data-action="open_review"' not in as_("member").get("/").content.decode()


def test_the_report_diff_marks_added_and_removed_words(as_, walker):
    review = walker.to_state("finalizing", prepared=True)
    first, last = review.report_versions.order_by("number").values_list("number", flat=True)
    body = as_("member").get(f"/reviews/{review.pk}/report/compare/?old={first}&new={last}").content.decode()
    assert "<del>" in body and "<ins>" in body
    assert "[removed]" in body and "[added]" in body  # said to screen readers, not only shown in colour
    assert as_("member").get(f"/reviews/{review.pk}/report/compare/?old=99&new=1").status_code == 400


def test_the_audit_trail_reads_as_a_timeline(as_, walker):
    review = walker.to_state("finalizing")
    body = as_("auditor").get(f"/reviews/{review.pk}/audit-trail/").content.decode()
    assert 'data-testid="audit-timeline"' in body
    assert "opened the review" in body
    assert "Awaiting guidance → Finalising" in body
    assert body.count("<li class=") == review.audit_events.count()


def test_dates_are_day_month_year(as_, walker):
    review = walker.to_state("awaiting_guidance")
    body = as_("secretary").get(f"/reviews/{review.pk}/").content.decode()
    assert "30/11/2021 08:00" in body  # the conference, in Hà Nội time


def test_vietnamese_is_the_default_and_english_is_one_click_away(client, people, walker):
    review = walker.to_state("draft")
    client.force_login(people.secretary)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert '<html lang="vi">' in page
    assert 'data-testid="language-switch"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": f"/reviews/{review.pk}/"}, follow=True)
    assert '<html lang="en">' in response.content.decode()
    assert "What you can do now" in response.content.decode()
