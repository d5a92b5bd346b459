"""Generated party documents: the conference minutes (biên bản hội nghị) and the final report.

Both are built from the review's records into a ``PartyDocument`` and rendered as .docx (python-docx) or PDF
(fpdf2 with DejaVu Sans, so Vietnamese diacritics render) in the party's document format: the party
organisation's name top left ("ĐẢNG BỘ …", the issuing committee, "*", the number), "ĐẢNG CỘNG SẢN VIỆT NAM"
top right with the place and date beneath, the title, the body, and the signature block.

The wording of these documents is Vietnamese by definition (they are party records, whatever language the
reader's interface uses), so it is written here as Vietnamese text, not as translatable interface strings.
"""

from __future__ import annotations

import datetime
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from permissions.models import Organization, Position
from review_process.compliance.facts import facts_for, local_date
from review_process.models import Guidance, OpinionChannel, Rating, ResponseDecision, Review

FONT_DIR = Path(getattr(settings, "REVIEW_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONTS = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}

RATING_VI = {
    Rating.EXCELLENT: "Hoàn thành xuất sắc nhiệm vụ",
    Rating.GOOD: "Hoàn thành tốt nhiệm vụ",
    Rating.COMPLETE: "Hoàn thành nhiệm vụ",
    Rating.NOT_COMPLETE: "Không hoàn thành nhiệm vụ",
}
ROLE_VI = {
    "secretary": "Bí thư",
    "deputy_secretary": "Phó Bí thư",
    "committee_member": "Đảng ủy viên",
    "organization_board": "Ban Tổ chức",
    "standing_committee": "Ủy viên Ban Thường vụ",
    "inspection": "Ủy ban Kiểm tra",
}
# Committee name as written in the organisation's name → the party organisation in a document header.
HEADER_PREFIXES = (
    ("Thành ủy ", "Đảng bộ thành phố "),
    ("Tỉnh ủy ", "Đảng bộ tỉnh "),
    ("Quận ủy ", "Đảng bộ quận "),
    ("Huyện ủy ", "Đảng bộ huyện "),
    ("Thị ủy ", "Đảng bộ thị xã "),
    ("Đảng ủy ", "Đảng bộ "),
)
PLACE_PREFIXES = (
    "Đảng ủy phường ",
    "Đảng ủy xã ",
    "Đảng ủy thị trấn ",
    "Chi bộ ",
    "Thành ủy ",
    "Tỉnh ủy ",
    "Quận ủy ",
    "Huyện ủy ",
    "Thị ủy ",
    "Đảng ủy ",
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def party_organisation(organization: Organization | None) -> str:
    """ "Quận ủy Long Biên" → "ĐẢNG BỘ QUẬN LONG BIÊN"."""
    if organization is None:
        return ""
    name = nfc(organization.name)
    for prefix, replacement in HEADER_PREFIXES:
        if name.startswith(prefix):
            return (replacement + name[len(prefix) :]).upper()
    return name.upper() if name.upper().startswith(("ĐẢNG BỘ", "CHI BỘ")) else ("Đảng bộ " + name).upper()


def place_name(organization: Organization) -> str:
    """ "Đảng ủy phường Đức Giang" → "Đức Giang" (the place line of a document)."""
    name = nfc(organization.name)
    for prefix in PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def date_line(place: str, day: datetime.date) -> str:
    """Party format: days below 10 and months below 3 take a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass
class Signature:
    heading: list[str]
    name: str


@dataclass
class PartyDocument:
    superior_header: str
    issuer_header: str
    number: str
    place_date: str
    title: str
    subtitle: str
    body: list[tuple[str, str]]  # (style, text): style is "heading", "para" or "item"
    left: Signature | list[str] | None = None  # a signature, or the "Nơi nhận" list
    right: Signature | None = None
    footnote: str = ""
    metadata: dict = field(default_factory=dict)


def _titles(people_ids, organization_ids, day: datetime.date) -> dict[int, str]:
    """Each person's title on ``day`` in one of the organisations (Position.title, else the role)."""
    titles: dict[int, str] = {}
    positions = (
        Position.objects.active_on(day)
        .filter(person_id__in=people_ids, organization_id__in=organization_ids)
        .select_related("organization")
        .order_by("start")
    )
    for p in positions:
        titles.setdefault(p.person_id, p.title or f"{ROLE_VI.get(p.role, p.role)} {p.organization.name}")
    return titles


def _person(user, titles: dict[int, str]) -> str:
    if user is None:
        return ""
    title = titles.get(user.pk)
    return f"đồng chí {user.get_full_name()}" + (f", {title}" if title else "")


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _paragraphs(text: str) -> list[tuple[str, str]]:
    return [("para", line.strip()) for line in nfc(text).splitlines() if line.strip()]


def _header(review: Review, day: datetime.date, number: str) -> dict:
    organization = review.organization
    return {
        "superior_header": party_organisation(organization.superior),
        "issuer_header": nfc(organization.name).upper(),
        "number": number,
        "place_date": date_line(place_name(organization), day),
    }


def conference_minutes(review: Review | int) -> PartyDocument:
    """Biên bản hội nghị kiểm điểm, from the conference record, the opinions, the guidance and the responses."""
    f = facts_for(review)
    review, conference = f.review, f.conference
    if conference is None:
        raise ValueError("The review has no conference recorded.")
    held_at = timezone.localtime(conference.held_at)
    organization = review.organization
    people = {u.pk for u in f.representatives} | {a.person_id for a in f.attendance}
    people |= {conference.chair_id, conference.recorded_by_id} | {g.given_by_id for g in f.guidance}
    titles = _titles(people, organization.line_ids, held_at.date())
    attendance = list(conference.attendance.select_related("person"))
    givers = {g.pk: g.given_by for g in Guidance.objects.filter(review=review).select_related("given_by")}
    chair = conference.chair
    recorder = conference.recorded_by
    present = [a for a in attendance if a.present]
    absent = [a for a in attendance if not a.present]
    draft = f.circulated_draft
    spoken = [o for o in f.opinions if o.channel == OpinionChannel.CONFERENCE]
    written = [o for o in f.opinions if o.channel == OpinionChannel.WRITTEN]
    subject = nfc(organization.name)
    body: list[tuple[str, str]] = [
        ("para", f"Thời gian: {held_at:%H} giờ {held_at:%M}, ngày {held_at:%d/%m/%Y}."),
        ("para", f"Địa điểm: {nfc(conference.location)}."),
        ("para", f"Chủ trì hội nghị: {_person(chair, titles) or '(chưa ghi nhận)'}."),
        ("para", f"Thư ký hội nghị: {_person(recorder, titles)}."),
        (
            "para",
            f"Thành phần: {len(f.attendance)} đồng chí được triệu tập; có mặt {len(present)} đồng chí, "
            f"vắng {len(absent)} đồng chí"
            + (
                " (" + "; ".join(f"đồng chí {a.person.get_full_name()}: {nfc(a.reason)}" for a in absent) + ")."
                if absent
                else "."
            ),
        ),
    ]
    if f.representatives:
        body.append(("para", "Đại biểu cấp trên dự và chỉ đạo hội nghị:"))
        body += [("item", _person(u, titles) + ".") for u in f.representatives]
    else:
        body.append(("para", "Đại biểu cấp trên dự và chỉ đạo hội nghị: (không ghi nhận)."))
    body.append(("heading", "NỘI DUNG HỘI NGHỊ"))
    body.append(
        (
            "para",
            f"1. {_upper_first(_person(chair, titles) or 'chủ trì hội nghị')} trình bày dự thảo báo cáo kiểm điểm "
            f"tập thể {subject} năm {review.year}"
            + (f" (phiên bản {draft.number}, ngày {local_date(draft.created_at):%d/%m/%Y})." if draft else "."),
        )
    )
    body.append(
        (
            "para",
            f"2. Hội nghị thảo luận, góp ý: {len(spoken)} ý kiến phát biểu tại hội nghị"
            + (f"; trước hội nghị đã nhận {len(written)} ý kiến bằng văn bản." if written else "."),
        )
    )
    body += [("item", f"Đồng chí {o.author.get_full_name()}: {nfc(o.text)}") for o in spoken]
    body.append(("para", "3. Ý kiến chỉ đạo của cấp trên:"))
    if f.guidance:
        for g in f.guidance:
            body.append(("item", f"{_upper_first(_person(givers.get(g.pk), titles))}: {nfc(g.text)}"))
    else:
        body.append(("item", "(chưa ghi nhận)"))
    body.append(("para", "4. Tiếp thu, giải trình ý kiến góp ý:"))
    for o in f.opinions:
        r = f.response(o)
        if r is None:
            answer = "chưa trả lời"
        elif r.decision == ResponseDecision.ACCEPTED:
            answer = "tiếp thu" + (f" ({nfc(r.note)})" if r.note else "")
        else:
            answer = f"giải trình: {nfc(r.note)}"
        body.append(("item", f"Ý kiến của đồng chí {o.author.get_full_name()}: {answer}."))
    if not f.opinions:
        body.append(("item", "(không có ý kiến)"))
    body.append(
        (
            "para",
            f"Hội nghị kiểm điểm tập thể {subject} năm {review.year} kết thúc; biên bản đã được thông qua tại hội nghị.",
        )
    )
    return PartyDocument(
        **_header(review, held_at.date(), "Số      -BB/ĐU"),
        title="BIÊN BẢN",
        subtitle=f"Hội nghị kiểm điểm tập thể {subject} năm {review.year}",
        body=body,
        left=Signature(["THƯ KÝ HỘI NGHỊ"], recorder.get_full_name() if recorder else ""),
        right=Signature(["CHỦ TRÌ HỘI NGHỊ"], chair.get_full_name() if chair else ""),
        footnote=(
            f"Văn bản được lập tự động từ hồ sơ điện tử của cuộc kiểm điểm (mã {review.pk}) "
            f"lúc {timezone.localtime():%H:%M ngày %d/%m/%Y}."
        ),
        metadata={"review": review.pk, "kind": "conference_minutes"},
    )


def final_report(review: Review | int) -> PartyDocument:
    """Báo cáo kiểm điểm hoàn chỉnh (Mẫu 01-HD KĐ.ĐG): the final version's text and the self-rating."""
    f = facts_for(review)
    review, final = f.review, f.final_version
    if final is None:
        raise ValueError("The review has no final report version.")
    organization = review.organization
    created = local_date(final.created_at)
    subject = nfc(organization.name)
    body = _paragraphs(final.text)
    accepted = f.accepted_opinions
    body.append(
        (
            "para",
            f"Báo cáo đã tiếp thu {len(accepted)} ý kiến góp ý"
            + (" và ý kiến chỉ đạo của cấp trên." if f.guidance else "."),
        )
    )
    if f.self_assessment is not None:
        body.append(("heading", "TỰ ĐÁNH GIÁ, XẾP LOẠI"))
        body.append(("para", f"Tập thể tự đánh giá, xếp loại: {RATING_VI[f.self_assessment.proposed_rating]}."))
        if f.self_assessment.justification.strip():
            body += _paragraphs(f.self_assessment.justification)
    if f.decision is not None:
        body.append(
            (
                "para",
                f"Cấp có thẩm quyền quyết định xếp loại: {RATING_VI[f.decision.final_rating]} "
                f"(ngày {local_date(f.decision.decided_at):%d/%m/%Y}).",
            )
        )
    superior = organization.superior
    recipients = ["Nơi nhận:"]
    if superior is not None:
        recipients += [f"- Ban Thường vụ {superior.name},", f"- Ban Tổ chức {superior.name},"]
    recipients += ["- Các đồng chí Đảng ủy viên,", "- Lưu Văn phòng Đảng ủy."]
    secretary = final.created_by
    return PartyDocument(
        **_header(review, created, "Số      -BC/ĐU"),
        title="BÁO CÁO",
        subtitle=f"Kiểm điểm tập thể {subject} năm {review.year}",
        body=body,
        left=recipients,
        right=Signature(["T/M ĐẢNG ỦY", "BÍ THƯ"], secretary.get_full_name()),
        footnote=(
            f"Phiên bản hoàn chỉnh số {final.number}, ngày {created:%d/%m/%Y}; văn bản được lập tự động từ hồ sơ "
            f"điện tử của cuộc kiểm điểm (mã {review.pk})."
        ),
        metadata={"review": review.pk, "kind": "final_report", "version": final.number},
    )


# --- .docx ------------------------------------------------------------------------------------------


def render_docx(doc: PartyDocument) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    document.core_properties.title = nfc(f"{doc.title} {doc.subtitle}")
    document.core_properties.author = nfc(doc.issuer_header)

    def line(cell_or_doc, text, *, bold=False, italic=False, underline=False, size=None, align="center"):
        paragraph = cell_or_doc.add_paragraph()
        paragraph.alignment = {
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(nfc(text))
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
        return paragraph

    header = document.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    left.width, right.width = Cm(7.5), Cm(9)
    left.paragraphs[0].text = ""
    if doc.superior_header:
        line(left, doc.superior_header, size=13)
    line(left, doc.issuer_header, bold=True, size=13)
    line(left, "*")
    line(left, doc.number, size=13)
    line(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=14)
    line(right, "")
    line(right, doc.place_date, italic=True, size=14)
    document.add_paragraph()
    line(document, doc.title, bold=True, size=15)
    line(document, doc.subtitle, bold=True, size=14)
    line(document, "-----")
    for style, text in doc.body:
        if style == "heading":
            paragraph = line(document, text, bold=True, align="center")
            paragraph.paragraph_format.space_before = Pt(6)
        elif style == "item":
            paragraph = line(document, "- " + text, align="justify")
            paragraph.paragraph_format.left_indent = Cm(1)
        else:
            paragraph = line(document, text, align="justify")
            paragraph.paragraph_format.first_line_indent = Cm(1)
        paragraph.paragraph_format.space_after = Pt(3)
    document.add_paragraph()
    signatures = document.add_table(rows=1, cols=2)
    sign_left, sign_right = signatures.rows[0].cells
    sign_left.paragraphs[0].text = ""
    sign_right.paragraphs[0].text = ""
    for cell, part in ((sign_left, doc.left), (sign_right, doc.right)):
        if isinstance(part, Signature):
            for heading in part.heading:
                line(cell, heading, bold=True)
            for _blank in range(3):
                line(cell, "")
            line(cell, part.name, bold=True)
        elif part:
            line(cell, part[0], bold=True, italic=True, size=12, align="left")
            for entry in part[1:]:
                line(cell, entry, size=11, align="left")
    if doc.footnote:
        document.add_paragraph()
        line(document, doc.footnote, italic=True, size=10, align="left")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------------


def render_pdf(doc: PartyDocument) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(30, 20, 15)
    pdf.set_auto_page_break(True, margin=20)
    for style, filename in FONTS.items():
        path = FONT_DIR / filename
        if not path.exists():  # the oblique faces are optional: fall back to the upright ones
            path = FONT_DIR / FONTS["B" if "B" in style else ""]
        pdf.add_font("DejaVu", style, str(path))
    pdf.set_title(nfc(f"{doc.title} {doc.subtitle}"))
    pdf.set_author(nfc(doc.issuer_header))
    pdf.set_creator("review-engine")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    left_w, right_w = 70.0, width - 70.0
    top = pdf.get_y()

    def cell(text, *, w, style="", size=11, align="C", h=5.5, x=None):
        if x is not None:
            pdf.set_x(x)
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(w, h, nfc(text), align=align, new_x="LMARGIN", new_y="NEXT")

    x_left, x_right = pdf.l_margin, pdf.l_margin + left_w
    if doc.superior_header:
        cell(doc.superior_header, w=left_w, size=10, x=x_left)
    cell(doc.issuer_header, w=left_w, style="B", size=10, x=x_left)
    cell("*", w=left_w, x=x_left)
    cell(doc.number, w=left_w, size=10, x=x_left)
    bottom_left = pdf.get_y()
    pdf.set_y(top)
    cell("ĐẢNG CỘNG SẢN VIỆT NAM", w=right_w, style="BU", size=11, x=x_right)
    pdf.ln(2)
    cell(doc.place_date, w=right_w, style="I", size=11, x=x_right)
    pdf.set_y(max(bottom_left, pdf.get_y()) + 8)
    cell(doc.title, w=width, style="B", size=14)
    cell(doc.subtitle, w=width, style="B", size=12)
    cell("-----", w=width)
    pdf.ln(3)
    for style, text in doc.body:
        if style == "heading":
            pdf.ln(2)
            cell(text, w=width, style="B", size=11)
        elif style == "item":
            pdf.set_x(pdf.l_margin + 8)
            pdf.set_font("DejaVu", "", 11)
            pdf.multi_cell(width - 8, 5.5, nfc("- " + text), align="J", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("DejaVu", "", 11)
            pdf.multi_cell(width, 5.5, nfc("      " + text), align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(6)
    if pdf.get_y() > pdf.h - pdf.b_margin - 45:  # keep the signature block on one page
        pdf.add_page()
    top = pdf.get_y()
    half = width / 2
    bottoms = []
    for x, part in ((pdf.l_margin, doc.left), (pdf.l_margin + half, doc.right)):
        pdf.set_y(top)
        if isinstance(part, Signature):
            for heading in part.heading:
                cell(heading, w=half, style="B", x=x)
            pdf.ln(18)
            cell(part.name, w=half, style="B", x=x)
        elif part:
            cell(part[0], w=half, style="BI", size=10, align="L", x=x)
            for entry in part[1:]:
                cell(entry, w=half, size=9, align="L", h=4.5, x=x)
        bottoms.append(pdf.get_y())
    pdf.set_y(max(bottoms) + 6)
    if doc.footnote:
        cell(doc.footnote, w=width, style="I", size=8, align="L", h=4)
    return bytes(pdf.output())


def conference_minutes_docx(review: Review | int) -> bytes:
    return render_docx(conference_minutes(review))


def conference_minutes_pdf(review: Review | int) -> bytes:
    return render_pdf(conference_minutes(review))


def final_report_docx(review: Review | int) -> bytes:
    return render_docx(final_report(review))


def final_report_pdf(review: Review | int) -> bytes:
    return render_pdf(final_report(review))
