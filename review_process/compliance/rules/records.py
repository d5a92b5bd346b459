"""The records: opinions answered, the final report revised from the draft, the remedial plan and the
evidence file (whose checklist is ``review_process.compliance.checklist``).

Each rule is declared on its check (``base.rule``); the registry is the package's ``RULES``.
"""

from __future__ import annotations

from review_process.compliance.checklist import ItemStatus, checklist_from_facts
from review_process.compliance.facts import ReviewFacts, record_day
from review_process.compliance.messages import choice_label, ngettext
from review_process.compliance.messages import gettext as _
from review_process.compliance.rules.base import (
    Citation,
    Outcome,
    Severity,
    day,
    failed,
    link,
    links,
    not_applicable,
    passed,
    rule,
)
from review_process.dates import order_error
from review_process.models import Rating


def _normalised(text: str) -> str:
    return " ".join((text or "").split())


@rule(
    code="opinions_answered",
    severity=Severity.FINDING,
    citation=Citation(
        "Hướng dẫn 43-HD/BTCTW, 31/10/2025 (và HD 21, HD 25): lấy ý kiến tham gia, góp ý",
        tag="I",
        note="collecting opinions is stated; answering each one is inferred",
        section="§1A steps 2 and 8",
    ),
    title_vi="Mọi ý kiến góp ý đều được tiếp thu hoặc giải trình",
    title_en="Every opinion answered",
    checks_what="Once the report was submitted, every opinion has a response (accepted or explained).",
)
def opinions_answered(f: ReviewFacts) -> Outcome:
    if not f.reached("submit_assessment"):
        return not_applicable(_("The final report has not been submitted yet."))
    unanswered = [o for o in f.opinions if f.response(o) is None]
    if unanswered:
        return failed(
            ngettext(
                "%(n)s opinion has no response (accepted or explained).",
                "%(n)s opinions have no response (accepted or explained).",
                len(unanswered),
            )
            % {"n": len(unanswered)},
            links("opinion", unanswered),
        )
    return passed(
        ngettext(
            "The %(n)s opinion received was answered.",
            "All %(n)s opinions received were answered.",
            len(f.opinions),
        )
        % {"n": len(f.opinions)},
        [link("opinion_response", f.response(o)) for o in f.opinions],
    )


@rule(
    code="final_report_revised",
    severity=Severity.FINDING,
    citation=Citation(
        "Mẫu 01-HD KĐ.ĐG (dự thảo và báo cáo hoàn chỉnh)",
        tag="I",
        note="the auditor's check that the final report reflects accepted guidance is inferred",
        section="§6 item 4 and audit checks",
    ),
    title_vi="Báo cáo hoàn chỉnh sau ý kiến chỉ đạo và có tiếp thu so với dự thảo",
    title_en="Final report dated after the guidance and revised from the draft",
    checks_what=(
        "Once submitted: the latest final version is dated (ReportVersion.occurred_on) on or after the latest "
        "guidance (Guidance.occurred_on; order check of review_process.dates), and where opinions were accepted "
        "or guidance recorded its text (whitespace-normalised) or attachment differs from the circulated draft "
        "(the last version written before circulate_draft)."
    ),
)
def final_report_revised(f: ReviewFacts) -> Outcome:
    if not f.reached("submit_assessment"):
        return not_applicable(_("The final report has not been submitted yet."))
    final = f.final_version
    if final is None:
        return failed(_("The review was submitted without a final report version."))
    guidance = f.guidance_with_text
    latest = max((record_day(g) for g in guidance), default=None)
    final_on = record_day(final)
    if order_error("guidance", latest, "final_report", final_on) is not None:
        return failed(
            _("The final report (version %(n)s, %(date)s) is dated before the guidance of %(guidance)s.")
            % {"n": final.number, "date": day(final_on), "guidance": day(latest)},
            [link("report_version", final), *links("guidance", guidance)],
        )
    accepted = f.accepted_opinions
    draft = f.circulated_draft
    evidence = [link("report_version", final)]
    if draft is not None and draft.pk != final.pk:
        evidence.insert(0, link("report_version", draft))
    if accepted or guidance:
        same = draft is None or draft.pk == final.pk
        same = same or (
            _normalised(draft.text) == _normalised(final.text) and draft.attachment_sha256 == final.attachment_sha256
        )
        if same:
            return failed(
                ngettext(
                    "The final report (version %(final)s) is identical to the circulated draft (version %(draft)s) "
                    "although %(n)s opinion was accepted and the superior's guidance was recorded.",
                    "The final report (version %(final)s) is identical to the circulated draft (version %(draft)s) "
                    "although %(n)s opinions were accepted and the superior's guidance was recorded.",
                    len(accepted),
                )
                % {"final": final.number, "draft": draft.number if draft else "-", "n": len(accepted)},
                [*evidence, *links("opinion", accepted), *links("guidance", guidance)],
            )
    return passed(
        _("The final report (version %(n)s, %(date)s) is dated after the guidance and revises the draft.")
        % {"n": final.number, "date": day(final_on)},
        evidence,
    )


