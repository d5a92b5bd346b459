"""A ``PartyDocument`` as PDF (fpdf2; text NFC-normalised).

It looks like the .docx of the same document: a Times-style serif at the same sizes. The .docx names Times New
Roman (the font of party documents); the PDF embeds GNU FreeSerif, a Times-style serif that covers every
Vietnamese letter (Liberation Serif, metric-compatible with Times, lacks the Vietnamese ones: checked with
fontTools).  Debian's ``fonts-freefont-ttf`` provides it (``make system-deps``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from fpdf import FPDF

from review_process.documents.party_format import PartyDocument, Signature, nfc

FONT_DIR = Path(getattr(settings, "REVIEW_PDF_FONT_DIR", "/usr/share/fonts/truetype/freefont"))
FONT = "Serif"
FONTS = {
    "": "FreeSerif.ttf",
    "B": "FreeSerifBold.ttf",
    "I": "FreeSerifItalic.ttf",
    "BI": "FreeSerifBoldItalic.ttf",
}
# The sizes of the .docx (docx_writer), in points.
BODY = 14


def render_pdf(doc: PartyDocument) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(30, 20, 15)
    pdf.set_auto_page_break(True, margin=20)
    for style, filename in FONTS.items():
        path = FONT_DIR / filename
        if not path.exists():  # the oblique faces are optional: fall back to the upright ones
            path = FONT_DIR / FONTS["B" if "B" in style else ""]
        pdf.add_font(FONT, style, str(path))
    pdf.set_title(nfc(f"{doc.title} {doc.subtitle}"))
    pdf.set_author(nfc(doc.issuer_header))
    pdf.set_creator("review-engine")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    left_w, right_w = 70.0, width - 70.0
    top = pdf.get_y()

    def cell(text, *, w, style="", size=BODY, align="C", h=None, x=None):
        if x is not None:
            pdf.set_x(x)
        h = h or size * 0.5
        pdf.set_font(FONT, style, size)
        pdf.multi_cell(w, h, nfc(text), align=align, new_x="LMARGIN", new_y="NEXT")

    x_left, x_right = pdf.l_margin, pdf.l_margin + left_w
    if doc.superior_header:
        cell(doc.superior_header, w=left_w, size=13, x=x_left)
    cell(doc.issuer_header, w=left_w, style="B", size=13, x=x_left)
    cell("*", w=left_w, x=x_left)
    cell(doc.number, w=left_w, size=13, x=x_left)
    bottom_left = pdf.get_y()
    pdf.set_y(top)
    cell("ĐẢNG CỘNG SẢN VIỆT NAM", w=right_w, style="BU", size=14, x=x_right)
    pdf.ln(2)
    cell(doc.place_date, w=right_w, style="I", size=14, x=x_right)
    pdf.set_y(max(bottom_left, pdf.get_y()) + 8)
    cell(doc.title, w=width, style="B", size=15)
    cell(doc.subtitle, w=width, style="B", size=14)
    cell("-----", w=width)
    pdf.ln(3)
    for style, text in doc.body:
        if style == "heading":
            pdf.ln(2)
            cell(text, w=width, style="B")
        elif style == "item":
            pdf.set_x(pdf.l_margin + 8)
            pdf.set_font(FONT, "", BODY)
            pdf.multi_cell(width - 8, BODY * 0.5, nfc("- " + text), align="J", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font(FONT, "", BODY)
            pdf.multi_cell(width, BODY * 0.5, nfc("      " + text), align="J", new_x="LMARGIN", new_y="NEXT")
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
            cell(part[0], w=half, style="BI", size=12, align="L", x=x)
            for entry in part[1:]:
                cell(entry, w=half, size=11, align="L", x=x)
        bottoms.append(pdf.get_y())
    pdf.set_y(max(bottoms) + 6)
    if doc.footnote:
        cell(doc.footnote, w=width, style="I", size=10, align="L")
    return bytes(pdf.output())
