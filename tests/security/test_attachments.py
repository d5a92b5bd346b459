"""Report attachments cannot attack: allowed by content only, read up to the limit only, stored and served privately.

Item 4 of the issue "Evidence that cannot be rewritten, attachments that cannot attack, and the doors of a real
deployment": an HTML page uploaded as an attachment used to be served by /media/ to anyone as text/html.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.html import escape
from docx import Document
from fpdf import FPDF
from openpyxl import Workbook
from PIL import Image
from rest_framework.test import APIClient

from review_process import attachments
from review_process.attachments import CHUNK_BYTES, accept_upload, safe_name, sniff
from review_process.errors import InvalidInput
from review_process.models import ReportVersion
from review_process.services import records

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


# --- Files of each kind ----------------------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Bao cao kiem diem")
    return bytes(pdf.output())


def docx_bytes() -> bytes:
    document = Document()
    document.add_paragraph("Báo cáo kiểm điểm tập thể năm 2021")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Tiêu chí", "Điểm"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def odt_bytes(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format=fmt)
    return out.getvalue()


def zip_of(**members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name.replace("__", "/"), text)
    return out.getvalue()


# --- What is allowed ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "kind"),
    [
        (pdf_bytes, attachments.PDF),
        (docx_bytes, attachments.DOCX),
        (xlsx_bytes, attachments.XLSX),
        (odt_bytes, attachments.ODT),
        (lambda: image_bytes("PNG"), attachments.PNG),
        (lambda: image_bytes("JPEG"), attachments.JPEG),
    ],
)
def test_the_allowed_kinds_are_recognised_by_content(build, kind):
    assert sniff(io.BytesIO(build())) is kind


@pytest.mark.parametrize(
    "data",
    [
        HTML,
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"plain text",
        b"",
        b"PK\x03\x04 not really a zip",
        zip_of(**{"index.html": "<html></html>"}),
        zip_of(**{"[Content_Types].xml": "<Types/>", "ppt__slides__slide1.xml": "<p/>"}),  # .pptx: not allowed
        odt_bytes(b"application/vnd.oasis.opendocument.spreadsheet"),
        odt_bytes(b"text/html"),
    ],
)
def test_anything_else_is_not_allowed(data):
    assert sniff(io.BytesIO(data)) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Báo cáo đợt 1.pdf", "Bao_cao_dot_1.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\hung\\Bản thảo.PDF", "Ban_thao.pdf"),
        (".htaccess", "htaccess.pdf"),
        ("report.html", "report.pdf"),
        ("no extension", "no_extension.pdf"),
        ("", "attachment.pdf"),
        ("<script>.pdf", "script.pdf"),
    ],
)
def test_names_are_safe_basenames_with_the_extension_of_the_content(name, expected):
    assert safe_name(name, attachments.PDF) == expected


def test_a_long_name_is_shortened():
    assert len(safe_name("x" * 500 + ".docx", attachments.DOCX)) <= attachments.MAX_STEM_CHARS + len(".docx")


class Endless(io.RawIOBase):
    """A PDF-looking stream that fails the test if more than ``allowed`` bytes are read from it."""

    name = "big.pdf"

    def __init__(self, allowed: int):
        self.allowed = allowed
        self.position = 0

    def readable(self) -> bool:
        return True

    def read(self, size=-1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("the whole upload was read")
        if self.position + size > self.allowed:
            raise AssertionError(f"read past the limit: {self.position + size} bytes")
        data = (b"%PDF-1.4\n" if self.position == 0 else b"") + b"x" * size
        data = data[:size]
        self.position += len(data)
        return data


def test_the_size_limit_stops_reading_early():
    limit = 3 * CHUNK_BYTES + 17
    stream = Endless(allowed=limit + CHUNK_BYTES)
    with pytest.raises(InvalidInput) as refused:
        accept_upload(stream, limit=limit)
    assert (refused.value.code, refused.value.field) == ("attachment_too_large", "attachment")
    assert stream.position == limit + 1  # one byte past the limit, and not one more


def test_a_file_exactly_at_the_limit_passes():
    data = pdf_bytes()
    checked = accept_upload(io.BytesIO(data), limit=len(data))
    try:
        assert (checked.kind, checked.size) == (attachments.PDF, len(data))
    finally:
        checked.close()


# --- Through the service -----------------------------------------------------------------------------------------


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "public"
    return settings.PRIVATE_MEDIA_ROOT


def add(review, people, name, data, content_type="application/octet-stream"):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return records.report_version_add(review=review, by=people.secretary, text="Dự thảo", attachment=upload)


def test_an_html_file_named_report_pdf_is_refused(walker, people, private_root):
    review = walker.open()
    with pytest.raises(InvalidInput) as refused:
        add(review, people, "report.pdf", HTML, "application/pdf")
    assert (refused.value.code, refused.value.field) == ("attachment_type_not_allowed", "attachment")
    assert not ReportVersion.objects.filter(review=review).exists()
    assert not private_root.exists() or not [p for p in private_root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "build", "stored"),
    [
        ("Dự thảo.pdf", pdf_bytes, "Du_thao.pdf"),
        ("bao-cao.docx", docx_bytes, "bao-cao.docx"),
        ("anh chup.png", lambda: image_bytes("PNG"), "anh_chup.png"),
        ("trick.html", docx_bytes, "trick.docx"),
    ],
)
def test_allowed_files_are_kept_privately_under_a_safe_name(walker, people, private_root, name, build, stored):
    review = walker.open()
    data = build()
    version = add(review, people, name, data)
    assert Path(version.attachment.name).name == stored
    assert Path(version.attachment.path).is_relative_to(private_root)
    assert Path(version.attachment.path).read_bytes() == data
    assert len(version.attachment_sha256) == 64
    with pytest.raises(ValueError):
        version.attachment.url  # noqa: B018 - no public URL exists


def test_the_api_refuses_a_disguised_page_and_gives_the_download_url(walker, people, private_root):
    review = walker.open()
    client = APIClient()
    client.force_authenticate(people.secretary)
    url = f"/api/v1/reviews/{review.pk}/report-versions/"
    refused = client.post(url, {"text": "Dự thảo", "attachment": SimpleUploadedFile("a.pdf", HTML)})
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == ("attachment_type_not_allowed", "attachment")
    created = client.post(url, {"text": "Dự thảo", "attachment": SimpleUploadedFile("a.pdf", pdf_bytes())})
    assert created.status_code == 201, created.content
    version = created.json()
    expected = reverse("review_process:report-version-attachment", args=[review.pk, version["id"]])
    assert version["attachment_url"] == expected and expected.startswith("/")
    client.post(url, {"text": "Bản sửa, không đính kèm"})
    listed = client.get(url).json()
    assert [v["attachment_url"] for v in listed] == [expected, None]


# --- Serving -----------------------------------------------------------------------------------------------------


@pytest.fixture
def with_pdf(walker, people, private_root):
    review = walker.open()
    data = pdf_bytes()
    version = add(review, people, "Báo cáo.pdf", data)
    url = reverse("review_process:report-version-attachment", args=[review.pk, version.pk])
    return review, version, url, data


def test_anonymous_people_are_sent_to_log_in(client, with_pdf):
    response = client.get(with_pdf[2])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_someone_outside_the_line_gets_a_404(client, people, with_pdf):
    client.force_login(people.outsider)
    assert client.get(with_pdf[2]).status_code == 404


def test_a_permitted_person_gets_a_download_that_cannot_run(client, people, with_pdf):
    _review, _version, url, data = with_pdf
    client.force_login(people.member)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Bao_cao.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data


def test_a_version_of_another_review_or_without_attachment_is_a_404(client, people, walker, with_pdf):
    review, version, _url, _data = with_pdf
    client.force_login(people.secretary)
    other = records.report_version_add(review=review, by=people.secretary, text="Không đính kèm")
    assert (
        client.get(reverse("review_process:report-version-attachment", args=[review.pk, other.pk])).status_code == 404
    )
    assert client.get(reverse("review_process:report-version-attachment", args=[review.pk, 999999])).status_code == 404


def test_an_old_html_attachment_is_never_served_as_html(client, people, with_pdf):
    review, version, url, _data = with_pdf
    version.attachment.save("old.html", SimpleUploadedFile("old.html", HTML), save=True)  # before the allow-list
    client.force_login(people.secretary)
    response = client.get(url)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_review_page_links_to_the_checked_download(client, people, with_pdf):
    review, _version, url, _data = with_pdf
    client.force_login(people.secretary)
    page = client.get(reverse("review_process:review-detail", args=[review.pk])).content.decode()
    assert f'href="{url}"' in page
    assert "/media/" not in page


def test_there_is_no_media_route(client, people, with_pdf):
    _review, version, _url, _data = with_pdf
    client.force_login(people.secretary)
    assert client.get(f"/media/{version.attachment.name}").status_code == 404
    with pytest.raises(Resolver404):
        resolve(f"/media/{version.attachment.name}")


def test_the_web_form_refuses_a_disguised_page_on_its_field(client, people, walker, private_root):
    review = walker.open()
    client.force_login(people.secretary)
    upload = SimpleUploadedFile("bao-cao.pdf", HTML, content_type="application/pdf")
    data = {"report-state": review.state, "report-text": "Dự thảo", "report-attachment": upload, "intent": "submit"}
    response = client.post(f"/reviews/{review.pk}/report/", data)
    assert response.status_code in (200, 400)
    with translation.override("vi"):  # the site's language: the test client sends no Accept-Language
        assert escape(str(attachments.ATTACHMENT_TYPE_NOT_ALLOWED)) in response.content.decode()
    assert not ReportVersion.objects.filter(review=review).exists()


def test_an_oversized_upload_is_dropped_while_it_streams_in(walker, people, settings):
    """The upload handler stops storing the file past the limit; the API and the page answer 400."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from rest_framework.test import APIClient

    settings.REVIEW_ATTACHMENT_MAX_BYTES = 1000
    review = walker.open()
    big = b"%PDF-1.4\n" + b"0" * 5000
    client = APIClient()
    client.force_authenticate(people.secretary)
    response = client.post(
        f"/api/v1/reviews/{review.pk}/report-versions/",
        {"text": "Dự thảo", "attachment": SimpleUploadedFile("big.pdf", big, content_type="application/pdf")},
        format="multipart",
    )
    assert (response.status_code, response.json()["code"]) == (400, "attachment_too_large")
    page = Client()
    page.force_login(people.secretary)
    response = page.post(
        f"/reviews/{review.pk}/report/",
        {"report-state": "draft", "report-text": "Dự thảo", "report-attachment": SimpleUploadedFile("big.pdf", big)},
    )
    assert response.status_code == 400
    assert not review.report_versions.exists()
