"""Personas of the reference case (Đức Giang ward under Long Biên district, 2021) and helpers."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import translation

from review_process.models import Review
from review_process.services import records
from tests.factories import OrganizationFactory, PositionFactory, UserFactory
from workflows.services import review_open, review_transition

# The standing committee's vote on a decision: 15 members, 13 present, 11 for (more than half of 15).
VOTE = {"members": 15, "present": 13, "for": 11, "against": 1, "abstain": 1}
CONFERENCE_AT = datetime.datetime(2021, 11, 30, 8, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def _at(day: int, hour: int = 9, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2021, month, day, hour, 0, tzinfo=CONFERENCE_AT.tzinfo)


#: When the walker records and takes each stage's step (events carry the day they happen, checked for order:
#: review_process.dates), as the reference case happened: the draft out ten days before the conference of
#: 30/11/2021, guidance at the conference, the decision on 8/12, the notification and the plan on 10/12.
WALK_SCHEDULE = {
    "open": _at(19),
    "draft": _at(20),
    "collecting_opinions": _at(30, 11),
    "awaiting_guidance": _at(30, 12),
    "finalizing": _at(3, month=12),
    "submitted": _at(8, month=12),
    "approved": _at(10, month=12),
}


@pytest.fixture
def org():
    """The organisation tree: city > district > two wards."""
    hn = OrganizationFactory(code="HN", name="Thành ủy Hà Nội", kind="city")
    lb = OrganizationFactory(code="LB", name="Quận ủy Long Biên", kind="district", superior=hn)
    dg = OrganizationFactory(code="LB-DG", name="Đảng ủy phường Đức Giang", kind="ward", superior=lb)
    tt = OrganizationFactory(code="LB-TT", name="Đảng ủy phường Thượng Thanh", kind="ward", superior=lb)
    return SimpleNamespace(hn=hn, lb=lb, dg=dg, tt=tt)


@pytest.fixture
def people(org):
    """One person per role, plus an outsider (secretary of another ward) and a participant-to-be."""

    def holder(username, full_name, organization, role):
        user = UserFactory(username=username, full_name=full_name)
        PositionFactory(person=user, organization=organization, role=role)
        return user

    return SimpleNamespace(
        secretary=holder("pvhung", "Phan Việt Hưng", org.dg, "secretary"),
        deputy=holder("ntlan", "Nguyễn Thị Lan", org.dg, "deputy_secretary"),
        member=holder("tvminh", "Trần Văn Minh", org.dg, "committee_member"),
        member2=holder("lthoa", "Lê Thị Hoa", org.dg, "committee_member"),
        board=holder("vtthan", "Vũ Thị Thân", org.lb, "organization_board"),
        inspection=holder("ntkdinh", "Nguyễn Thị Kim Định", org.lb, "inspection"),
        standing=holder("lqvinh", "Lê Quang Vinh", org.lb, "standing_committee"),
        auditor=holder("tmduc", "Trịnh Minh Đức", org.hn, "inspection"),
        outsider=holder("nvthanh", "Nguyễn Văn Thành", org.tt, "secretary"),
        guest=UserFactory(username="guest", full_name="Khách mời"),
    )


# Every persona of the reference case and the role it holds over the Đức Giang review (None: outsider).
PERSONAS = {
    "secretary": "secretary",
    "deputy": "deputy_secretary",
    "member": "committee_member",
    "guest": "participant",
    "board": "organization_board",
    "inspection": "inspection",
    "standing": "standing_committee",
    "auditor": "inspection",
    "outsider": None,
}


class Rollback(Exception):
    pass


class Walker:
    """Carries a review through the stages with the right person at each step (all through services).

    ``prepare_<state>`` records what the next transition out of that state needs (so its guards pass);
    ``advance_<state>`` runs that transition. ``step`` runs both on the stage's day of ``WALK_SCHEDULE`` (the
    records and steps default to the day they are entered: today, travelled to); callers that travel
    themselves (tests/compliance) call ``prepare_``/``advance_`` directly.
    """

    STATES = ["draft", "collecting_opinions", "awaiting_guidance", "finalizing", "submitted", "approved", "closed"]

    def __init__(self, people):
        self.p = people

    def open(self) -> Review:
        with time_machine.travel(WALK_SCHEDULE["open"], tick=True):
            return review_open(organization_code="LB-DG", year=2021, kind="collective", by=self.p.secretary)

    def prepare_draft(self, review):
        records.report_version_add(review=review, by=self.p.secretary, text="Dự thảo báo cáo kiểm điểm 2021")

    def advance_draft(self, review):
        return review_transition(review=review, name="circulate_draft", by=self.p.secretary)

    def prepare_collecting_opinions(self, review):
        records.opinion_add(review=review, by=self.p.member, text="Góp ý bằng văn bản", channel="written")
        records.conference_record(
            review=review,
            by=self.p.secretary,
            held_at=CONFERENCE_AT,
            location="Phòng 305",
            chair_username="pvhung",
            attendees=[
                {"person": "pvhung", "present": True},
                {"person": "tvminh", "present": True},
                {"person": "lthoa", "present": False, "reason": "Ốm"},
            ],
            superior_representatives=["vtthan", "ntkdinh"],
        )
        records.opinion_add(
            review=review,
            by=self.p.secretary,
            text="Ý kiến tại hội nghị",
            channel="conference",
            author_username="tvminh",
        )

    def advance_collecting_opinions(self, review):
        return review_transition(review=review, name="close_opinions", by=self.p.secretary)

    def prepare_awaiting_guidance(self, review):
        records.guidance_add(review=review, by=self.p.board, text="Ý kiến chỉ đạo của Ban Tổ chức Quận ủy")

    def advance_awaiting_guidance(self, review):
        return review_transition(review=review, name="give_guidance", by=self.p.board)

    def prepare_finalizing(self, review):
        for opinion in review.opinions.filter(response__isnull=True):
            records.opinion_respond(review=review, by=self.p.secretary, opinion_id=opinion.pk, decision="accepted")
        records.report_version_add(review=review, by=self.p.secretary, text="Báo cáo hoàn chỉnh", is_final=True)
        records.self_assessment_set(review=review, by=self.p.secretary, proposed_rating="good", justification="...")

    def advance_finalizing(self, review):
        return review_transition(review=review, name="submit_assessment", by=self.p.secretary)

    def prepare_submitted(self, review):
        records.decision_set(review=review, by=self.p.standing, final_rating="good", vote=VOTE)

    def advance_submitted(self, review):
        return review_transition(review=review, name="approve", by=self.p.standing)

    def prepare_approved(self, review):
        records.notification_record(review=review, by=self.p.board, notified_on=datetime.date.today())
        records.remedial_plan_set(
            review=review,
            by=self.p.secretary,
            items=[
                {"description": "Khắc phục hạn chế", "owner": "Đảng ủy phường", "due_date": datetime.date(2022, 6, 30)}
            ],
        )

    def advance_approved(self, review):
        return review_transition(review=review, name="close", by=self.p.board)

    def step(self, review):
        """Prepare and run the next transition of the main path, on the stage's day."""
        state = review.state
        with time_machine.travel(WALK_SCHEDULE[state], tick=True):
            getattr(self, f"prepare_{state}")(review)
            return getattr(self, f"advance_{state}")(review)

    def prepare(self, review):
        """Record what the next step needs, on the stage's day."""
        with time_machine.travel(WALK_SCHEDULE[review.state], tick=True):
            getattr(self, f"prepare_{review.state}")(review)

    def ready_at(self, state: str) -> Review:
        """A review at ``state`` with an invited participant and what the next step needs recorded."""
        review = self.open()
        records.participant_invite(review=review, by=self.p.secretary, username="guest")
        while review.state != state:
            if state == "cancelled":
                review = review_transition(review=review, name="cancel", by=self.p.standing, reason="Thử")
            else:
                review = self.step(review)
        if state not in ("closed", "cancelled"):
            self.prepare(review)
        return Review.objects.get(pk=review.pk)

    def to_state(self, state: str, *, prepared: bool = False) -> Review:
        """A review at ``state`` (walked there for real); ``prepared`` also records what the next step needs."""
        review = self.open()
        if state == "cancelled":
            return review_transition(review=review, name="cancel", by=self.p.standing, reason="Thử nghiệm")
        while review.state != state:
            review = self.step(review)
        if prepared and state != "closed":
            self.prepare(review)
        return Review.objects.get(pk=review.pk)


@pytest.fixture
def walker(people):
    return Walker(people)


@pytest.fixture
def english():
    """Messages asserted in English (the source language); the product itself speaks Vietnamese by default."""
    with translation.override("en"):
        yield
