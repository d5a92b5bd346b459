"""Generated party documents: the conference minutes (biên bản hội nghị), the final report and, for an
individual review, the ballot minutes (biên bản kiểm phiếu).

Each is built from the review's records into a ``PartyDocument`` (``minutes``, ``report``, ``ballot``; the shared
format in ``party_format``) and rendered as .docx (``docx_writer``) or PDF (``pdf_writer``) in the party's document format.
The wording is Vietnamese whatever the reader's interface language (they are party records).

This package is the public entry point: ``conference_minutes``, ``final_report``, ``ballot_minutes``,
``render_docx``, ``render_pdf`` and the ``*_docx`` / ``*_pdf`` shortcuts. It reads
``review_process.compliance.facts`` and the models; nothing in ``compliance`` imports it.
"""

from __future__ import annotations

from review_process.documents.ballot import ballot_minutes
from review_process.documents.docx_writer import render_docx
from review_process.documents.minutes import conference_minutes
from review_process.documents.party_format import PartyDocument, Signature
from review_process.documents.pdf_writer import render_pdf
from review_process.documents.report import final_report
from review_process.models import Review

__all__ = [
    "PartyDocument",
    "Signature",
    "ballot_minutes",
    "ballot_minutes_docx",
    "ballot_minutes_pdf",
    "conference_minutes",
    "conference_minutes_docx",
    "conference_minutes_pdf",
    "final_report",
    "final_report_docx",
    "final_report_pdf",
    "render_docx",
    "render_pdf",
]


def conference_minutes_docx(review: Review | int) -> bytes:
    return render_docx(conference_minutes(review))


def conference_minutes_pdf(review: Review | int) -> bytes:
    return render_pdf(conference_minutes(review))


def final_report_docx(review: Review | int) -> bytes:
    return render_docx(final_report(review))


def final_report_pdf(review: Review | int) -> bytes:
    return render_pdf(final_report(review))


def ballot_minutes_docx(review: Review | int) -> bytes:
    return render_docx(ballot_minutes(review))


def ballot_minutes_pdf(review: Review | int) -> bytes:
    return render_pdf(ballot_minutes(review))
