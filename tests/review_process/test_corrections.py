"""Corrections with a trail: guidance corrected or withdrawn by its author until confirmed, invitations revoked and
restored, a draft withdrawn by whoever opened it, every remaining opinion accepted at once. Each is an audit event;
each refusal has its code and message."""

import pytest

from permissions.roles import Action
from review_process.access import may_view
from review_process.errors import Conflict, Forbidden, InvalidInput
from review_process.machine import RECORD_ACTIONS, RECORD_MODE
from review_process.models import AuditEvent, Conference, Guidance, OpinionResponse, Review, ReviewParticipant
from review_process.services import records
from tests.conftest import CONFERENCE_AT
from workflows.services import review_transition

pytestmark = pytest.mark.django_db


def last_event(review):
    return AuditEvent.objects.filter(review=review).order_by("-sequence").first()


@pytest.fixture
def guidance(walker, people):
    review = walker.ready_at("awaiting_guidance")  # the board's guidance of 30/11/2021 recorded
    return Guidance.objects.get(review=review)


def test_the_author_corrects_guidance_until_it_is_confirmed(guidance, people):
    corrected = records.guidance_update(guidance=guidance, by=people.board, text="Ý kiến chỉ đạo đã sửa")
    assert Guidance.objects.get(pk=guidance.pk).text == "Ý kiến chỉ đạo đã sửa" == corrected.text
    event = last_event(guidance.review)
    assert (event.action, event.actor, event.payload["guidance_id"]) == (
        "review.guidance.corrected",
        people.board,
        guidance.pk,
    )
    assert event.payload["before"]["text"] == "Ý kiến chỉ đạo của Ban Tổ chức Quận ủy"


def test_withdrawn_guidance_keeps_its_row_and_no_longer_counts(guidance, people):
    records.guidance_withdraw(guidance=guidance, by=people.board, reason="Ghi nhầm hội nghị")
    row = Guidance.objects.get(pk=guidance.pk)
    assert (row.withdrawn_by, row.withdraw_reason) == (people.board, "Ghi nhầm hội nghị") and row.withdrawn_at
    event = last_event(guidance.review)
    assert (event.action, event.payload["reason"]) == ("review.guidance.withdrawn", "Ghi nhầm hội nghị")
    with pytest.raises(Conflict) as error:
        review_transition(review=guidance.review_id, name="give_guidance", by=people.board)
    assert error.value.code == "no_guidance"


def test_only_the_author_corrects_guidance(guidance, people, english):
    before = AuditEvent.objects.count()
    with pytest.raises(Forbidden) as error:
        records.guidance_update(guidance=guidance, by=people.standing, text="Không phải của tôi")
    assert (error.value.code, error.value.message) == (
        "not_author",
        "Only the person who gave this guidance may correct or withdraw it.",
    )
    with pytest.raises(Forbidden):
        records.guidance_withdraw(guidance=guidance, by=people.standing, reason="Không")
    assert AuditEvent.objects.count() == before
    assert Guidance.objects.get(pk=guidance.pk).text == guidance.text


def test_confirmed_guidance_can_no_longer_be_corrected(guidance, people, english):
    review_transition(review=guidance.review_id, name="give_guidance", by=people.board)
    for call, kwargs in (
        (records.guidance_update, {"text": "Muộn"}),
        (records.guidance_withdraw, {"reason": "Muộn"}),
    ):
        with pytest.raises(Conflict) as error:
            call(guidance=guidance, by=people.board, **kwargs)
        assert (error.value.code, error.value.message) == (
            "guidance_confirmed",
            "The guidance has been confirmed: it can no longer be corrected or withdrawn.",
        )


