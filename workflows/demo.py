"""The reference case (Đức Giang ward, 30/11/2021) as demo data, and the walk that brings it to a stage.

The data (people, positions, texts, ``DATES``) is ``workflows.demo_data``: real names and titles are those of the
published article (seed-article-duc-giang-2021.txt); the other people are invented for the demo and marked so in
their titles.

``seed_demo()`` leaves the review at ``awaiting_guidance`` (the README's walkthrough carries it on);
``seed_demo(through="approved")`` carries it on, through the same services, past the guidance, the final report
and self-assessment, and the Long Biên standing committee's decision taken by a recorded vote, to approval;
``seed_demo(through="closed")`` further on, past the notification and the remedial plan, to a closed review.
The decided part (the vote, the rating, the plan's items) is invented for the demo.

A true record: every step and record carries the day it happened (``occurred_on``; ``DATES``), the article's
dates where it gives them (the conference, its opinions and guidance: 30/11/2021), and elsewhere a plausible day
marked as assumed, chosen so that the record keeps the rules (circulation at least the regime's notice days
before the conference, the conference before the superior's deadline, notification within its period after the
approval). So the reference review, carried to ``closed`` by the demo or by README's walk-through at these
dates, is compliant. The audit trail still keeps the moment each thing was typed in.

Real people: the demo records what the article reports of them (who attended, who chaired, who spoke at the
conference, that every opinion and the guidance were accepted) and nothing they did not say: where the article
gives no words, the text says so (``GUIDANCE_TEXT``); invented wording is attributed only to invented people.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from permissions.directory import directory_import
from permissions.models import Organization, User
from review_process.models import RatingRound, Review, ReviewState
from review_process.services import records
from review_process.services.individual import ballot_record
from review_process.services.rounds import entries_upsert, round_decide, round_open
from workflows.demo_data import (
    CELL_ROUND_VOTE,
    CELLS,
    COMMITTEE,
    CONFERENCE_AT,
    CONFERENCE_DAY,
    COUNTING_BOARD,
    DATES,
    DECISION_VOTE,
    DEMO_PASSWORD,
    DIRECTORY,
    DRAFT_TEXT,
    FINAL_TEXT,
    GUIDANCE_TEXT,
    LEADER_BALLOT,
    LEADER_GUIDANCE,
    LEADER_SELF_REVIEW,
    NOTIFICATION_NOTE,
    OPINIONS,
    REMEDIAL_ITEMS,
    RESIDENCE_COMMENT,
    SELF_ASSESSMENT_TEXT,
    TZ,
)
from workflows.services import review_open, review_transition

# What other code reads from here (the seed_demo command, the tests, the benchmark).
__all__ = [
    "CONFERENCE_AT",
    "CONFERENCE_DAY",
    "DATES",
    "DECISION_VOTE",
    "DEMO_PASSWORD",
    "DIRECTORY",
    "DRAFT_TEXT",
    "GUIDANCE_TEXT",
    "THROUGH",
    "TZ",
    "carry_to_approved",
    "carry_to_closed",
    "foreign_data",
    "person",
    "seed_demo",
]


def person(username: str) -> User:
    return User.objects.get(username=username)


DEMO_USERNAMES = frozenset(p["username"] for p in DIRECTORY["people"])
DEMO_CODES = frozenset(o["code"] for o in DIRECTORY["organizations"])


def foreign_data() -> list[str]:
    """What the database holds that the demo did not put there (people, organisations): a real deployment."""
    found = []
    people = User.objects.exclude(username__in=DEMO_USERNAMES).exclude(username="AnonymousUser")
    if people.exists():
        found.append(_("%(n)s people outside the demo") % {"n": people.count()})
    organizations = Organization.objects.exclude(code__in=DEMO_CODES)
    if organizations.exists():
        found.append(_("%(n)s organisations outside the demo") % {"n": organizations.count()})
    return found


def load_directory() -> None:
    """Import the demo directory. A demo login gets the demo password only when it has no usable password yet
    (the demo created it): an existing account's password is never reset."""
    directory_import(DIRECTORY)
    for user in User.objects.filter(username__in=DEMO_USERNAMES):
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])


