"""Inviting by searching a person's name within the organisation's line: the JSON endpoint the page's script calls,
and the plain GET search the page answers without a script (``review_process.selectors.people.people_search``
decides who may search and whom)."""

from __future__ import annotations

import pytest

from review_process.models import ReviewParticipant
from tests.factories import PositionFactory, UserFactory
from tests.web.test_actions import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def cell_member(org):
    """Someone of the organisation's line (a member of Đức Giang's committee, not yet invited by login)."""
    person = UserFactory(username="nvan", full_name="Nguyễn Văn An")
    PositionFactory(person=person, organization=org.dg, role="committee_member")
    return person


def test_the_endpoint_finds_people_by_name(login, walker, cell_member):
    review = walker.open()
    response = login("secretary").get(f"/reviews/{review.pk}/people/", {"q": "Văn An"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert {"username": "nvan", "name": "Nguyễn Văn An", "label": "Nguyễn Văn An (nvan)"} in results


def test_someone_outside_the_line_is_not_found(login, walker, people):
    review = walker.open()
    results = login("secretary").get(f"/reviews/{review.pk}/people/", {"q": "Thành"}).json()["results"]
    assert "nvthanh" not in {r["username"] for r in results}  # secretary of another ward


def test_who_may_not_invite_gets_403_and_who_may_not_see_404(login, walker):
    review = walker.open()
    assert login("member").get(f"/reviews/{review.pk}/people/", {"q": "An"}).status_code == 403
    assert login("outsider").get(f"/reviews/{review.pk}/people/", {"q": "An"}).status_code == 404


def test_without_a_script_the_search_draws_a_list_to_choose_from_and_invites(login, walker, cell_member):
    review = walker.open()
    secretary = login("secretary")
    page = secretary.get(f"/reviews/{review.pk}/", {"invite_q": "Văn An"}).content.decode()
    assert 'name="invite-username" value="nvan"' in page  # a radio button per person found
    response = post(secretary, review, "participants/", "invite", username="nvan")
    assert response.status_code == 302
    assert ReviewParticipant.objects.filter(review=review, person=cell_member).exists()
    page = secretary.get(f"/reviews/{review.pk}/", {"invite_q": "Không có ai"}).content.decode()
    assert 'data-testid="people-none"' in page


def test_the_page_wires_the_live_search_without_inline_script(login, walker):
    review = walker.open()
    page = login("secretary").get(f"/reviews/{review.pk}/").content.decode()
    assert f'data-people-url="/reviews/{review.pk}/people/"' in page and "data-people-search" in page
    assert 'src="/static/js/review.js"' in page or "js/review" in page
    assert "<script>" not in page
