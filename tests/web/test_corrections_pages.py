"""Corrections through the review page, each with its audit event: a guidance corrected or withdrawn by its author
until it is confirmed, an invitation revoked, a draft review withdrawn by whoever opened it, every remaining
opinion accepted at once; and each refusal shown at the top and at the field."""

from __future__ import annotations

import re

import pytest

from review_process.models import AuditEvent, Guidance, OpinionResponse, Review, ReviewParticipant
from review_process.services import records
from tests.web.test_actions import post

pytestmark = pytest.mark.django_db


def last_action(review) -> str:
    return AuditEvent.objects.filter(review=review).order_by("-sequence").first().action


def guidance_of(walker, people):
    review = walker.to_state("awaiting_guidance", prepared=True)
    return review, Guidance.objects.get(review=review)  # the walker's guidance, by the board (vtthan)


def test_the_author_corrects_the_guidance_until_it_is_confirmed(login, walker, people):
    review, guidance = guidance_of(walker, people)
    board = login("board")
    page = board.get(f"/reviews/{review.pk}/").content.decode()
    assert f'id="form-guidance-{guidance.pk}"' in page and f'id="form-gwithdraw-{guidance.pk}"' in page
    response = post(
        board,
        review,
        f"guidance/{guidance.pk}/correct/",
        f"guidance-{guidance.pk}",
        text="Bổ sung số liệu năm 2021.",
        occurred_on="2021-11-30",
    )
    assert response.status_code == 302
    guidance.refresh_from_db()
    assert guidance.text == "Bổ sung số liệu năm 2021."
    assert last_action(review) == "review.guidance.corrected"
    # Someone else (the standing committee may record guidance too) is not offered another's guidance.
    assert f'id="form-guidance-{guidance.pk}"' not in login("standing").get(f"/reviews/{review.pk}/").content.decode()


def test_the_author_withdraws_the_guidance_with_a_reason(login, walker, people):
    review, guidance = guidance_of(walker, people)
    board = login("board")
    response = post(board, review, f"guidance/{guidance.pk}/withdraw/", f"gwithdraw-{guidance.pk}", reason="")
    assert response.status_code == 400  # the reason is required: at the top and at the field
    body = response.content.decode()
    assert f'href="#id_gwithdraw-{guidance.pk}-reason"' in body
    assert re.search(rf'name="gwithdraw-{guidance.pk}-reason"[^>]*aria-invalid="true"', body)
    response = post(
        board, review, f"guidance/{guidance.pk}/withdraw/", f"gwithdraw-{guidance.pk}", reason="Ghi nhầm hội nghị."
    )
    assert response.status_code == 302
    guidance.refresh_from_db()
    assert guidance.withdrawn_at is not None and guidance.withdraw_reason == "Ghi nhầm hội nghị."
    assert last_action(review) == "review.guidance.withdrawn"
    page = board.get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-withdrawn="yes"' in page and f'id="form-guidance-{guidance.pk}"' not in page


def test_a_confirmed_guidance_is_refused_at_the_form(login, walker, people):
    review, guidance = guidance_of(walker, people)
    state = review.state
    walker.advance_awaiting_guidance(review)  # give_guidance: confirmed
    response = post(
        login("board"),
        review,
        f"guidance/{guidance.pk}/correct/",
        f"guidance-{guidance.pk}",
        state=state,
        text="Muộn rồi.",
    )
    assert response.status_code == 409  # the page was drawn before the step: someone else acted / confirmed
    # Drawn after the step (no longer offered, posted anyway): the service's refusal, at the top of the page.
    response = post(
        login("board"), review, f"guidance/{guidance.pk}/correct/", f"guidance-{guidance.pk}", text="Muộn rồi."
    )
    assert response.status_code == 409
    assert f'href="#form-guidance-{guidance.pk}"' in response.content.decode()
    guidance.refresh_from_db()
    assert guidance.text != "Muộn rồi."


def test_the_secretary_revokes_an_invitation(login, walker, people):
    review = walker.open()
    participant = records.participant_invite(review=review, by=people.secretary, username="guest")
    secretary = login("secretary")
    response = post(
        secretary,
        review,
        f"participants/{participant.pk}/revoke/",
        f"revoke-{participant.pk}",
        reason="Mời nhầm người.",
    )
    assert response.status_code == 302
    participant = ReviewParticipant.objects.get(pk=participant.pk)
    assert participant.revoked_at is not None
    assert last_action(review) == "review.participant.revoked"
    page = secretary.get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-revoked="yes"' in page and f'id="form-revoke-{participant.pk}"' not in page
    assert login("guest").get(f"/reviews/{review.pk}/").status_code == 404


def test_the_opener_withdraws_a_draft_with_a_reason_and_nobody_else_is_offered_it(login, walker, people):
    review = walker.open()  # opened by the secretary
    assert 'data-action="withdraw"' not in login("board").get(f"/reviews/{review.pk}/").content.decode()
    secretary = login("secretary")
    assert 'data-action="withdraw"' in secretary.get(f"/reviews/{review.pk}/").content.decode()
    response = post(secretary, review, "transitions/withdraw/", "t-withdraw", reason="")
    assert response.status_code == 400
    assert 'href="#id_t-withdraw-reason"' in response.content.decode()
    response = post(secretary, review, "transitions/withdraw/", "t-withdraw", reason="Mở nhầm năm.")
    assert response.status_code == 302
    assert Review.objects.get(pk=review.pk).state == "cancelled"
    assert last_action(review) == "review.transition.withdraw"


def test_all_remaining_opinions_are_accepted_with_one_note(login, walker, people):
    review = walker.to_state("finalizing")
    waiting = review.opinions.filter(response__isnull=True).count()
    assert waiting >= 2
    secretary = login("secretary")
    page = secretary.get(f"/reviews/{review.pk}/").content.decode()
    assert 'id="form-acceptall"' in page
    response = post(secretary, review, "opinions/accept-all/", "acceptall", note="Tiếp thu vào báo cáo.")
    assert response.status_code == 302
    responses = OpinionResponse.objects.filter(opinion__review=review)
    assert responses.count() == waiting and {r.note for r in responses} == {"Tiếp thu vào báo cáo."}
    assert last_action(review) == "review.opinions.accepted_all"
    assert 'id="form-acceptall"' not in secretary.get(f"/reviews/{review.pk}/").content.decode()  # none left