def walk_to_awaiting_guidance() -> Review:
    """Open the 2021 review and carry it to `awaiting_guidance` with nine opinions, as the demo shows it."""
    hung = person("pvhung")
    review = review_open(organization_code="LB-DG", year=2021, kind="collective", by=hung)
    records.report_version_add(review=review, by=hung, text=DRAFT_TEXT, occurred_on=DATES["draft"])
    review_transition(review=review, name="circulate_draft", by=hung, occurred_on=DATES["circulate_draft"])
    records.conference_record(
        review=review,
        by=hung,
        held_at=CONFERENCE_AT,
        location="Phòng 305, trụ sở phường Đức Giang",
        chair_username="pvhung",
        attendees=[{"person": u, "present": True, "reason": ""} for u, _n in COMMITTEE]
        + [{"person": "pvhung", "present": True, "reason": ""}],
        superior_representatives=["vtthan", "ntkdinh"],
    )
    for author, text in OPINIONS:
        records.opinion_add(
            review=review,
            by=hung,
            text=text,
            channel="conference",
            author_username=author,
            occurred_on=DATES["opinions"],
        )
    return review_transition(review=review, name="close_opinions", by=hung, occurred_on=DATES["close_opinions"])


#: How far ``seed_demo`` carries the reference review.
THROUGH = (ReviewState.AWAITING_GUIDANCE, ReviewState.APPROVED, ReviewState.CLOSED)


def seed_cell_round() -> RatingRound:
    """The ward committee's decided rating round of its party cells for 2021 (invented ratings and vote)."""
    existing = RatingRound.objects.filter(organization__code="LB-DG", year=2021, subject="organizations").first()
    if existing is not None:
        return existing
    hung = person("pvhung")
    rating_round = round_open(organization_code="LB-DG", year=2021, subject="organizations", by=hung)
    entries = [
        {"key": code, "name": name, "group": "Chi bộ tổ dân phố", "proposed_rating": rating, "final_rating": rating}
        for code, name, rating in CELLS
    ]
    entries_upsert(rating_round=rating_round, by=hung, entries=entries)
    return round_decide(rating_round=rating_round, by=hung, vote=CELL_ROUND_VOTE)


def seed_leader_review() -> Review:
    """Phan Việt Hưng's 2021 individual review, after the collective one is decided: residence committee's
    comment, ballot tally, and the Long Biên standing committee's rating, not above the collective's."""
    existing = Review.objects.filter(organization__code="LB-DG", year=2021, kind="individual").first()
    if existing is not None:
        return existing
    than, hung, lan, vinh = person("vtthan"), person("pvhung"), person("ntlan"), person("lqvinh")
    review = review_open(organization_code="LB-DG", year=2021, kind="individual", subject="pvhung", by=than)
    records.report_version_add(review=review, by=hung, text=LEADER_SELF_REVIEW, occurred_on=DATES["draft"])
    review_transition(review=review, name="circulate_draft", by=hung, occurred_on=DATES["circulate_draft"])
    records.opinion_add(
        review=review,
        by=lan,
        text=RESIDENCE_COMMENT,
        channel="residence",
        occurred_on=DATES["leader_residence_comment"],
    )
    records.conference_record(
        review=review,
        by=hung,
        held_at=CONFERENCE_AT,
        location="Phòng 305, trụ sở phường Đức Giang",
        chair_username="ntlan",
        attendees=[{"person": u, "present": True, "reason": ""} for u, _n in COMMITTEE]
        + [{"person": "pvhung", "present": True, "reason": ""}],
        superior_representatives=["vtthan", "ntkdinh"],
    )
    review = review_transition(review=review, name="close_opinions", by=hung, occurred_on=DATES["close_opinions"])
    records.guidance_add(review=review, by=than, text=LEADER_GUIDANCE, occurred_on=DATES["guidance"])
    review = review_transition(review=review, name="give_guidance", by=than, occurred_on=DATES["give_guidance"])
    _accept_all(review, hung)
    records.report_version_add(
        review=review,
        by=hung,
        text=LEADER_SELF_REVIEW + " (bản hoàn chỉnh)",
        is_final=True,
        occurred_on=DATES["final_report"],
    )
    records.self_assessment_set(review=review, by=hung, proposed_rating="good", justification=SELF_ASSESSMENT_TEXT)
    review = review_transition(review=review, name="submit_assessment", by=hung, occurred_on=DATES["submit_assessment"])
    ballot_record(review=review, by=lan, counts=LEADER_BALLOT, counting_board=COUNTING_BOARD)
    records.decision_set(
        review=review, by=vinh, final_rating="good", vote=DECISION_VOTE, occurred_on=DATES["leader_decision"]
    )
    return review_transition(review=review, name="approve", by=vinh, occurred_on=DATES["leader_decision"])


