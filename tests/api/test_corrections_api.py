"""The corrections, dates and the people search through the API, in its one error shape."""

import datetime

import pytest

from review_process.models import AuditEvent, Guidance, ReviewParticipant

pytestmark = pytest.mark.django_db


def last_action(review_id):
    return AuditEvent.objects.filter(review_id=review_id).order_by("-sequence").first().action


def test_a_transition_takes_the_day_it_happened_and_refuses_a_future_one(walker, people, api):
    review = walker.to_state("draft", prepared=True)
    url = f"/api/v1/reviews/{review.pk}/transitions/circulate_draft/"
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    refused = api(people.secretary, language="en").post(url, {"occurred_on": tomorrow}, format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert (body["code"], body["field"]) == ("date_in_future", "occurred_on")
    assert body["detail"].startswith("The circulation of the draft cannot be dated")
    done = api(people.secretary).post(url, {"occurred_on": "2021-11-21"}, format="json")
    assert done.status_code == 200
    assert api(people.secretary).get(f"/api/v1/reviews/{review.pk}/").json()["circulated_on"] == "2021-11-21"


def test_guidance_is_corrected_and_withdrawn_by_its_author(walker, people, api):
    review = walker.ready_at("awaiting_guidance")
    guidance = Guidance.objects.get(review=review)
    url = f"/api/v1/reviews/{review.pk}/guidance/{guidance.pk}/"
    other = api(people.standing, language="en").patch(url, {"text": "Sửa hộ"}, format="json")
    assert (other.status_code, other.json()["code"]) == (403, "not_author")
    patched = api(people.board).patch(url, {"text": "Ý kiến chỉ đạo đã sửa"}, format="json")
    assert (patched.status_code, patched.json()["text"]) == (200, "Ý kiến chỉ đạo đã sửa")
    assert last_action(review.pk) == "review.guidance.corrected"
    blank = api(people.board).post(url + "withdraw/", {}, format="json")
    assert (blank.status_code, blank.json()["field"]) == (400, "reason")
    withdrawn = api(people.board).post(url + "withdraw/", {"reason": "Ghi nhầm"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_by"] == "vtthan"
    assert last_action(review.pk) == "review.guidance.withdrawn"
    missing = api(people.board).patch(f"/api/v1/reviews/{review.pk}/guidance/999999/", {"text": "x"}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (404, "guidance_not_found")


def test_confirmed_guidance_is_refused_with_409(walker, people, api):
    review = walker.to_state("finalizing")
    guidance = Guidance.objects.get(review=review)
    response = api(people.board).patch(
        f"/api/v1/reviews/{review.pk}/guidance/{guidance.pk}/", {"text": "Muộn"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "guidance_confirmed")


def test_a_participant_is_revoked_and_opinions_are_accepted_at_once(walker, people, api):
    review = walker.ready_at("collecting_opinions")
    participant = ReviewParticipant.objects.get(review=review, person=people.guest)
    url = f"/api/v1/reviews/{review.pk}/participants/{participant.pk}/"
    assert api(people.member).delete(url, format="json").status_code == 403
    revoked = api(people.secretary).delete(url, {"reason": "Mời nhầm"}, format="json")
    assert revoked.status_code == 200 and revoked.json()["revoked_by"] == "pvhung"
    assert last_action(review.pk) == "review.participant.revoked"
    assert api(people.guest).get(f"/api/v1/reviews/{review.pk}/").status_code == 404

    accepted = api(people.secretary).post(
        f"/api/v1/reviews/{review.pk}/opinions/accept-all/", {"note": "Tiếp thu"}, format="json"
    )
    assert accepted.json() == {"accepted": 2}
    assert last_action(review.pk) == "review.opinions.accepted_all"


def test_people_are_found_by_name_without_accents(walker, people, api):
    review = walker.open()
    url = f"/api/v1/reviews/{review.pk}/people/"
    found = api(people.secretary).get(url, {"q": "nguyen thi"}).json()
    assert [p["username"] for p in found] == ["ntkdinh", "ntlan"]  # Đức Giang and Long Biên, not the city's
    assert [p["username"] for p in api(people.secretary).get(url, {"q": "VŨ THỊ"}).json()] == ["vtthan"]
    assert api(people.secretary).get(url, {"q": "Thành"}).json() == []  # another ward's secretary
    assert api(people.member).get(url, {"q": "a"}).status_code == 403
    assert api(people.outsider).get(url, {"q": "a"}).status_code == 404
