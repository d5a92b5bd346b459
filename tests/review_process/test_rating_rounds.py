"""Rating rounds (review_process.services.rounds): who opens them, the quota by regime and scope, the vote, the
reasons, the decisions they set on the rated reviews, immutability and correction."""

from __future__ import annotations

import datetime

import pytest

from permissions.models import Position
from review_process.audit import verify_chain
from review_process.errors import ReviewError
from review_process.models import AuditEvent, Decision, RatingRound, Review, SelfAssessment
from review_process.record_check import verify_records
from review_process.selectors.rounds import round_view
from review_process.services.rounds import entries_upsert, round_decide, round_open, round_supersede
from tests.conftest import VOTE
from tests.factories import OrganizationFactory, PositionFactory, UserFactory
from workflows.services import review_open, review_transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
OVERRIDE = {"2019-2022": {"quota_scopes": {"organizations": "group"}}}


def code_of(call) -> tuple[int, str, str]:
    with pytest.raises(ReviewError) as caught:
        call()
    return caught.value.status, caught.value.code, str(caught.value)


def members(n_excellent: int, n_good: int, group: str = "Chi bộ 1", prefix: str = "") -> list[dict]:
    rows = [{"key": f"{prefix}{group}-x{i}", "group": group, "final_rating": "excellent"} for i in range(n_excellent)]
    rows += [{"key": f"{prefix}{group}-g{i}", "group": group, "final_rating": "good"} for i in range(n_good)]
    return rows


@pytest.fixture
def cells(org):
    return [OrganizationFactory(code=f"LB-DG-C{i}", name=f"Chi bộ {i}", kind="cell", superior=org.dg) for i in range(6)]


def submitted_review(organization, proposed: str, by, triggers=(), year: int = 2021) -> Review:
    """A collective review at ``submitted`` with its self-assessment (created directly: the round only reads its
    stage and proposal)."""
    review = Review.objects.create(organization=organization, year=year, opened_by=by, state="submitted")
    SelfAssessment.objects.create(review=review, proposed_rating=proposed, set_by=by, triggers=list(triggers))
    return review


# --- who opens ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "organization", "subject", "expected"),
    [
        ("secretary", "LB-DG", "organizations", "open"),  # a ward rates its party cells
        ("secretary", "LB-DG", "members", "open"),  # ... and its members
        ("standing", "LB", "organizations", "open"),  # the district standing committee rates its wards
        ("board", "LB", "organizations", "open"),
        ("standing", "LB", "leaders", "open"),
        ("deputy", "LB-DG", "members", 403),  # in the body, but not a rating role
        ("board", "LB-DG", "organizations", 403),  # sees the ward, holds no position in it
        ("inspection", "LB", "organizations", 403),
        ("outsider", "LB-DG", "members", 404),  # cannot even see the ward
        ("outsider", "LB", "organizations", 404),
    ],
)
def test_who_opens_a_round(people, persona, organization, subject, expected):
    by = getattr(people, persona)
    if expected == "open":
        round_ = round_open(organization_code=organization, year=2021, subject=subject, by=by)
        assert (round_.state, round_.regime_code) == ("open", "2019-2022")
        assert round_.regime_rules["quota_scopes"]["members"] == "round"
    else:
        status, _code, _msg = code_of(
            lambda: round_open(organization_code=organization, year=2021, subject=subject, by=by)
        )
        assert status == expected


def test_one_round_per_body_year_and_subject(people):
    first = round_open(organization_code="LB-DG", year=2021, subject="members", by=people.secretary)
    status, code, message = code_of(
        lambda: round_open(organization_code="LB-DG", year=2021, subject="members", by=people.secretary)
    )
    assert (status, code) == (409, "round_exists") and str(first.pk) in message
    assert (
        code_of(lambda: round_open(organization_code="LB-DG", year=2017, subject="members", by=people.secretary))[1]
        == "year_not_supported"
    )


# --- entries --------------------------------------------------------------------------------------------


def test_organisation_keys_are_direct_subordinates_in_the_year_and_proposed_defaults_to_the_self_assessment(
    people, org, cells
):
    submitted_review(cells[0], "excellent", people.secretary)
    round_ = round_open(organization_code="LB-DG", year=2021, subject="organizations", by=people.secretary)
    entries_upsert(rating_round=round_, by=people.secretary, entries=[{"key": "LB-DG-C0"}, {"key": "LB-DG-C1"}])
    view = round_view(round_)
    assert [(e.key, e.name, e.proposed_rating) for e in view["entries"]] == [
        ("LB-DG-C0", "Chi bộ 0", "excellent"),
        ("LB-DG-C1", "Chi bộ 1", ""),
    ]
    for key in ("LB-TT", "LB-DG", "HN"):
        status, code, message = code_of(
            lambda key=key: entries_upsert(rating_round=round_, by=people.secretary, entries=[{"key": key}])
        )
        assert (status, code) == (400, "unknown_key") and key in message
    district = round_open(organization_code="LB", year=2021, subject="organizations", by=people.standing)
    status, code, message = code_of(
        lambda: entries_upsert(rating_round=district, by=people.standing, entries=[{"key": "LB-DG-C0"}])
    )
    assert code == "unknown_key" and "LB-DG-C0" in message  # a cell is not directly below the district


