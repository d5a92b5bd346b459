"""The reference case walked at realistic dates, and ways to walk it wrongly.

``walk`` carries a review stage by stage through the real services (tests/conftest.py's walker), each
stage at its date in ``SCHEDULE``: the draft goes out ten days before the conference of 30/11/2021 08:00,
guidance is recorded at the conference, the rating is decided on 8/12 and notified on 10/12.
``prepare=`` replaces what is recorded at a stage; ``schedule=`` moves a stage in time.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from review_process.models import Review
from review_process.services import records

TZ = datetime.timezone(datetime.timedelta(hours=7))


def at(day: int, hour: int = 9, month: int = 11, year: int = 2021) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, 0, tzinfo=TZ)


SCHEDULE = {
    "open": at(19),
    "draft": at(20),
    "collecting_opinions": at(30, 11),
    "awaiting_guidance": at(30, 12),
    "finalizing": at(3, month=12),
    "submitted": at(8, month=12),
    "approved": at(10, month=12),
}


def walk(walker, review: Review, until: str = "closed", *, prepare=None, schedule=None) -> Review:
    """Carry ``review`` on to ``until``, each stage at its scheduled date."""
    prepare = prepare or {}
    when = {**SCHEDULE, **(schedule or {})}
    while review.state != until:
        state = review.state
        with time_machine.travel(when[state], tick=True):
            prepare.get(state, getattr(walker, f"prepare_{state}"))(review)
            review = getattr(walker, f"advance_{state}")(review)
    return Review.objects.get(pk=review.pk)


def open_review(walker, *, schedule=None) -> Review:
    with time_machine.travel({**SCHEDULE, **(schedule or {})}["open"], tick=True):
        return walker.open()


def record_conference(people, review, *, held_at=None, attendees=None, representatives=("vtthan", "ntkdinh")):
    """The conference as the walker records it, with the parts a test wants changed."""
    records.conference_record(
        review=review,
        by=people.secretary,
        held_at=held_at or at(30, 8),
        location="Phòng 305",
        chair_username="pvhung",
        attendees=attendees
        or [
            {"person": "pvhung", "present": True},
            {"person": "tvminh", "present": True},
            {"person": "lthoa", "present": False, "reason": "Ốm"},
        ],
        superior_representatives=list(representatives),
    )
    records.opinion_add(
        review=review, by=people.secretary, text="Ý kiến tại hội nghị", channel="conference", author_username="tvminh"
    )


@pytest.fixture
def clean_review(walker):
    """The reference review walked from draft to closed by the rules."""
    return walk(walker, open_review(walker))


@pytest.fixture
def english():
    """Messages are asserted in English (the source language)."""
    with translation.override("en"):
        yield


DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER review_process_auditevent_no_update",
        "DROP TRIGGER review_process_auditevent_no_delete",
        "DROP TRIGGER review_process_auditchainhead_no_delete",
        "DROP TRIGGER review_process_auditchainhead_advance_only",
        "DROP TRIGGER review_process_auditseal_no_update",
        "DROP TRIGGER review_process_auditseal_no_delete",
        "DROP TRIGGER review_process_auditdirectoryhead_no_delete",
        "DROP TRIGGER review_process_auditdirectoryhead_advance_only",
    ],
    "postgresql": [
        # Django's foreign keys are deferred: their pending checks must fire before a trigger can be dropped.
        "SET CONSTRAINTS ALL IMMEDIATE",
        "DROP TRIGGER review_process_auditevent_no_update_delete ON review_process_auditevent",
        "DROP TRIGGER review_process_auditevent_no_truncate ON review_process_auditevent",
        "DROP TRIGGER review_process_auditchainhead_guard ON review_process_auditchainhead",
        "DROP TRIGGER review_process_auditseal_no_update_delete ON review_process_auditseal",
        "DROP TRIGGER review_process_auditseal_no_truncate ON review_process_auditseal",
        "DROP TRIGGER review_process_auditdirectoryhead_guard ON review_process_auditdirectoryhead",
        "SET CONSTRAINTS ALL DEFERRED",
    ],
}


def drop_triggers():
    """Tamper past the append-only triggers: drop them inside the test's transaction (rolled back after)."""
    with connection.cursor() as cursor:
        for statement in DROP_TRIGGERS[connection.vendor]:
            cursor.execute(statement)
