"""A ``PartyDocument`` as .docx (python-docx): A4, Times New Roman 14, the party's header and signature layout."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from review_process.documents.party_format import PartyDocument, Signature, nfc


def render_docx(doc: PartyDocument) -> bytes:
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
