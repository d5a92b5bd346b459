"""Biên bản kiểm phiếu: the minutes of the secret ballot on a leader's rating (individual reviews only).

Built from the tally as recorded (``review_process.models.Ballot``): whose review it is, the counts, the
vote-counting board's members, who recorded the tally and when. Counts only, never who voted how; nothing is
added that the record does not hold (no chair, no time of the ballot, no result inferred from the counts), and
the signature line of the board is left for the paper copy. Wording in Vietnamese: see ``party_format``.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from review_process.compliance.facts import HANOI, facts_for, local_date
from review_process.documents.party_format import (
    PartyDocument,
    Signature,
    comrade,
    header_fields,
    label_vi,
    nfc,
    position_titles,
)
from review_process.models import Rating, Review, ReviewKind

LEVELS = (
    ("excellent", Rating.EXCELLENT),
    ("good", Rating.GOOD),
    ("complete", Rating.COMPLETE),
    ("not_complete", Rating.NOT_COMPLETE),
)


def ballot_minutes(review: Review | int) -> PartyDocument:
    """Biên bản kiểm phiếu of an individual review; ``ValueError`` for a collective review or without a tally."""
    f = facts_for(review)
    review, ballot = f.review, f.ballot
    if review.kind != ReviewKind.INDIVIDUAL or review.subject is None:
        raise ValueError("Only an individual review has ballot minutes.")
    if ballot is None:
        raise ValueError("The review has no ballot tally recorded.")
    organization, subject, recorder = review.organization, review.subject, ballot.recorded_by
    recorded_on = local_date(ballot.recorded_at)
    year_end = datetime.date(review.year, 12, 31)
    titles = position_titles({subject.pk}, [organization.pk], min(year_end, recorded_on))
    titles |= position_titles({recorder.pk}, organization.line_ids, recorded_on)
    who = comrade(subject, titles)
    body: list[tuple[str, str]] = [
        ("para", f"Bỏ phiếu kín đánh giá, xếp loại chất lượng năm {review.year} đối với {who}."),
        ("para", "Ban kiểm phiếu gồm các đồng chí:"),
        *(("item", f"{nfc(name)}.") for name in ballot.counting_board),
        ("heading", "KẾT QUẢ KIỂM PHIẾU"),
        ("item", f"Số người được bỏ phiếu: {ballot.eligible}."),
        ("item", f"Số phiếu thu vào: {ballot.cast}."),
        ("item", f"Số phiếu hợp lệ: {ballot.cast - ballot.invalid}; số phiếu không hợp lệ: {ballot.invalid}."),
        ("para", "Số phiếu xếp loại ở từng mức:"),
        *(("item", f"{label_vi(Rating, level)}: {getattr(ballot, name)} phiếu.") for name, level in LEVELS),
        (
            "para",
            f"Kết quả kiểm phiếu được ghi nhận ngày {recorded_on:%d/%m/%Y}"
            + (f" ({comrade(recorder, titles)})." if recorder else "."),
        ),
    ]
    return PartyDocument(
        **header_fields(review, recorded_on, "Số      -BB/ĐU"),
        title="BIÊN BẢN KIỂM PHIẾU",
        subtitle=f"Đánh giá, xếp loại chất lượng đồng chí {subject.get_full_name()} năm {review.year}",
        body=body,
        left=None,
        right=Signature(["T/M BAN KIỂM PHIẾU"], ""),
        footnote=(
            f"Văn bản được lập tự động từ hồ sơ điện tử của cuộc kiểm điểm (mã {review.pk}) "
            f"lúc {timezone.localtime(timezone=HANOI):%H:%M ngày %d/%m/%Y}; chỉ ghi số phiếu, không ghi ai bỏ phiếu thế nào."
        ),
        metadata={"review": review.pk, "kind": "ballot_minutes"},
    )
