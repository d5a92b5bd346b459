"""The ballot minutes (biên bản kiểm phiếu) of an individual review: .docx and PDF in the party format, saying only
what was recorded; downloadable by auditors (404 without a tally or for a collective review; withheld from the
person reviewed until the decision) and part of the evidence file."""

import io
import json
import zipfile

import pytest
from django.utils import timezone

from review_process import documents
from review_process.evidence import evidence_archive
from review_process.models import Ballot
from review_process.services import records
from tests.compliance.test_documents import docx_text, pdf_text
from tests.conftest import VOTE
from tests.review_process.test_individual_reviews import BOARD, IndividualWalker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def collective(walker):
    return walker.to_state("submitted")


@pytest.fixture
def leader(people, collective):
    """Phan Việt Hưng's 2021 review, submitted, with the tally recorded by the deputy (11 eligible, 10 cast:
    2 excellent, 6 good, 1 complete, 0 not complete, 1 invalid)."""
    return IndividualWalker(people).to_state("submitted", prepared=True)


def url(review, fmt="docx"):
    return f"/compliance/reviews/{review.pk}/ballot-minutes.{fmt}"


EXPECTED = (
    "ĐẢNG BỘ QUẬN LONG BIÊN",
    "ĐẢNG ỦY PHƯỜNG ĐỨC GIANG",
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "BIÊN BẢN KIỂM PHIẾU",
    "Đánh giá, xếp loại chất lượng đồng chí Phan Việt Hưng năm 2021",
    "Số người được bỏ phiếu: 11.",
    "Số phiếu thu vào: 10.",
    "Số phiếu hợp lệ: 9; số phiếu không hợp lệ: 1.",
    "Hoàn thành xuất sắc nhiệm vụ: 2 phiếu.",
    "Hoàn thành tốt nhiệm vụ: 6 phiếu.",
    "Hoàn thành nhiệm vụ: 1 phiếu.",
    "Không hoàn thành nhiệm vụ: 0 phiếu.",
    "Nguyễn Thị Lan.",
    "Trần Văn Minh.",
    "T/M BAN KIỂM PHIẾU",
)


def test_the_docx_says_what_was_recorded_and_nothing_more(leader):
    text = docx_text(documents.ballot_minutes_docx(leader))
    for expected in EXPECTED:
        assert expected in text, expected
    recorded = timezone.localtime(Ballot.objects.get(review=leader).recorded_at)
    assert f"Kết quả kiểm phiếu được ghi nhận ngày {recorded:%d/%m/%Y} (đồng chí Nguyễn Thị Lan" in text
    # No chair, no decision, no result inferred from the counts: none was recorded with the tally.
    for invented in ("Chủ trì", "Quyết định", "đạt mức", "quyết định xếp loại"):
        assert invented not in text, invented


def test_the_pdf_carries_the_counts(leader):
    data = documents.ballot_minutes_pdf(leader)
    assert data.startswith(b"%PDF")
    text = " ".join(pdf_text(data).split())
    for expected in ("BIÊN BẢN KIỂM PHIẾU", "Số phiếu thu vào: 10.", "Hoàn thành tốt nhiệm vụ: 6 phiếu.", *BOARD):
        assert expected in text, expected


def test_auditors_download_it_and_the_compliance_page_links_it(client, people, leader):
    client.force_login(people.auditor)
    page = client.get(f"/compliance/reviews/{leader.pk}/").content.decode()
    assert url(leader) in page and url(leader, "pdf") in page
    response = client.get(url(leader))
    assert response.status_code == 200
    assert "bien-ban-kiem-phieu-lb-dg-2021.docx" in response["Content-Disposition"]
    assert "Số phiếu thu vào: 10." in docx_text(response.content)
    assert client.get(url(leader, "pdf")).content.startswith(b"%PDF")


def test_404_for_a_collective_review_or_without_a_tally(client, people, collective):
    client.force_login(people.auditor)
    assert client.get(url(collective)).status_code == 404
    assert url(collective) not in client.get(f"/compliance/reviews/{collective.pk}/").content.decode()
    untallied = IndividualWalker(people).to_state("submitted")
    assert client.get(url(untallied)).status_code == 404
    with pytest.raises(ValueError):
        documents.ballot_minutes(collective)


def test_the_person_reviewed_gets_it_only_after_the_decision(client, people, collective, leader):
    client.force_login(people.secretary)  # the subject; as the ward's secretary they read the audit trail
    assert client.get(url(leader)).status_code == 403
    assert client.get(f"/compliance/reviews/{leader.pk}/evidence.zip").status_code == 403
    assert url(leader) not in client.get(f"/compliance/reviews/{leader.pk}/").content.decode()
    records.decision_set(review=collective, by=people.standing, final_rating="good", vote=VOTE)
    records.decision_set(review=leader, by=people.standing, final_rating="good", vote=VOTE)
    assert client.get(url(leader)).status_code == 200
    assert client.get(f"/compliance/reviews/{leader.pk}/evidence.zip").status_code == 200


def test_the_evidence_file_holds_the_ballot_minutes(leader, collective):
    archive = zipfile.ZipFile(io.BytesIO(evidence_archive(leader)))
    names = set(archive.namelist())
    assert {"ballot/bien-ban-kiem-phieu.docx", "ballot/bien-ban-kiem-phieu.pdf"} <= names
    assert "Số phiếu thu vào: 10." in docx_text(archive.read("ballot/bien-ban-kiem-phieu.docx"))
    manifest = json.loads(archive.read("manifest.json"))
    item = next(i for i in manifest["checklist"] if i["number"] == 7)
    assert "ballot/bien-ban-kiem-phieu.pdf" in item["files"]
    collective_names = zipfile.ZipFile(io.BytesIO(evidence_archive(collective))).namelist()
    assert not any(name.startswith("ballot/") for name in collective_names)
