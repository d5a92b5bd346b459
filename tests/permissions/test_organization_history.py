"""The 2025 reform: Long Biên district dissolved on 1 July 2025, Đức Giang moved under Hà Nội city.

History must not change when the tree does: the 2021 review keeps its verdicts, its deciders and their read
access, and its compliance report is byte-for-byte the same; the 2025 review is decided by the city's
standing committee alone.  Rights to act follow positions valid today, with no sync run.
"""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from rest_framework.test import APIClient

from permissions.models import Position
from permissions.selectors import superior_scope
from permissions.services import organization_save, position_end, superior_periods_set
from permissions.tree import ancestors_on, superior_on
from review_process.access import may
from review_process.audit import verify_chain
from review_process.errors import Conflict, Forbidden, NotFound
from review_process.models import AuditEvent, Review
from review_process.services import records
from tests.conftest import VOTE, Walker
from tests.factories import PositionFactory, UserFactory
from workflows.services import review_open, review_transition

pytestmark = pytest.mark.django_db

REFORM = datetime.date(2025, 7, 1)
EVE = REFORM - datetime.timedelta(days=1)


def reform(org):
    """Dissolve Long Biên on 1 July 2025; its wards report to the city from that day."""
    for ward in (org.dg, org.tt):
        superior_periods_set(organization=ward, periods=[(org.lb, None, EVE), (org.hn, REFORM, None)])
        ward.superior = org.hn
        organization_save(organization=ward)
    org.lb.valid_to, org.lb.successor = EVE, org.hn
    organization_save(organization=org.lb)
    for position in Position.objects.filter(organization=org.lb, end__isnull=True):
        position_end(position=position, end=EVE)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


class YearWalker(Walker):
    def __init__(self, people, year):
        super().__init__(people)
        self.year = year

    def open(self):
        return review_open(organization_code="LB-DG", year=self.year, kind="collective", by=self.p.secretary)


@pytest.fixture
def city(org):
    def holder(username, role):
        user = UserFactory(username=username, full_name=username)
        PositionFactory(person=user, organization=org.hn, role=role, start=datetime.date(2020, 1, 1))
        return user

    return SimpleNamespace(
        board=holder("hn_board", "organization_board"), standing=holder("hn_standing", "standing_committee")
    )


def test_the_dated_tree_answers_as_of_a_date(org):
    reform(org)
    assert superior_on(org.dg, datetime.date(2021, 12, 31)) == org.lb
    assert superior_on(org.dg, REFORM) == org.hn
    assert [o.code for o in ancestors_on(org.dg, datetime.date(2021, 12, 31))] == ["HN", "LB"]
    assert [o.code for o in ancestors_on(org.dg, datetime.date(2025, 12, 31))] == ["HN"]
    assert org.lb.exists_on(EVE) and not org.lb.exists_on(REFORM)


def test_the_reform_leaves_the_2021_review_its_verdicts_deciders_and_readers(walker, people, org, city):
    with time_machine.travel(datetime.datetime(2021, 11, 30, 9, 0, tzinfo=datetime.UTC)):  # as it happened
        review = walker.to_state("closed")
    before = api(people.auditor).get(f"/api/v1/reviews/{review.pk}/compliance/")
    assert before.status_code == 200
    deciders = (review.approved_by_id, review.decision.decided_by_id)

    reform(org)

    review = Review.objects.get(pk=review.pk)
    assert (review.state, review.approved_by_id, review.decision.decided_by_id) == ("closed", *deciders)
    after = api(people.auditor).get(f"/api/v1/reviews/{review.pk}/compliance/")
    assert after.content == before.content  # byte for byte
    # The district officials who acted on it keep read access (their positions have ended) ...
    for former in (people.standing, people.board):
        assert api(former).get(f"/api/v1/reviews/{review.pk}/").status_code == 200
        assert not may(former, review, "approve") and not may(former, review, "close")
    # ... the district's inspector, who never acted on it, sees it no more; the city still does.
    assert api(people.inspection).get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert api(city.standing).get(f"/api/v1/reviews/{review.pk}/").status_code == 200
    assert verify_chain().intact


