"""The generated minutes and final report open and carry the Vietnamese text; the evidence archive is whole."""

import csv
import hashlib
import io
import json
import zipfile

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from review_process import documents
from review_process.compliance.checklist import ItemStatus, evidence_checklist
from review_process.evidence import evidence_archive
from review_process.models import AuditEvent, ReportVersion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts += [p.text for p in cell.paragraphs]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_minutes_as_docx_carry_the_party_format_and_the_records(clean_review):
    text = docx_text(documents.conference_minutes_docx(clean_review))
    for expected in (
        "ĐẢNG BỘ QUẬN LONG BIÊN",
        "ĐẢNG ỦY PHƯỜNG ĐỨC GIANG",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Đức Giang, ngày 30 tháng 11 năm 2021",
        "BIÊN BẢN",
        "Hội nghị kiểm điểm tập thể Đảng ủy phường Đức Giang năm 2021",
        "Địa điểm: Phòng 305.",
        "Chủ trì hội nghị: đồng chí Phan Việt Hưng",
        "vắng 1 đồng chí (đồng chí Lê Thị Hoa: Ốm)",
        "đồng chí Vũ Thị Thân",
        "đồng chí Nguyễn Thị Kim Định",
        "Ý kiến chỉ đạo của Ban Tổ chức Quận ủy",
        "CHỦ TRÌ HỘI NGHỊ",
    ):
        assert expected in text, expected


def test_the_minutes_as_pdf_show_the_vietnamese_text(clean_review):
    data = documents.conference_minutes_pdf(clean_review)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ("Đức Giang", "kiểm điểm", "ĐẢNG CỘNG SẢN VIỆT NAM", "Vũ Thị Thân", "Nguyễn Thị Kim Định", "Ốm"):
        assert expected in text, expected
    fonts = {
        str(font["/BaseFont"])
        for page in pypdf.PdfReader(io.BytesIO(data)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    # The same Times-style serif as the .docx (FreeSerif: it covers every Vietnamese letter).
    assert {f.split("+")[-1] for f in fonts} >= {"FreeSerif", "FreeSerifBold"}


def test_the_final_report_in_both_formats(clean_review):
    for text in (
        docx_text(documents.final_report_docx(clean_review)),
        pdf_text(documents.final_report_pdf(clean_review)),
    ):
        for expected in (
            "BÁO CÁO",
            "Kiểm điểm tập thể Đảng ủy phường Đức Giang năm 2021",
            "Đức Giang, ngày 03 tháng 12 năm 2021",
            "Báo cáo hoàn chỉnh",
            "Hoàn thành tốt nhiệm vụ",
            "T/M ĐẢNG ỦY",
            "Phan Việt Hưng",
            "Ban Thường vụ Quận ủy Long Biên",
        ):
            assert expected in text, expected


def test_documents_need_their_records(walker):
    review = walker.open()
    with pytest.raises(ValueError):
        documents.conference_minutes(review)
    with pytest.raises(ValueError):
        documents.final_report(review)


def test_the_checklist_links_each_item_or_marks_it(clean_review):
    items = {i.number: i for i in evidence_checklist(clean_review)}
    assert [i for i in items] == list(range(1, 11))
    assert {n for n, i in items.items() if i.status == ItemStatus.OUTSIDE} == {1, 2, 5}
    assert {n for n, i in items.items() if i.status == ItemStatus.PRESENT} == {3, 4, 6, 7, 8, 9, 10}
    assert {r["type"] for r in items[4].records} == {"report_version", "opinion_response"}
    assert items[8].records == [
        {"type": "decision", "id": clean_review.decision.pk, "label": "Good (hoàn thành tốt nhiệm vụ)"},
        {"type": "notification", "id": clean_review.notification.pk, "label": "2021-12-10"},
    ]


def test_the_checklist_of_a_review_in_draft(walker):
    items = {i.number: i.status for i in evidence_checklist(walker.open())}
    assert items[4] == ItemStatus.NOT_YET_DUE and items[6] == ItemStatus.NOT_YET_DUE
    assert items[10] == ItemStatus.PRESENT


def test_the_evidence_archive_has_an_index_a_manifest_and_every_file(clean_review, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = ReportVersion.objects.get(review=clean_review, number=1)
    attachment = SimpleUploadedFile("du-thao.txt", "Phụ lục dự thảo".encode())
    draft.attachment.save("du-thao.txt", attachment, save=True)
    data = evidence_archive(clean_review)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names[0] == "index.html"
    for expected in (
        "manifest.json",
        "reports/v1-draft.txt",
        "reports/v2-final.txt",
        "conference/bien-ban-hoi-nghi.docx",
        "conference/bien-ban-hoi-nghi.pdf",
        "final-report/bao-cao-hoan-chinh.docx",
        "final-report/bao-cao-hoan-chinh.pdf",
        "audit/audit-trail.csv",
        "audit/audit-trail.json",
        "audit/chain-verdict.json",
        "opinions.csv",
        "compliance.json",
    ):
        assert expected in names, expected
    assert any(n.startswith("reports/v1-attachment-") for n in names)
    manifest = json.loads(archive.read("manifest.json"))
    assert {f["path"] for f in manifest["files"]} == set(names) - {"manifest.json"}
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"], entry["path"]
    assert manifest["compliant"] is True and manifest["chain_intact"] is True
    assert [i["status"] for i in manifest["checklist"]][:4] == ["outside", "outside", "present", "present"]
    assert "conference/bien-ban-hoi-nghi.pdf" in manifest["checklist"][5]["files"]
    audit_rows = list(csv.DictReader(io.StringIO(archive.read("audit/audit-trail.csv").decode("utf-8-sig"))))
    assert len(audit_rows) == AuditEvent.objects.filter(review=clean_review).count()
    assert audit_rows[0]["action"] == "review.opened"
    index = archive.read("index.html").decode()
    assert "Đảng ủy phường Đức Giang" in index and "bien-ban-hoi-nghi.pdf" in index
    assert "kiểm điểm" in pdf_text(archive.read("conference/bien-ban-hoi-nghi.pdf"))


def test_the_minutes_say_only_what_was_recorded_about_their_secretary_and_their_approval(clean_review, people):
    """Who kept the minutes and whether they were approved are recorded facts, never the person who typed the data."""
    text = docx_text(documents.conference_minutes_docx(clean_review))
    assert "Thư ký hội nghị: (chưa ghi nhận)." in text
    assert "Việc thông qua biên bản: (chưa ghi nhận)." in text
    assert "đã được thông qua" not in text
    conference = clean_review.conference
    conference.minutes_secretary = people.deputy
    conference.minutes_approved = True
    conference.minutes_approval = "biểu quyết giơ tay, 8/8 đồng chí có mặt tán thành"
    conference.save()
    for text in (
        docx_text(documents.conference_minutes_docx(clean_review)),
        pdf_text(documents.conference_minutes_pdf(clean_review)),
    ):
        assert "Nguyễn Thị Lan" in text
        assert "đã được thông qua tại hội nghị (biểu quyết giơ tay, 8/8 đồng chí có mặt tán thành)" in " ".join(
            text.split()
        )
