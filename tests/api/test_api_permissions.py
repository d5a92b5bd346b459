"""The permission table through the API: every role x transition x state; outsiders get 404 everywhere."""

import pytest
from django.db import transaction

from permissions.roles import roles_allowed
from review_process.models import TRANSITION_NAMES, AuditEvent, Review, ReviewState
from tests.conftest import PERSONAS, Rollback

pytestmark = pytest.mark.django_db


def expected_status(role, name, state, persona):
    if role is None:
        return 404
    if role not in roles_allowed(name):
        return 403
    if state not in getattr(Review, name)._django_fsm.transitions:
        return 409
    if name == "withdraw" and persona != "secretary":  # only the opener (the secretary, here) withdraws
        return 409
    return 200


@pytest.mark.parametrize("state", [s.value for s in ReviewState])
def test_every_role_transition_and_state_through_the_api(state, walker, people, api):
    review = walker.ready_at(state)

    for persona, role in PERSONAS.items():
        client = api(getattr(people, persona))
        for name in TRANSITION_NAMES:
            before = (Review.objects.get(pk=review.pk).state, AuditEvent.objects.count())
            try:
                with transaction.atomic():
                    response = client.post(
                        f"/api/v1/reviews/{review.pk}/transitions/{name}/", {"reason": "Lý do"}, format="json"
                    )
                    if response.status_code == 200:
                        raise Rollback()
            except Rollback:
                pass
            want = expected_status(role, name, state, persona)
            assert response.status_code == want, (persona, name, state, response.content)
            body = response.json()
            if want == 200:
                assert body["state"] == getattr(Review, name)._django_fsm.get_transition(state).target
            else:
                assert set(body) >= {"code", "detail"} and body["detail"]
                codes = {404: "not_found", 403: "permission_denied", 409: "invalid_state"}
                if name == "withdraw" and want == 409 and state == "draft":
                    codes[409] = "not_opener"
                assert body["code"] == codes[want]
            assert (Review.objects.get(pk=review.pk).state, AuditEvent.objects.count()) == before


ENDPOINTS = [
    ("get", ""),
    ("get", "report-versions/"),
    ("post", "report-versions/"),
    ("get", "opinions/"),
    ("post", "opinions/"),
    ("post", "opinions/1/response/"),
    ("get", "participants/"),
    ("post", "participants/"),
    ("get", "conference/"),
    ("put", "conference/"),
    ("get", "guidance/"),
    ("post", "guidance/"),
    ("get", "self-assessment/"),
    ("put", "self-assessment/"),
    ("get", "decision/"),
    ("put", "decision/"),
    ("get", "notification/"),
    ("put", "notification/"),
    ("get", "remedial-plan/"),
    ("put", "remedial-plan/"),
    ("get", "audit-trail/"),
    *[("post", f"transitions/{name}/") for name in TRANSITION_NAMES],
]

VALID_BODIES = {
    "report-versions/": {"text": "x"},
    "opinions/": {"text": "x", "channel": "written"},
    "opinions/1/response/": {"decision": "accepted"},
    "participants/": {"person": "nvthanh"},
    "conference/": {"held_at": "2021-11-30T08:00:00+07:00", "location": "x", "attendees": []},
    "guidance/": {"text": "x"},
    "self-assessment/": {"proposed_rating": "good"},
    "decision/": {"final_rating": "good", "vote": {"members": 15, "present": 13, "for": 11}},
    "notification/": {"notified_on": "2021-12-20"},
    "remedial-plan/": {"items": [{"description": "x", "owner": "y", "due_date": "2022-01-01"}]},
}


def test_an_outsider_probing_other_organisations_reviews_gets_404_everywhere(walker, people, api):
    review = walker.to_state("approved", prepared=True)
    ids = [review.pk, review.pk + 1000]  # a real review of another ward, and one that does not exist
    client = api(people.outsider)
    for review_id in ids:
        for method, suffix in ENDPOINTS:
            body = VALID_BODIES.get(suffix, {"reason": "x"})
            response = getattr(client, method)(f"/api/v1/reviews/{review_id}/{suffix}", body, format="json")
            assert response.status_code == 404, (method, suffix, response.status_code)
            assert response.json()["code"] == "not_found"
    listing = client.get("/api/v1/reviews/").json()
    assert listing["count"] == 0
    codes = {o["code"] for o in client.get("/api/v1/organizations/").json()["results"]}
    assert codes == {"LB-TT"}


def test_the_audit_trail_is_for_those_who_may_read_it(walker, people, api):
    review = walker.open()
    assert api(people.member).get(f"/api/v1/reviews/{review.pk}/audit-trail/").status_code == 403
    assert api(people.auditor).get(f"/api/v1/reviews/{review.pk}/audit-trail/").status_code == 200
