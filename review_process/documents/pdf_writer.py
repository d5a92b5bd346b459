"""A ``PartyDocument`` as PDF (fpdf2 with DejaVu Sans, so Vietnamese diacritics render; text NFC-normalised)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from fpdf import FPDF

from review_process.documents.party_format import PartyDocument, Signature, nfc

FONT_DIR = Path(getattr(settings, "REVIEW_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONTS = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}


def render_pdf(doc: PartyDocument) -> bytes:
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
