"""Individual reviews of leaders on the same engine: the secret ballot, the order and the ceiling, and the
person reviewed is no judge of their own review."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from review_process.errors import Conflict, Forbidden, InvalidInput, NotFound
from review_process.models import Review
from review_process.services import records
from review_process.services.individual import ballot_record
from tests.conftest import VOTE, Walker
from workflows.services import review_open, review_transition

pytestmark = pytest.mark.django_db

TALLY = {"eligible": 11, "cast": 10, "excellent": 2, "good": 6, "complete": 1, "not_complete": 0, "invalid": 1}
BOARD = ["Nguyễn Thị Lan", "Trần Văn Minh"]


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


class IndividualWalker(Walker):
    """Walks Phan Việt Hưng's 2021 individual review (opened by the district's organisation board)."""

    def open(self):
        return review_open(organization_code="LB-DG", year=2021, kind="individual", subject="pvhung", by=self.p.board)

    def prepare_submitted(self, review):
        ballot_record(review=review, by=self.p.deputy, counts=TALLY, counting_board=BOARD)


@pytest.fixture
def collective(walker):
    """The Đức Giang collective review of 2021, submitted (its decision not yet taken)."""
    return walker.to_state("submitted")


@pytest.fixture
def individual(people, collective):
    return IndividualWalker(people).to_state("submitted", prepared=True)


def decide_collective(collective, people, rating="good"):
    records.decision_set(review=collective, by=people.standing, final_rating=rating, vote=VOTE)


def test_the_subject_must_hold_a_leadership_position_that_year(people):
    with pytest.raises(InvalidInput) as error:
        review_open(organization_code="LB-DG", year=2021, kind="individual", subject="guest", by=people.board)
    assert error.value.code == "subject_not_leader"
    with pytest.raises(InvalidInput) as error:
        review_open(organization_code="LB-DG", year=2021, kind="individual", by=people.board)
    assert error.value.code == "invalid_subject"
    response = api(people.board).post(
        "/api/v1/reviews/", {"organization": "LB-DG", "year": 2021, "kind": "individual", "subject": "pvhung"}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["subject"]) == ("individual", "pvhung")


@pytest.mark.parametrize(
    ("change", "ok"),
    [
        ({}, True),
        ({"cast": 12}, False),  # more cast than eligible
        ({"invalid": 0}, False),  # the levels and invalid add up to 9, not 10
        ({"invalid": 2}, False),  # 11, not 10
        ({"eligible": 10}, True),  # everyone voted
        ({"good": -1}, False),
    ],
)
def test_ballot_arithmetic(individual, people, change, ok):
    counts = {**TALLY, **change}
    if ok:
        assert (
            ballot_record(review=individual, by=people.deputy, counts=counts, counting_board=BOARD).cast
            == counts["cast"]
        )
    else:
        with pytest.raises(InvalidInput) as error:
            ballot_record(review=individual, by=people.deputy, counts=counts, counting_board=BOARD)
        assert error.value.code == "invalid_ballot"


def test_the_ballot_api_records_counts_only_and_hides_the_tally_from_the_subject_until_decided(
    individual, collective, people
):
    url = f"/api/v1/reviews/{individual.pk}/ballot/"
    bad = api(people.deputy).put(url, {**TALLY, "cast": 20, "counting_board": BOARD}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_ballot")
    assert api(people.deputy).put(url, {**TALLY, "counting_board": BOARD}, format="json").status_code == 200
    hidden = api(people.secretary).get(url)
    assert (hidden.status_code, hidden.json()["code"]) == (403, "tally_hidden")
    decide_collective(collective, people)
    records.decision_set(review=individual, by=people.standing, final_rating="good", vote=VOTE)
    shown = api(people.secretary).get(url)
    assert shown.status_code == 200 and shown.json()["good"] == 6 and "voters" not in shown.json()


def test_the_subject_is_no_judge_of_their_own_review(individual, collective, people, org):
    from tests.factories import PositionFactory

    PositionFactory(person=people.secretary, organization=org.lb, role="standing_committee")
    decide_collective(collective, people)
    for attempt in (
        lambda: ballot_record(review=individual, by=people.secretary, counts=TALLY, counting_board=BOARD),
        lambda: records.decision_set(review=individual, by=people.secretary, final_rating="good", vote=VOTE),
        lambda: review_transition(review=individual, name="approve", by=people.secretary),
    ):
        with pytest.raises(Forbidden) as error:
            attempt()
        assert error.value.code == "conflict_of_interest"


def test_a_leader_is_not_decided_before_the_collective(individual, collective, people):
    with pytest.raises(Conflict) as error:
        records.decision_set(review=individual, by=people.standing, final_rating="good", vote=VOTE)
    assert error.value.code == "collective_not_decided"
    decide_collective(collective, people)
    records.decision_set(review=individual, by=people.standing, final_rating="good", vote=VOTE)
    assert review_transition(review=individual, name="approve", by=people.standing).state == "approved"


def test_approval_needs_the_ballot(people, collective):
    review = IndividualWalker(people).to_state("submitted")  # no ballot recorded
    decide_collective(collective, people)
    records.decision_set(review=review, by=people.standing, final_rating="good", vote=VOTE)
    with pytest.raises(Conflict) as error:
        review_transition(review=review, name="approve", by=people.standing)
    assert error.value.code == "no_ballot"


@pytest.mark.parametrize(
    ("overrides", "refused"),
    [
        ({}, True),  # 2019-2022: the head is not rated above the collective (HD 21 II.B.4)
        ({"2019-2022": {"head_not_above_collective": False}}, False),  # the other reading, as a setting
    ],
)
def test_the_head_is_not_rated_above_the_collective_where_the_regime_says_so(people, collective, overrides, refused):
    with override_settings(REVIEW_REGIME_OVERRIDES=overrides):
        review = IndividualWalker(people).to_state("submitted", prepared=True)  # pinned under the setting
    decide_collective(collective, people, rating="good")
    attempt = lambda: records.decision_set(  # noqa: E731
        review=review, by=people.standing, final_rating="excellent", vote=VOTE
    )
    if refused:
        with pytest.raises(Conflict) as error:
            attempt()
        assert error.value.code == "above_collective"
        records.decision_set(review=review, by=people.standing, final_rating="good", vote=VOTE)
    else:
        assert attempt().final_rating == "excellent"


def test_a_deputy_is_not_bound_by_the_heads_ceiling(people, collective):
    review = review_open(organization_code="LB-DG", year=2021, kind="individual", subject="ntlan", by=people.board)
    walker = IndividualWalker(people)
    while review.state != "submitted":
        review = walker.step(review)
    decide_collective(collective, people, rating="good")
    assert records.decision_set(review=review, by=people.standing, final_rating="excellent", vote=VOTE)


def test_every_role_on_the_new_kind(individual, people):
    assert api(people.outsider).get(f"/api/v1/reviews/{individual.pk}/").status_code == 404
    for persona in ("secretary", "deputy", "member", "board", "standing", "inspection", "auditor"):
        assert api(getattr(people, persona)).get(f"/api/v1/reviews/{individual.pk}/").status_code == 200, persona
    with pytest.raises(NotFound):
        ballot_record(review=individual, by=people.outsider, counts=TALLY, counting_board=BOARD)
    with pytest.raises(Forbidden):
        ballot_record(review=individual, by=people.member, counts=TALLY, counting_board=BOARD)
    assert Review.objects.get(pk=individual.pk).kind == "individual"


def test_leaders_are_rated_as_a_set_with_the_cap_per_equivalent_title(people, org):
    """The managing level (the district standing committee) rates the leaders it manages as a set: entries are
    grouped by equivalent title, one excellent for every five good in each."""
    from review_process.services.rounds import entries_upsert, round_decide, round_open

    rating_round = round_open(organization_code="LB", year=2021, subject="leaders", by=people.standing)
    secretaries = [
        {
            "key": f"bt{i}",
            "name": f"Bí thư {i}",
            "group": "Bí thư chi bộ",
            "proposed_rating": "good",
            "final_rating": "good",
        }
        for i in range(5)
    ]
    deputies = [
        {
            "key": f"pbt{i}",
            "name": f"Phó bí thư {i}",
            "group": "Phó bí thư chi bộ",
            "proposed_rating": "good",
            "final_rating": "good",
        }
        for i in range(4)
    ]
    excellent = [
        {
            "key": "bt-x",
            "name": "Bí thư X",
            "group": "Bí thư chi bộ",
            "proposed_rating": "excellent",
            "final_rating": "excellent",
        }
    ]
    entries_upsert(rating_round=rating_round, by=people.standing, entries=secretaries + deputies + excellent)
    # One excellent for five good secretaries: within the cap. Another among the four deputies: over it.
    entries_upsert(
        rating_round=rating_round,
        by=people.standing,
        entries=[
            {
                "key": "pbt-x",
                "name": "Phó bí thư X",
                "group": "Phó bí thư chi bộ",
                "proposed_rating": "excellent",
                "final_rating": "excellent",
            }
        ],
    )
    with pytest.raises(Conflict) as error:
        round_decide(rating_round=rating_round, by=people.standing, vote=VOTE)
    assert error.value.code == "quota_exceeded"
    assert "Phó bí thư chi bộ" in error.value.message
    entries_upsert(
        rating_round=rating_round,
        by=people.standing,
        entries=[
            {
                "key": "pbt-x",
                "name": "Phó bí thư X",
                "group": "Phó bí thư chi bộ",
                "proposed_rating": "excellent",
                "final_rating": "good",
                "reason": "Vượt tỷ lệ",
            }
        ],
    )
    assert round_decide(rating_round=rating_round, by=people.standing, vote=VOTE).state == "decided"


def test_the_audit_trail_does_not_show_the_subject_the_levels_of_the_tally(individual, people):
    events = api(people.secretary).get(f"/api/v1/reviews/{individual.pk}/audit-trail/").json()
    ballot = [e for e in events if e["action"].startswith("review.ballot.")]
    assert ballot and not any(level in ballot[-1]["payload"] for level in ("excellent", "good", "not_complete"))


def test_the_residence_committees_comment_belongs_to_an_individual_review(walker, people):
    collective = walker.to_state("collecting_opinions")
    with pytest.raises(InvalidInput) as error:
        records.opinion_add(review=collective, by=people.deputy, text="Nhận xét nơi cư trú", channel="residence")
    assert error.value.code == "invalid_channel"
