"""The conference form records who kept the minutes and whether (and how) they were approved; nothing else."""

import pytest
from django.conf import settings

from review_process.models import Conference
from tests.web.test_actions import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(client, people):
    def login(name: str):
        client.force_login(getattr(people, name))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def record(client, review, **extra):
    return post(
        client,
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
        **extra,
    )


def test_the_minutes_secretary_and_approval_are_recorded_as_given(as_, walker):
    review = walker.to_state("collecting_opinions")
    secretary = as_("secretary")
    record(secretary, review)
    conference = Conference.objects.get(review=review)
    assert (conference.minutes_secretary, conference.minutes_approved, conference.minutes_approval) == (None, None, "")
    record(secretary, review, minutes_secretary="ntlan", minutes_approved="yes", minutes_approval="giơ tay, 8/8")
    conference = Conference.objects.get(review=review)
    assert (conference.minutes_secretary.username, conference.minutes_approved, conference.minutes_approval) == (
        "ntlan",
        True,
        "giơ tay, 8/8",
    )
    page = secretary.get(f"/reviews/{review.pk}/").content.decode()
    assert "Nguyễn Thị Lan" in page and "giơ tay, 8/8" in page


def test_how_they_were_approved_needs_them_approved(as_, walker):
    review = walker.to_state("collecting_opinions")
    response = record(as_("secretary"), review, minutes_approved="", minutes_approval="giơ tay")
    assert response.status_code == 400
    assert not Conference.objects.filter(review=review).exists()