@rule(
    code="remedial_plan",
    severity=Severity.FINDING,
    citation=Citation(
        "Quy định 132-QĐ/TW, 08/3/2018",
        "tiêu chí 'kết quả khắc phục những hạn chế, yếu kém đã được chỉ ra'",
        tag="S",
        section="§1A step 14",
    ),
    regime_citations={
        "2023-2024": Citation(
            "Quy định 124-QĐ/TW, 04/10/2023",
            tag="I",
            note="the duty to plan remediation is stated in 2017 and 2025 texts",
            section="§1A step 14",
        ),
        "2025+": Citation(
            "Quy định 232-QĐ/TW (2025); Quy định 366-QĐ/TW, 30/8/2025, Điều 11",
            "có kế hoạch, biện pháp… khắc phục hạn chế, khuyết điểm",
            tag="S",
            section="§1A step 14",
        ),
    },
    title_vi="Có kế hoạch khắc phục hạn chế, khuyết điểm đã chỉ ra",
    title_en="Remedial plan filed where shortcomings were named",
    checks_what=(
        "Once closed, if shortcomings were named — at least one opinion accepted, or a final rating below "
        "excellent — a remedial plan with at least one item is on file, every item due after the day of the "
        "approval (order check of review_process.dates)."
    ),
)
def remedial_plan(f: ReviewFacts) -> Outcome:
    closed = f.first_transition("close")
    if closed is None:
        return not_applicable(_("The review has not been closed yet; the plan may still be filed."))
    shortcomings = f.shortcomings()
    if not shortcomings:
        return not_applicable(_("No shortcomings were named (no opinion accepted, rating excellent)."))
    reasons = []
    if "accepted_opinions" in shortcomings:
        n = shortcomings["accepted_opinions"]
        reasons.append(ngettext("%(n)s opinion accepted", "%(n)s opinions accepted", n) % {"n": n})
    if "final_rating" in shortcomings:
        reasons.append(_("final rating “%(rating)s”") % {"rating": choice_label(Rating, shortcomings["final_rating"])})
    params = {"reasons": "; ".join(reasons)}
    if f.remedial_plan is None or not f.remedial_items:
        return failed(
            _("Shortcomings were named (%(reasons)s) but no remedial plan was filed.") % params,
            [*links("opinion", f.accepted_opinions), *([link("decision", f.decision)] if f.decision else [])],
        )
    approved_on = f.transition_day("approve")
    early = [i for i in f.remedial_items if order_error("approval", approved_on, "due_date", i.due_date, strict=True)]
    if early:
        return failed(
            ngettext(
                "%(n)s item of the remedial plan is due on or before the approval on %(approved)s.",
                "%(n)s items of the remedial plan are due on or before the approval on %(approved)s.",
                len(early),
            )
            % {"n": len(early), "approved": day(approved_on)},
            [link("remedial_plan", f.remedial_plan)],
        )
    return passed(
        ngettext(
            "A remedial plan with %(n)s item was filed for the shortcomings named (%(reasons)s).",
            "A remedial plan with %(n)s items was filed for the shortcomings named (%(reasons)s).",
            len(f.remedial_items),
        )
        % {"n": len(f.remedial_items), **params},
        [link("remedial_plan", f.remedial_plan)],
    )


@rule(
    code="evidence_complete",
    severity=Severity.FINDING,
    citation=Citation(
        "Quy định 89-QĐ/TW, 04/8/2017, Bước 4 (lưu hồ sơ); danh mục hồ sơ",
        tag="I",
        note="the checklist is reasoned from the steps; several items are stated in sources",
        section="§6",
    ),
    title_vi="Hồ sơ kiểm điểm đầy đủ",
    title_en="Evidence file complete",
    checks_what=(
        "Every item of the evidence checklist (domain-rules §6) that is kept in this system and is due at the "
        "review's stage is present (see review_process.compliance.checklist)."
    ),
)
def evidence_complete(f: ReviewFacts) -> Outcome:
    items = checklist_from_facts(f)
    missing = [i for i in items if i.status == ItemStatus.MISSING]
    if missing:
        return failed(
            _("The evidence file lacks: %(items)s.") % {"items": "; ".join(f"{i.number}. {i.title}" for i in missing)},
            [{"type": "evidence_item", "id": i.number} for i in missing],
        )
    present = [i for i in items if i.status == ItemStatus.PRESENT]
    return passed(
        ngettext(
            "Every item due so far is in the evidence file (%(n)s item).",
            "Every item due so far is in the evidence file (%(n)s items).",
            len(present),
        )
        % {"n": len(present)},
        [{"type": "evidence_item", "id": i.number} for i in present],
    )