def test_the_2025_review_is_decided_and_approved_by_the_city_alone(people, org, city):
    reform(org)
    seat = PositionFactory(person=people.standing, organization=org.lb, role="standing_committee")
    assert seat.end is None  # even a district seat left open by mistake gives no power over a 2025 review
    walker = YearWalker(SimpleNamespace(**{**vars(people), "board": city.board, "standing": city.standing}), 2025)
    review = walker.open()
    records.report_version_add(
        review=review, by=people.secretary, text="Dự thảo 2025", occurred_on=datetime.date(2025, 11, 10)
    )  # the draft and its circulation before the conference of 28/11/2025 (review_process.dates)
    review_transition(
        review=review, name="circulate_draft", by=people.secretary, occurred_on=datetime.date(2025, 11, 12)
    )
    records.conference_record(
        review=review,
        by=people.secretary,
        held_at=datetime.datetime(2025, 11, 28, 8, 0, tzinfo=datetime.UTC),
        location="Phòng 305",
        chair_username="pvhung",
        attendees=[{"person": "pvhung", "present": True}],
        superior_representatives=["hn_board"],
    )
    review_transition(review=review, name="close_opinions", by=people.secretary)
    walker.prepare_awaiting_guidance(review)
    with pytest.raises(NotFound):  # the district is no superior of Đức Giang in 2025
        review_transition(review=review, name="give_guidance", by=people.board)
    walker.advance_awaiting_guidance(review)
    for opinion in review.opinions.filter(response__isnull=True):
        records.opinion_respond(review=review, by=people.secretary, opinion_id=opinion.pk, decision="accepted")
    records.report_version_add(review=review, by=people.secretary, text="Báo cáo hoàn chỉnh 2025", is_final=True)
    # 2025: the 100-point scale; 78 points is "good".
    records.self_assessment_set(
        review=review, by=people.secretary, proposed_rating="good", score=78, justification="Căn cứ"
    )
    review = walker.advance_finalizing(review)
    for outsider in (people.standing, people.board):
        with pytest.raises((Forbidden, NotFound)):
            records.decision_set(review=review, by=outsider, final_rating="good", vote=VOTE, score=78)
        with pytest.raises((Forbidden, NotFound)):
            review_transition(review=review, name="approve", by=outsider)
    records.decision_set(review=review, by=city.standing, final_rating="good", vote=VOTE, score=78)
    assert review_transition(review=review, name="approve", by=city.standing).state == "approved"


def test_a_position_that_ended_yesterday_authorises_nothing_today_with_no_sync(people, org):
    seat = Position.objects.get(person=people.standing)
    seat.end = datetime.date(2027, 3, 31)  # an end date known in advance, written straight to the row
    seat.save(update_fields=["end"])
    with time_machine.travel(datetime.datetime(2027, 3, 31, 12, 0)):
        review = Walker(people).to_state("submitted", prepared=True)
        assert may(people.standing, review, "approve")
    with time_machine.travel(datetime.datetime(2027, 4, 1, 9, 0), tick=False):
        review = Review.objects.get(pk=review.pk)
        standing = type(people.standing).objects.get(pk=people.standing.pk)  # a new request: no sync has run
        assert not may(standing, review, "approve")
        with pytest.raises((Forbidden, NotFound)):
            review_transition(review=review, name="approve", by=standing)
        assert Review.objects.get(pk=review.pk).state == "submitted"
        # He recorded its decision, so he keeps read access, and only that.
        detail = api(standing).get(f"/api/v1/reviews/{review.pk}/").json()
        assert detail["available_transitions"] == []
        assert not any(action["allowed"] for action in detail["actions"])
        # The district's inspector, who never acted on it, has lost it from the list.
        inspection = type(people.inspection).objects.get(pk=people.inspection.pk)
        Position.objects.filter(person=inspection).update(end=datetime.date(2027, 3, 31))
        assert api(inspection).get("/api/v1/reviews/").json()["count"] == 0


def test_a_review_for_a_year_the_organisation_did_not_exist_is_refused(people, org):
    reform(org)
    board = UserFactory(username="hn_board2")
    PositionFactory(person=board, organization=org.hn, role="organization_board")
    with pytest.raises(Conflict) as error:
        review_open(organization_code="LB", year=2025, by=board)
    assert error.value.code == "organization_not_active"
    assert error.value.status == 409


def test_directory_changes_are_audit_events_that_verification_covers(org):
    count = AuditEvent.objects.filter(review__isnull=True).count()
    reform(org)
    events = AuditEvent.objects.filter(review__isnull=True).order_by("sequence")
    assert events.count() > count
    actions = set(events.values_list("action", flat=True))
    assert {"directory.organization.changed", "directory.organization.superiors_changed"} <= actions
    changed = events.filter(action="directory.organization.changed", payload__subject="LB").last()
    assert changed.payload["before"]["valid_to"] is None and changed.payload["after"]["valid_to"] == "2025-06-30"
    assert verify_chain().intact


def test_the_overview_of_a_year_shows_the_tree_of_that_year(people, org, city):
    reform(org)
    assert {o.code for o in superior_scope(user=city.standing, day=datetime.date(2021, 12, 31))} == {
        "LB",
        "LB-DG",
        "LB-TT",
    }
    assert {o.code for o in superior_scope(user=city.standing, day=datetime.date(2025, 12, 31))} == {"LB-DG", "LB-TT"}