def test_a_revoked_participant_loses_access_and_inviting_again_restores_it(walker, people):
    review = walker.ready_at("collecting_opinions")  # the guest is invited
    participant = ReviewParticipant.objects.get(review=review, person=people.guest)
    assert may_view(people.guest, Review.objects.get(pk=review.pk))
    records.participant_revoke(review=review, by=people.secretary, participant=participant, reason="Mời nhầm")
    row = ReviewParticipant.objects.get(pk=participant.pk)
    assert (row.revoked_by, row.revoke_reason) == (people.secretary, "Mời nhầm") and row.revoked_at
    event = last_event(review)
    assert (event.action, event.payload["person"]) == ("review.participant.revoked", "guest")
    assert not may_view(people.guest, Review.objects.get(pk=review.pk))
    with pytest.raises(Conflict) as error:
        records.participant_revoke(review=review, by=people.secretary, participant=participant)
    assert error.value.code == "already_revoked"

    records.participant_invite(review=review, by=people.secretary, username="guest")
    assert ReviewParticipant.objects.get(pk=participant.pk).revoked_at is None
    assert last_event(review).payload == {**last_event(review).payload, "person": "guest", "restored": True}
    assert may_view(people.guest, Review.objects.get(pk=review.pk))


def test_the_opener_withdraws_a_draft_with_a_reason(walker, people):
    review = walker.open()
    with pytest.raises(InvalidInput) as error:
        review_transition(review=review, name="withdraw", by=people.secretary)
    assert error.value.code == "reason_required"
    review = review_transition(review=review, name="withdraw", by=people.secretary, reason="Mở nhầm năm")
    assert (review.state, review.cancel_reason) == ("cancelled", "Mở nhầm năm")
    event = last_event(review)
    assert (event.action, event.payload["reason"]) == ("review.transition.withdraw", "Mở nhầm năm")
    assert event.payload["occurred_on"]


def test_only_the_opener_withdraws(walker, people, english):
    review = walker.open()  # opened by the secretary
    with pytest.raises(Conflict) as error:
        review_transition(review=review, name="withdraw", by=people.board, reason="Không phải tôi mở")
    assert (error.value.code, error.value.message) == (
        "not_opener",
        "Only the person who opened this review may withdraw it.",
    )
    assert Review.objects.get(pk=review.pk).state == "draft"


def test_accepting_every_remaining_opinion_is_one_event(walker, people):
    review = walker.to_state("finalizing")  # two opinions, unanswered
    records.opinion_respond(
        review=review, by=people.secretary, opinion_id=review.opinions.first().pk, decision="explained", note="Rõ"
    )
    before = AuditEvent.objects.filter(review=review).count()
    assert records.opinions_accept_all(review=review, by=people.secretary, note="Tiếp thu toàn bộ") == 1
    assert AuditEvent.objects.filter(review=review).count() == before + 1
    event = last_event(review)
    assert (event.action, event.payload["note"], len(event.payload["opinion_ids"])) == (
        "review.opinions.accepted_all",
        "Tiếp thu toàn bộ",
        1,
    )
    assert OpinionResponse.objects.filter(opinion__review=review, decision="accepted").count() == 1
    assert records.opinions_accept_all(review=review, by=people.secretary, note="") == 0  # nothing left, no event
    assert AuditEvent.objects.filter(review=review).count() == before + 1


def test_every_record_says_whether_it_replaces_or_adds(walker, people):
    assert set(RECORD_MODE) == set(RECORD_ACTIONS) and set(RECORD_MODE.values()) == {"add", "replace"}
    review = walker.ready_at("awaiting_guidance")
    records.guidance_add(review=review, by=people.board, text="Thêm một ý kiến")
    assert RECORD_MODE[Action.ADD_GUIDANCE] == "add" and Guidance.objects.filter(review=review).count() == 2
    assert RECORD_MODE[Action.RECORD_CONFERENCE] == "replace"
    records.conference_record(
        review=review,
        by=people.secretary,
        held_at=CONFERENCE_AT,
        location="Hội trường",
        chair_username="pvhung",
        attendees=[{"person": "pvhung", "present": True}],
        superior_representatives=["vtthan"],
    )
    assert Conference.objects.filter(review=review).count() == 1
    assert Conference.objects.get(review=review).location == "Hội trường"
