"""Biên bản hội nghị kiểm điểm: the conference minutes, built from the conference record, the opinions, the
guidance and the responses (wording in Vietnamese: see ``party_format``); once the competent body has decided,
its decision as recorded (rating, vote tally, reason), marked as recorded after the conference."""

from __future__ import annotations

from django.utils import timezone

from review_process.compliance.facts import HANOI, facts_for, local_date
from review_process.documents.party_format import (
    PartyDocument,
    Signature,
    comrade,
    decision_lines,
    header_fields,
    nfc,
    position_titles,
    upper_first,
)
from review_process.models import Guidance, OpinionChannel, ResponseDecision, Review


def _approval(conference) -> str:
    """Whether and how the minutes were approved, only as recorded."""
    if conference.minutes_approved is True:
        how = f" ({nfc(conference.minutes_approval)})" if conference.minutes_approval else ""
        return f"Biên bản đã được thông qua tại hội nghị{how}."
    if conference.minutes_approved is False:
        return "Biên bản chưa được thông qua tại hội nghị."
    return "Việc thông qua biên bản: (chưa ghi nhận)."


def conference_minutes(review: Review | int) -> PartyDocument:
    """Biên bản hội nghị kiểm điểm, from the conference record, the opinions, the guidance and the responses."""
    f = facts_for(review)
    review, conference = f.review, f.conference
    if conference is None:
        raise ValueError("The review has no conference recorded.")
    held_at = timezone.localtime(conference.held_at, timezone=HANOI)
    organization = review.organization
    people = {u.pk for u in f.representatives} | {a.person_id for a in f.attendance}
    people |= {conference.chair_id, conference.recorded_by_id} | {g.given_by_id for g in f.guidance}
    titles = position_titles(people, organization.line_ids, held_at.date())
    attendance = list(conference.attendance.select_related("person"))
    givers = {g.pk: g.given_by for g in Guidance.objects.filter(review=review).select_related("given_by")}
    chair = conference.chair
    secretary = conference.minutes_secretary  # who kept the minutes, as recorded (not who typed the data)
    present = [a for a in attendance if a.present]
    absent = [a for a in attendance if not a.present]
    draft = f.circulated_draft
    spoken = [o for o in f.opinions if o.channel == OpinionChannel.CONFERENCE]
    written = [o for o in f.opinions if o.channel == OpinionChannel.WRITTEN]
    subject = nfc(organization.name)
    body: list[tuple[str, str]] = [
        ("para", f"Thời gian: {held_at:%H} giờ {held_at:%M}, ngày {held_at:%d/%m/%Y}."),
        ("para", f"Địa điểm: {nfc(conference.location)}."),
        ("para", f"Chủ trì hội nghị: {comrade(chair, titles) or '(chưa ghi nhận)'}."),
        ("para", f"Thư ký hội nghị: {comrade(secretary, titles) or '(chưa ghi nhận)'}."),
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
        body += [("item", comrade(u, titles) + ".") for u in f.representatives]
    else:
        body.append(("para", "Đại biểu cấp trên dự và chỉ đạo hội nghị: (không ghi nhận)."))
    body.append(("heading", "NỘI DUNG HỘI NGHỊ"))
    body.append(
        (
            "para",
            f"1. {upper_first(comrade(chair, titles) or 'chủ trì hội nghị')} trình bày dự thảo báo cáo kiểm điểm "
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
            body.append(("item", f"{upper_first(comrade(givers.get(g.pk), titles))}: {nfc(g.text)}"))
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
    body.append(("para", f"Hội nghị kiểm điểm tập thể {subject} năm {review.year} kết thúc. {_approval(conference)}"))
    if f.decision is not None:  # taken after the conference by the competent body: said as recorded, and when
        body.append(("heading", "KẾT QUẢ XẾP LOẠI (GHI NHẬN SAU HỘI NGHỊ)"))
        decided_titles = position_titles(
            {f.decision.decided_by_id}, organization.line_ids, local_date(f.decision.decided_at)
        )
        body += decision_lines(f.decision, f.self_assessment, decided_titles)
    return PartyDocument(
        **header_fields(review, held_at.date(), "Số      -BB/ĐU"),
        title="BIÊN BẢN",
        subtitle=f"Hội nghị kiểm điểm tập thể {subject} năm {review.year}",
        body=body,
        left=Signature(["THƯ KÝ HỘI NGHỊ"], secretary.get_full_name() if secretary else ""),
        right=Signature(["CHỦ TRÌ HỘI NGHỊ"], chair.get_full_name() if chair else ""),
        footnote=(
            f"Văn bản được lập tự động từ hồ sơ điện tử của cuộc kiểm điểm (mã {review.pk}) "
            f"lúc {timezone.localtime(timezone=HANOI):%H:%M ngày %d/%m/%Y}."
        ),
        metadata={"review": review.pk, "kind": "conference_minutes"},
    )
