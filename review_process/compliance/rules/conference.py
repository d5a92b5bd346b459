"""The conference: attendance, the superior's representative (the blocking rule) and its guidance.

Each rule is declared on its check (``base.rule``); the registry is the package's ``RULES``.
"""

from __future__ import annotations

from review_process.compliance.facts import ReviewFacts, event_day, local_date, record_day
from review_process.compliance.messages import gettext as _
from review_process.compliance.messages import ngettext
from review_process.compliance.rules.base import (
    Citation,
    Outcome,
    Severity,
    day,
    failed,
    link,
    links,
    names,
    not_applicable,
    passed,
    rule,
)
from review_process.dates import order_error


@rule(
    code="attendance_quorum",
    severity=Severity.FINDING,
    citation=Citation(
        "Điều lệ Đảng, Điều 9 khoản 5; Quy định 24-QĐ/TW (2021)",
        "điểm 9.3",
        tag="U",
        note="'more than half' governs decisions; no attendance quorum for review conferences was found",
        section="§3",
    ),
    title_vi="Số thành viên dự hội nghị vượt tỷ lệ quy định",
    title_en="Attendance above the quorum",
    checks_what=(
        "Members marked present on the attendance list are more than REVIEW_ATTENDANCE_QUORUM (default 0.5) "
        "of the members listed. An empty list fails."
    ),
)
def attendance_quorum(f: ReviewFacts) -> Outcome:
    if f.conference is None:
        return not_applicable(_("No conference has been recorded yet."))
    total = len(f.attendance)
    if total == 0:
        return failed(_("The conference has no attendance list."), [link("conference", f.conference)])
    present = sum(1 for a in f.attendance if a.present)
    quorum = f.regime.attendance_quorum
    params = {"present": present, "total": total, "quorum": f"{quorum * 100:.0f}%"}
    evidence = [link("conference", f.conference), *links("attendance", f.attendance)]
    if present > quorum * total:
        return passed(
            _("%(present)s of %(total)s members attended, more than the quorum of %(quorum)s.") % params, evidence
        )
    return failed(
        _("Only %(present)s of %(total)s members attended; more than %(quorum)s must attend.") % params, evidence
    )


@rule(
    code="superior_representative",
    severity=Severity.BLOCKING,
    blocks=("close_opinions",),
    citation=Citation(
        "Hướng dẫn kiểm điểm (HD 21/25/43-HD/BTCTW): cấp trên dự và chỉ đạo",
        tag="U",
        note="attendance of the superior is the practice in every case seen (Đức Giang 2021); "
        "no central text requiring it was found",
        section="§1A step 7",
    ),
    title_vi="Có đại diện cấp ủy cấp trên dự và chỉ đạo hội nghị",
    title_en="A superior representative present at the conference",
    checks_what=(
        "At least one person recorded as a superior representative held a position (organisation board, "
        "standing committee or inspection) in an organisation above the reviewed one on the conference "
        "date. Blocking: close_opinions is refused until one is recorded."
    ),
)
def superior_representative(f: ReviewFacts) -> Outcome:
    if f.conference is None:
        return not_applicable(_("No conference has been recorded yet."))
    held_on = local_date(f.conference.held_at)
    if not f.representatives:
        return failed(
            _("No representative of the superior committee is recorded at the conference."),
            [link("conference", f.conference)],
        )
    qualified = [(u, f.superior_positions(u.pk, held_on)) for u in f.representatives]
    qualified = [(u, positions) for u, positions in qualified if positions]
    if not qualified:
        return failed(
            ngettext(
                "%(names)s is recorded as the superior's representative but held no position in a superior "
                "organisation on %(date)s.",
                "%(names)s are recorded as the superior's representatives, but none held a position in a superior "
                "organisation on %(date)s.",
                len(f.representatives),
            )
            % {"names": names(f.representatives), "date": day(held_on)},
            [link("conference", f.conference)],
        )
    return passed(
        _("The superior was represented at the conference by %(names)s.") % {"names": names(u for u, _p in qualified)},
        [link("conference", f.conference), *(link("position", p[0]) for _u, p in qualified)],
    )


@rule(
    code="guidance_before_finalisation",
    severity=Severity.FINDING,
    citation=Citation(
        "Hướng dẫn kiểm điểm (HD 21/25/43-HD/BTCTW): tiếp thu ý kiến chỉ đạo, hoàn thiện báo cáo",
        tag="I",
        note="the step follows practice (Đức Giang 2021); no deadline was found",
        section="§1A steps 7–8",
    ),
    title_vi="Có ý kiến chỉ đạo của cấp trên trước khi hoàn thiện báo cáo",
    title_en="Guidance recorded before finalisation",
    checks_what=(
        "Once the review entered finalisation (give_guidance), guidance with text (not withdrawn) dated "
        "(Guidance.occurred_on) on or before the day of that step (its occurred_on; order check of "
        "review_process.dates) was given by a person holding a position in a superior organisation on that day."
    ),
)
def guidance_before_finalisation(f: ReviewFacts) -> Outcome:
    event = f.first_transition("give_guidance")
    if event is None:
        return not_applicable(_("The review has not reached finalisation yet."))
    guidance = f.guidance_with_text
    if not guidance:
        return failed(
            _("The review went on to finalisation without any guidance from the superior recorded."),
            [link("audit_event", event)],
        )
    final_on = event_day(event)
    before = [g for g in guidance if order_error("guidance", record_day(g), "guidance_confirmed", final_on) is None]
    if not before:
        return failed(
            _("The guidance is dated %(given)s, after the review went on to finalisation on %(final)s.")
            % {"given": day(record_day(guidance[0])), "final": day(final_on)},
            [*links("guidance", guidance), link("audit_event", event)],
        )
    from_superior = [g for g in before if f.superior_positions(g.given_by_id, record_day(g))]
    if not from_superior:
        return failed(
            _("The guidance recorded was not given by anyone holding a position in a superior organisation."),
            [*links("guidance", before), link("audit_event", event)],
        )
    return passed(
        ngettext(
            "%(n)s guidance record from the superior before finalisation.",
            "%(n)s guidance records from the superior before finalisation.",
            len(from_superior),
        )
        % {"n": len(from_superior)},
        [*links("guidance", from_superior), link("audit_event", event)],
    )