def _accept_all(review: Review, secretary: User) -> None:
    """Accept every unanswered opinion (the article: all were accepted), on the day it says."""
    for opinion in review.opinions.filter(response__isnull=True).order_by("pk"):
        records.opinion_respond(
            review=review, by=secretary, opinion_id=opinion.pk, decision="accepted", occurred_on=DATES["responses"]
        )


def carry_to_approved(review: Review) -> Review:
    """From ``awaiting_guidance`` to ``approved``: the board's guidance, the secretary's answers, final report and
    self-assessment, then the standing committee's decision (by its recorded vote) and approval."""
    than, hung, vinh = person("vtthan"), person("pvhung"), person("lqvinh")
    records.guidance_add(review=review, by=than, text=GUIDANCE_TEXT, occurred_on=DATES["guidance"])
    review = review_transition(review=review, name="give_guidance", by=than, occurred_on=DATES["give_guidance"])
    _accept_all(review, hung)
    records.report_version_add(
        review=review, by=hung, text=FINAL_TEXT, is_final=True, occurred_on=DATES["final_report"]
    )
    records.self_assessment_set(review=review, by=hung, proposed_rating="good", justification=SELF_ASSESSMENT_TEXT)
    review = review_transition(review=review, name="submit_assessment", by=hung, occurred_on=DATES["submit_assessment"])
    records.decision_set(review=review, by=vinh, final_rating="good", vote=DECISION_VOTE, occurred_on=DATES["decision"])
    return review_transition(review=review, name="approve", by=vinh, occurred_on=DATES["approve"])


def carry_to_closed(review: Review) -> Review:
    """From ``approved`` to ``closed``: the board records the notification, the secretary files the remedial
    plan, the board closes (``close`` requires both)."""
    than, hung = person("vtthan"), person("pvhung")
    records.notification_record(review=review, by=than, notified_on=DATES["notification"], note=NOTIFICATION_NOTE)
    records.remedial_plan_set(review=review, by=hung, items=REMEDIAL_ITEMS, occurred_on=DATES["remedial_plan"])
    return review_transition(review=review, name="close", by=than, occurred_on=DATES["close"])


@transaction.atomic
def seed_demo(*, through: str = ReviewState.AWAITING_GUIDANCE) -> tuple[Review, bool]:
    """Load the demo (idempotent). Returns the reference review and whether it was created now.

    ``through="approved"`` also carries the review (new, or still at ``awaiting_guidance``) on to approval, and
    ``through="closed"`` (new, or at ``awaiting_guidance`` or ``approved``) on to closing; a review already
    further on, or carried by hand to another stage, is left where it is."""
    if through not in THROUGH:
        raise ValueError(f"through must be one of {', '.join(THROUGH)}")
    load_directory()
    review = Review.objects.filter(organization__code="LB-DG", year=2021, kind="collective").first()
    created = review is None
    if created:
        review = walk_to_awaiting_guidance()
        assert review.state == ReviewState.AWAITING_GUIDANCE
    seed_cell_round()
    wanted = THROUGH.index(through)
    if wanted >= THROUGH.index(ReviewState.APPROVED) and review.state == ReviewState.AWAITING_GUIDANCE:
        review = carry_to_approved(review)
        assert review.state == ReviewState.APPROVED
    if wanted >= THROUGH.index(ReviewState.APPROVED):
        seed_leader_review()
    if through == ReviewState.CLOSED and review.state == ReviewState.APPROVED:
        review = carry_to_closed(review)
        assert review.state == ReviewState.CLOSED
    return review, created
