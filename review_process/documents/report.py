"""Báo cáo kiểm điểm hoàn chỉnh (Mẫu 01-HD KĐ.ĐG): the final version's text, what it accepted and the ratings
(wording in Vietnamese: see ``party_format``)."""

from __future__ import annotations

from review_process.compliance.facts import facts_for, local_date
from review_process.documents.party_format import (
    PartyDocument,
    Signature,
    decision_lines,
    header_fields,
    label_vi,
    nfc,
    paragraphs,
)
from review_process.models import Rating, Review


def final_report(review: Review | int) -> PartyDocument:
    """Báo cáo kiểm điểm hoàn chỉnh (Mẫu 01-HD KĐ.ĐG): the final version's text and the self-rating."""
    f = facts_for(review)
    review, final = f.review, f.final_version
    if final is None:
        raise ValueError("The review has no final report version.")
    organization = review.organization
    created = local_date(final.created_at)
    subject = nfc(organization.name)
    body = paragraphs(final.text)
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
        body.append(("para", f"Tập thể tự đánh giá, xếp loại: {label_vi(Rating, f.self_assessment.proposed_rating)}."))
        if f.self_assessment.justification.strip():
            body += paragraphs(f.self_assessment.justification)
    if f.decision is not None:
        body.append(
            (
                "para",
                f"Cấp có thẩm quyền quyết định xếp loại: {label_vi(Rating, f.decision.final_rating)} "
                f"(ngày {local_date(f.decision.decided_at):%d/%m/%Y}).",
            )
        )
        body += [line for line in decision_lines(f.decision, f.self_assessment, {}) if line[0] == "item"]
    superior = organization.superior
    recipients = ["Nơi nhận:"]
    if superior is not None:
        recipients += [f"- Ban Thường vụ {superior.name},", f"- Ban Tổ chức {superior.name},"]
    recipients += ["- Các đồng chí Đảng ủy viên,", "- Lưu Văn phòng Đảng ủy."]
    secretary = final.created_by
    return PartyDocument(
        **header_fields(review, created, "Số      -BC/ĐU"),
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
