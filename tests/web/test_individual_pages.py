"""The pages of an individual review of a leader: whose review it is, the self-review, the comments by channel,
the secret-ballot tally (hidden from the person reviewed until the decision) and its form, the order and the
ceiling refused on the decision form, and the lists that name the person reviewed."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from review_process.availability import CONFLICT_OF_INTEREST
from review_process.models import Ballot, Review
from review_process.services import records
from review_process.services.individual import TALLY_HIDDEN
from tests.conftest import VOTE
from tests.review_process.test_individual_reviews import BOARD, TALLY, IndividualWalker
from tests.web.test_actions import VOTE_FIELDS, post

pytestmark = pytest.mark.django_db

RESIDENCE = "Chi ủy nơi cư trú: gương mẫu chấp hành quy định nơi cư trú."


@pytest.fixture
def as_(client, people):
    """Log the client in as a persona, reading pages in English (stable strings to assert on)."""

    def login(name: str):
        client.force_login(getattr(people, name))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


@pytest.fixture
def collective(walker):
    """The Đức Giang collective review of 2021, submitted (not decided yet)."""
    return walker.to_state("submitted")


OPINIONS_ON = datetime.date(2021, 11, 25)  # between the circulation and the conference (review_process.dates)


def individual_at(people, state: str, *, ballot: bool = False) -> Review:
    """Phan Việt Hưng's 2021 individual review at ``state``, with the residence committee's written comment."""
    walker = IndividualWalker(people)
    review = walker.open()
    while review.state != state:
        if review.state == "collecting_opinions" and not review.opinions.filter(channel="residence").exists():
            records.opinion_add(
                review=review, by=people.deputy, text=RESIDENCE, channel="residence", occurred_on=OPINIONS_ON
            )
        review = walker.step(review)
    if ballot:
        walker.prepare_submitted(review)
    return Review.objects.get(pk=review.pk)


def page(client, review) -> str:
    response = client.get(f"/reviews/{review.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def decide(people, collective, individual):
    records.decision_set(review=collective, by=people.standing, final_rating="good", vote=VOTE)
    records.decision_set(review=individual, by=people.standing, final_rating="good", vote=VOTE)


def test_the_page_says_whose_review_it_is_and_shows_the_self_review_comments_and_guidance(as_, people, collective):
    review = individual_at(people, "submitted", ballot=True)
    body = page(as_("board"), review)
    assert "Individual review: comrade Phan Việt Hưng, Secretary" in body
    assert 'id="report-heading">Self-review<' in body  # an open section's h2, or a folded one's summary
    assert "Comments on the self-review" in body
    assert 'data-channel="residence"' in body and RESIDENCE in body
    assert "Written comment of the residence party committee" in body  # the channel, labelled
    assert "Ý kiến chỉ đạo của Ban Tổ chức Quận ủy" in body  # the guidance
    # The tally, as recorded, with its board and who recorded it.
    assert 'data-testid="ballot-tally"' in body
    assert 'data-testid="ballot-good">6<' in body and 'data-testid="ballot-invalid">1<' in body
    assert "<dt>Excellent (hoàn thành xuất sắc nhiệm vụ)</dt>" in body and "<dt>Ballots cast</dt>" in body
    assert all(name in body for name in BOARD)
    assert "Nguyễn Thị Lan," in body  # recorded by the deputy
    # A collective review's page has none of it.
    collective_body = page(as_("board"), collective)
    assert "Individual review" not in collective_body and 'id="ballot"' not in collective_body


def test_the_person_reviewed_sees_the_tally_only_after_the_decision(as_, people, collective):
    review = individual_at(people, "submitted", ballot=True)
    before = page(as_("secretary"), review)
    assert str(TALLY_HIDDEN) in before
    assert 'data-testid="ballot-tally"' not in before and 'data-testid="ballot-good"' not in before
    assert 'id="form-ballot"' not in before  # nobody judges their own review
    decide(people, collective, review)
    after = page(as_("secretary"), review)
    assert str(TALLY_HIDDEN) not in after
    assert 'data-testid="ballot-good">6<' in after


def test_a_deputy_records_the_ballot_through_the_form(as_, people, collective):
    review = individual_at(people, "submitted")
    deputy = as_("deputy")
    body = page(deputy, review)
    assert 'data-testid="no-ballot"' in body and 'id="form-ballot"' in body
    fields = {**TALLY, "counting_board": "Nguyễn Thị Lan\n\n  Trần Văn Minh  \n"}

    # Counts that do not add up: the service's error at the top of the form, nothing recorded.
    bad = post(deputy, review, "ballot/", "ballot", **{**fields, "cast": 20})
    assert bad.status_code == 400
    assert "The tally does not add up" in bad.content.decode()
    assert bad.context["forms"]["ballot"].non_field_errors()
    assert not Ballot.objects.filter(review=review).exists()

    response = post(deputy, review, "ballot/", "ballot", follow=True, **fields)
    assert response.redirect_chain[-1][0].endswith(f"/reviews/{review.pk}/#ballot")
    ballot = Ballot.objects.get(review=review)
    assert (ballot.cast, ballot.good, ballot.counting_board) == (10, 6, BOARD)
    assert ballot.recorded_by == people.deputy
    assert "10 ballots cast of 11 eligible" in str(list(response.context["messages"])[-1])
    # The form now corrects what is recorded.
    assert response.context["forms"]["ballot"].initial["counting_board"] == "\n".join(BOARD)


def test_the_person_reviewed_cannot_record_their_own_ballot(as_, people, collective):
    review = individual_at(people, "submitted")
    response = post(as_("secretary"), review, "ballot/", "ballot", **TALLY, counting_board="A")
    assert response.status_code == 403  # a crafted post: the form is never shown to them
    assert [str(m) for m in response.context["messages"]] == [str(CONFLICT_OF_INTEREST)]
    assert not Ballot.objects.filter(review=review).exists()


def test_an_outsider_gets_404(as_, people):
    review = individual_at(people, "draft")
    assert as_("outsider").get(f"/reviews/{review.pk}/").status_code == 404
    response = post(as_("outsider"), review, "ballot/", "ballot", **TALLY, counting_board="A")
    assert response.status_code == 404


def test_the_order_and_the_ceiling_are_the_decision_forms_errors(as_, people, collective):
    review = individual_at(people, "submitted", ballot=True)
    standing = as_("standing")
    early = post(standing, review, "decision/", "decision", final_rating="good", reason="", **VOTE_FIELDS)
    assert early.status_code == 409
    assert "has not been decided yet" in str(early.context["forms"]["decision"].non_field_errors())
    records.decision_set(review=collective, by=people.standing, final_rating="good", vote=VOTE)
    above = post(standing, review, "decision/", "decision", final_rating="excellent", reason="", **VOTE_FIELDS)
    assert above.status_code == 409
    assert "cannot be rated above the collective" in str(above.context["forms"]["decision"].non_field_errors())
    ok = post(standing, review, "decision/", "decision", final_rating="good", reason="", **VOTE_FIELDS)
    assert ok.status_code == 302


def test_the_lists_name_the_kind_and_the_person_reviewed(as_, people, collective):
    individual_at(people, "draft")
    home = as_("board").get("/").content.decode()
    assert "Individual review of a leader: comrade Phan Việt Hưng" in home
    overview = as_("board").get("/overview/2021/").content.decode()
    assert "Individual review of a leader: comrade Phan Việt Hưng" in overview
    # The organisation's own row is still its collective review.
    assert f'href="/reviews/{collective.pk}/"' in overview


def test_only_an_individual_review_offers_the_residence_channel(as_, people, walker):
    collective = walker.to_state("collecting_opinions")
    assert 'value="residence"' not in page(as_("member"), collective)
    Review.objects.filter(pk=collective.pk).update(year=2020)  # free the year's slot for the leader's review
    individual = individual_at(people, "collecting_opinions")
    assert 'value="residence"' in page(as_("member"), individual)
