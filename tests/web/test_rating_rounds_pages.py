"""The rating rounds' pages: list and open, the editable table with the live quota counter, the upload, the vote
and the decide button, the read-only decided round, the correction; who sees what."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review_process.models import RatingRound
from review_process.services.rounds import entries_upsert, round_open
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
VOTE_FORM = {"vote-members": 15, "vote-present": 13, "vote-votes_for": 11, "vote-against": 1, "vote-abstain": 1}


@pytest.fixture
def cells(org):
    return [OrganizationFactory(code=f"LB-DG-C{i}", name=f"Chi bộ {i}", kind="cell", superior=org.dg) for i in range(2)]


def table(rows: list[dict]) -> dict:
    """The entries table as the browser posts it: one list per column."""
    columns = ("key", "name", "group", "proposed_rating", "final_rating", "reason")
    return {name: [row.get(name, "") for row in rows] for name in columns}


def test_list_and_open_form(login, people):
    client = login("secretary")
    page = client.get("/rating-rounds/")
    assert page.status_code == 200 and b'data-action="open_round"' in page.content
    assert b'lang="vi"' in page.content  # Vietnamese by default
    response = client.post("/rating-rounds/open/", {"organization": "LB-DG", "subject": "members", "year": 2021})
    round_ = RatingRound.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rating-rounds/{round_.pk}/"
    again = client.post("/rating-rounds/open/", {"organization": "LB-DG", "subject": "members", "year": 2021})
    assert again.status_code == 409 and "round_exists" not in again.content.decode()  # the message, not the code
    assert b'data-testid="round-list"' in client.get("/rating-rounds/").content
    assert b'data-action="open_round"' not in login("deputy").get("/rating-rounds/").content  # no rating role
    assert b'data-testid="rating-rounds-link"' in client.get("/").content


def test_the_table_offers_the_subordinates_and_saves_what_was_typed(login, people, cells):
    client = login("secretary")
    round_ = round_open(organization_code="LB-DG", year=2021, subject="organizations", by=people.secretary)
    page = client.get(f"/rating-rounds/{round_.pk}/").content.decode()
    assert "LB-DG-C0" in page and "LB-DG-C1" in page and "js/round.js" in page
    assert 'id="quota-live"' in page and 'data-scope=""' in page  # 2019-2022: organisations are not capped
    posted = table(
        [
            {"key": "LB-DG-C0", "name": "Chi bộ 0", "group": "Khu dân cư", "final_rating": "good"},
            {"key": "LB-DG-C1", "name": "Chi bộ 1"},  # offered, left untouched: not added
        ]
    )
    response = client.post(f"/rating-rounds/{round_.pk}/entries/", posted)
    assert response.status_code == 302
    assert list(round_.entries.values_list("key", "group", "final_rating")) == [("LB-DG-C0", "Khu dân cư", "good")]
    bad = client.post(f"/rating-rounds/{round_.pk}/entries/", table([{"key": "LB-TT", "final_rating": "good"}]))
    assert bad.status_code == 400 and "LB-TT" in bad.content.decode()


def test_upload_on_the_page(login, people):
    client = login("secretary")
    round_ = round_open(organization_code="LB-DG", year=2021, subject="members", by=people.secretary)
    upload = SimpleUploadedFile("e.csv", "key;group;final_rating\nm1;Chi bộ 1;HTXS\nm2;Chi bộ 1;HTT\n".encode())
    assert client.post(f"/rating-rounds/{round_.pk}/entries/", {"file": upload}).status_code == 302
    assert sorted(round_.entries.values_list("key", "final_rating")) == [("m1", "excellent"), ("m2", "good")]
    page = client.get(f"/rating-rounds/{round_.pk}/").content.decode()
    assert 'data-scope="round"' in page and "badge-overdue" in page  # 1 excellent for 1 good: over the quota


def test_decide_on_the_page_then_read_only_then_correct(login, people):
    client = login("secretary")
    round_ = round_open(organization_code="LB-DG", year=2021, subject="members", by=people.secretary)
    entries_upsert(
        rating_round=round_,
        by=people.secretary,
        entries=[{"key": "m1", "final_rating": "excellent"}, {"key": "m2", "final_rating": "good"}],
    )
    refused = client.post(f"/rating-rounds/{round_.pk}/decide/", VOTE_FORM)
    assert refused.status_code == 409 and b'data-action="round_decide"' in refused.content
    entries_upsert(rating_round=round_, by=people.secretary, entries=[{"key": "m1", "final_rating": "good"}])
    not_carried = client.post(f"/rating-rounds/{round_.pk}/decide/", {**VOTE_FORM, "vote-votes_for": 7})
    assert not_carried.status_code == 409
    assert client.post(f"/rating-rounds/{round_.pk}/decide/", VOTE_FORM).status_code == 302
    page = client.get(f"/rating-rounds/{round_.pk}/").content.decode()
    assert 'data-testid="vote"' in page and 'data-action="round_entries"' not in page
    assert 'data-action="round_decide"' not in page and "js/round.js" not in page
    assert client.post(f"/rating-rounds/{round_.pk}/entries/", table([{"key": "m3"}])).status_code == 409

    assert client.post(f"/rating-rounds/{round_.pk}/correction/", {"correction-reason": ""}).status_code == 400
    response = client.post(f"/rating-rounds/{round_.pk}/correction/", {"correction-reason": "Sửa sai sót"})
    new = RatingRound.objects.get(supersedes=round_)
    assert response.status_code == 302 and response["Location"] == f"/rating-rounds/{new.pk}/"


@pytest.mark.parametrize(
    ("persona", "status", "editable"),
    [
        ("secretary", 200, True),
        ("deputy", 200, False),
        ("standing", 200, False),
        ("auditor", 200, False),
        ("outsider", 404, False),
    ],
)
def test_who_sees_the_round_page(login, people, persona, status, editable):
    round_ = round_open(organization_code="LB-DG", year=2021, subject="members", by=people.secretary)
    response = login(persona).get(f"/rating-rounds/{round_.pk}/")
    assert response.status_code == status
    if status == 200:
        assert (b'data-action="round_entries"' in response.content) is editable
    if persona == "deputy":
        assert login(persona).post(f"/rating-rounds/{round_.pk}/decide/", VOTE_FORM).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/rating-rounds/").status_code == 302