def test_upsert_by_key_keeps_what_a_row_leaves_out_and_refuses_unknown_ratings(people):
    round_ = round_open(organization_code="LB-DG", year=2021, subject="members", by=people.secretary)
    entries_upsert(
        rating_round=round_,
        by=people.secretary,
        entries=[{"key": "m1", "name": "Nguyễn Văn A", "group": "Chi bộ 1", "proposed_rating": "good"}],
    )
    entries_upsert(rating_round=round_, by=people.secretary, entries=[{"key": "m1", "final_rating": "good"}])
    (entry,) = round_view(round_)["entries"]
    assert (entry.name, entry.group, entry.proposed_rating, entry.final_rating) == (
        "Nguyễn Văn A",
        "Chi bộ 1",
        "good",
        "good",
    )
    status, code, message = code_of(
        lambda: entries_upsert(
            rating_round=round_, by=people.secretary, entries=[{"key": "m2", "final_rating": "great"}]
        )
    )
    assert (status, code) == (400, "invalid_rating") and "m2" in message


# --- the quota ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "rows", "refused_group"),
    [
        (2021, members(140, 350, "Chi bộ 1") + members(0, 350, "Chi bộ 2"), None),  # 140 / 700: at the cap
        (2021, members(141, 350, "Chi bộ 1") + members(0, 350, "Chi bộ 2"), "whole round"),  # 141 / 700: over
        (2021, members(2, 5, "A") + members(0, 10, "B"), None),  # 2019-2022: the whole round is one group
        (2023, members(2, 5, "A") + members(0, 10, "B"), "A"),  # 2023: each group apart
        (2025, members(1, 5, "A") + members(1, 5, "B"), None),
        (2025, members(1, 5, "A") + members(2, 9, "B"), "B"),
    ],
)
def test_member_quota_by_regime_and_scope(people, year, rows, refused_group):
    round_ = round_open(organization_code="LB-DG", year=year, subject="members", by=people.secretary)
    entries_upsert(rating_round=round_, by=people.secretary, entries=rows)
    if refused_group is None:
        assert round_decide(rating_round=round_, by=people.secretary, vote=VOTE).state == "decided"
    else:
        status, code, message = code_of(lambda: round_decide(rating_round=round_, by=people.secretary, vote=VOTE))
        assert (status, code) == (409, "quota_exceeded") and refused_group in message
        assert not all(row["ok"] for row in round_view(round_)["quota"])


def test_quota_message_names_the_counts(people):
    round_ = round_open(organization_code="LB-DG", year=2021, subject="members", by=people.secretary)
    entries_upsert(rating_round=round_, by=people.secretary, entries=members(141, 700))
    _status, _code, message = code_of(lambda: round_decide(rating_round=round_, by=people.secretary, vote=VOTE))
    assert "141" in message and "700" in message and "140" in message
    assert round_view(round_)["quota"] == [
        {
            "group": "",
            "label": "the whole round",
            "excellent": 141,
            "good": 700,
            "allowed": 140,
            "capped": True,
            "ok": False,
        }
    ]


@pytest.mark.parametrize(
    ("year", "override", "refused"),
    [
        (2021, False, False),  # 2019-2022 as defined: organisations are not capped
        (2021, True, True),  # the other reading, by setting: each group of organisations capped
        (2023, False, True),  # 2023-2024: organisations included
    ],
)
def test_both_readings_of_the_organisation_quota(people, cells, settings, year, override, refused):
    if override:
        settings.REVIEW_REGIME_OVERRIDES = OVERRIDE
    round_ = round_open(organization_code="LB-DG", year=year, subject="organizations", by=people.secretary)
    rows = [{"key": c.code, "group": "residential", "final_rating": "good"} for c in cells[:4]]
    rows.append({"key": cells[4].code, "group": "residential", "final_rating": "excellent"})
    entries_upsert(rating_round=round_, by=people.secretary, entries=rows)
    for cell in cells[:5]:
        submitted_review(cell, "good", people.secretary, year=year)
    settings.REVIEW_REGIME_OVERRIDES = {}  # the round keeps the rules it pinned when opened
    if refused:
        assert code_of(lambda: round_decide(rating_round=round_, by=people.secretary, vote=VOTE))[1] == "quota_exceeded"
    else:
        assert round_decide(rating_round=round_, by=people.secretary, vote=VOTE).state == "decided"


# --- the vote, the reasons, completeness ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("vote", "expected"),
    [
        ({"members": 15, "present": 13, "for": 7, "against": 6, "abstain": 0}, (409, "vote_not_carried")),
        ({"members": 15, "present": 13, "for": 8, "against": 5, "abstain": 0}, "decided"),
        ({"members": 15, "present": 16, "for": 8, "against": 0, "abstain": 0}, (400, "invalid_vote")),
        ({"members": 15, "present": 10, "for": 8, "against": 2, "abstain": 1}, (400, "invalid_vote")),
        (None, (400, "invalid_vote")),
    ],
)
def test_vote_edges(people, vote, expected):
    round_ = round_open(organization_code="LB-DG", year=2021, subject="members", by=people.secretary)
    entries_upsert(rating_round=round_, by=people.secretary, entries=members(0, 3))
    if expected == "decided":
        decided = round_decide(rating_round=round_, by=people.secretary, vote=vote)
        assert (decided.state, decided.vote["for"]) == ("decided", 8)
    else:
        assert code_of(lambda: round_decide(rating_round=round_, by=people.secretary, vote=vote))[:2] == expected


def test_a_down_rating_needs_its_reason_and_every_entry_a_final_rating(people):
    round_ = round_open(organization_code="LB-DG", year=2021, subject="members", by=people.secretary)
    entries_upsert(rating_round=round_, by=people.secretary, entries=[{"key": "m1", "proposed_rating": "good"}])
    status, code, message = code_of(lambda: round_decide(rating_round=round_, by=people.secretary, vote=VOTE))
    assert (status, code) == (400, "final_rating_required") and "m1" in message
    entries_upsert(rating_round=round_, by=people.secretary, entries=[{"key": "m1", "final_rating": "complete"}])
    status, code, message = code_of(lambda: round_decide(rating_round=round_, by=people.secretary, vote=VOTE))
    assert (status, code) == (400, "reason_required") and "m1" in message
    entries_upsert(rating_round=round_, by=people.secretary, entries=[{"key": "m1", "reason": "Vi phạm kỷ luật"}])
    assert round_decide(rating_round=round_, by=people.secretary, vote=VOTE).state == "decided"
    assert (
        code_of(
            lambda: round_decide(
                rating_round=RatingRound.objects.create(
                    organization=round_.organization,
                    year=2022,
                    subject="members",
                    regime_code="2019-2022",
                    opened_by=people.secretary,
                ),
                by=people.secretary,
                vote=VOTE,
            )
        )[1]
        == "no_entries"
    )


# --- decisions on the rated reviews ---------------------------------------------------------------------


def test_a_decided_round_sets_each_reviews_decision_and_approve_only_confirms(people, walker):
    review = walker.to_state("submitted")
    round_ = round_open(organization_code="LB", year=2021, subject="organizations", by=people.standing)
    entries_upsert(rating_round=round_, by=people.standing, entries=[{"key": "LB-DG", "final_rating": "good"}])
    assert round_view(round_)["entries"][0].proposed_rating == "good"  # from the self-assessment
    round_decide(rating_round=round_, by=people.standing, vote=VOTE)

    decision = Decision.objects.get(review=review)
    assert (decision.final_rating, decision.rating_round_id, decision.decided_by, decision.vote) == (
        "good",
        round_.pk,
        people.standing,
        VOTE,
    )
    event = AuditEvent.objects.filter(review=review, action="review.decision.set").get()
    assert event.payload["rating_round"] == round_.pk and event.actor == people.standing
    approved = review_transition(review=review, name="approve", by=people.standing)
    assert approved.state == "approved" and Decision.objects.filter(review=review).count() == 1
    actions = list(
        AuditEvent.objects.filter(review=None, action__startswith="rating_round.").values_list("action", flat=True)
    )
    assert actions == ["rating_round.opened", "rating_round.entries_upserted", "rating_round.decided"]
    last = AuditEvent.objects.filter(review=None, action="rating_round.decided").get()
    assert last.payload["round"] == round_.pk and last.payload["entries"][0]["final_rating"] == "good"
    assert verify_chain().intact and verify_records([review]).intact  # the decision is vouched for by its event


def test_every_rated_review_must_be_submitted(people, walker):
    """A rated organisation's review that exists must be submitted; one without a review in the engine (a cell
    holding its review on paper) is rated by the entry alone."""
    walker.to_state("submitted")
    review_open(organization_code="LB-TT", year=2021, by=people.outsider)  # opened, still a draft
    round_ = round_open(organization_code="LB", year=2021, subject="organizations", by=people.standing)
    entries_upsert(
        rating_round=round_,
        by=people.standing,
        entries=[{"key": "LB-DG", "final_rating": "good"}, {"key": "LB-TT", "final_rating": "good"}],
    )
    status, code, message = code_of(lambda: round_decide(rating_round=round_, by=people.standing, vote=VOTE))
    assert (status, code) == (409, "review_not_submitted") and "LB-TT" in message
    assert not Decision.objects.exists() and RatingRound.objects.get(pk=round_.pk).state == "open"


def test_a_ground_for_not_complete_in_the_self_assessment_binds_the_round(people, cells):
    submitted_review(cells[0], "not_complete", people.secretary, triggers=["discipline"])
    round_ = round_open(organization_code="LB-DG", year=2021, subject="organizations", by=people.secretary)
    entries_upsert(
        rating_round=round_,
        by=people.secretary,
        entries=[{"key": cells[0].code, "final_rating": "good"}],
    )
    assert (
        code_of(lambda: round_decide(rating_round=round_, by=people.secretary, vote=VOTE))[1] == "forced_not_complete"
    )


def test_conflict_of_interest(people, org, cells):
    """Someone who held a position in a rated cell during the year may record the round but not decide it."""
    conflicted = UserFactory(username="ptmai")
    PositionFactory(person=conflicted, organization=org.dg, role="secretary")
    Position.objects.create(
        person=conflicted,
        organization=cells[0],
        role="secretary",
        start=datetime.date(2019, 1, 1),
        end=datetime.date(2021, 3, 31),
    )
    submitted_review(cells[0], "good", people.secretary)
    round_ = round_open(organization_code="LB-DG", year=2021, subject="organizations", by=conflicted)
    entries_upsert(rating_round=round_, by=conflicted, entries=[{"key": cells[0].code, "final_rating": "good"}])
    status, code, message = code_of(lambda: round_decide(rating_round=round_, by=conflicted, vote=VOTE))
    assert (status, code) == (403, "conflict_of_interest") and "Chi bộ 0" in message
    assert round_decide(rating_round=round_, by=people.secretary, vote=VOTE).state == "decided"


# --- immutability and correction -------------------------------------------------------------------------


def test_a_decided_round_is_immutable_and_a_correction_supersedes_it(people, walker):
    review = walker.to_state("submitted")
    old = round_open(organization_code="LB", year=2021, subject="organizations", by=people.standing)
    entries_upsert(rating_round=old, by=people.standing, entries=[{"key": "LB-DG", "final_rating": "excellent"}])
    round_decide(rating_round=old, by=people.standing, vote=VOTE)
    for call in (
        lambda: entries_upsert(
            rating_round=old, by=people.standing, entries=[{"key": "LB-DG", "final_rating": "good"}]
        ),
        lambda: round_decide(rating_round=old, by=people.standing, vote=VOTE),
    ):
        assert code_of(call)[:2] == (409, "invalid_state")
    assert code_of(lambda: round_supersede(rating_round=old, by=people.standing, reason=" "))[:2] == (
        400,
        "reason_required",
    )
    assert code_of(lambda: round_supersede(rating_round=old, by=people.outsider, reason="x"))[0] == 404

    new = round_supersede(rating_round=old, by=people.standing, reason="Kết luận của UBKT: hạ mức")
    assert (new.state, new.supersedes_id, new.regime_code) == ("open", old.pk, old.regime_code)
    assert [(e.key, e.final_rating) for e in round_view(new)["entries"]] == [("LB-DG", "excellent")]
    assert (
        code_of(lambda: round_supersede(rating_round=old, by=people.standing, reason="again"))[1] == "correction_open"
    )
    assert round_view(old)["superseded_by"] is None and round_view(old)["open_correction"] == new.pk

    entries_upsert(
        rating_round=new, by=people.standing, entries=[{"key": "LB-DG", "final_rating": "complete", "reason": "UBKT"}]
    )
    round_decide(rating_round=new, by=people.standing, vote=VOTE)
    old.refresh_from_db()
    assert old.state == "superseded" and round_view(old)["superseded_by"] == new.pk
    decision = Decision.objects.get(review=review)
    assert (decision.final_rating, decision.rating_round_id, decision.reason) == ("complete", new.pk, "UBKT")
    assert AuditEvent.objects.filter(review=None, action="rating_round.superseded").get().payload["round"] == old.pk
    assert code_of(lambda: round_supersede(rating_round=old, by=people.standing, reason="x"))[1] == "invalid_state"
