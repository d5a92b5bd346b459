"""The rating: self-assessment before the decision, and the competent body that decides.

Each rule is declared on its check (``base.rule``); the registry is the package's ``RULES``.
"""

from __future__ import annotations

from review_process.compliance.facts import ReviewFacts, record_day
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


@rule(
    code="self_assessment_before_decision",
    severity=Severity.FINDING,
    citation=Citation(
        "Quy định 132-QĐ/TW, 08/3/2018; Hướng dẫn 21-HD/BTCTW, 18/10/2019", "mục II.B.3", "Bước 1 → Bước 3"
    ),
    regime_citations={
        "2023-2024": Citation("Quy định 124-QĐ/TW, 04/10/2023", "Điều 11", "Bước 1 tự đánh giá → Bước 3"),
        "2025+": Citation(
            "Quy định 366-QĐ/TW, 30/8/2025; Hướng dẫn 43-HD/BTCTW, 31/10/2025",
            tag="I",
            note="the same order is assumed to continue",
        ),
    },
    title_vi="Tự đánh giá, xếp loại trước khi cấp trên quyết định",
    title_en="Self-assessment before the rating decision",
    checks_what=(
        "Once a rating is decided: a self-assessment exists, and it went up (the day of the last submit_assessment "
        "step; for a review never submitted, the day it was saved) on or before the day of the decision "
        "(Decision.occurred_on; order check of review_process.dates)."
    ),
)
def self_assessment_before_decision(f: ReviewFacts) -> Outcome:
    if f.decision is None and not f.reached("approve"):
        return not_applicable(_("No rating has been decided yet."))
    assessment = f.self_assessment
    if assessment is None:
        return failed(
            _("The rating was decided without a self-assessment."),
            [link("decision", f.decision)] if f.decision else [],
        )
    if f.decision is None:
        return failed(_("The review was approved without a rating decision."), [link("self_assessment", assessment)])
    evidence = [link("self_assessment", assessment), link("decision", f.decision)]
    # The self-assessment goes up with the submission: its day is the submission's, as stated.
    assessed_on = f.transition_day("submit_assessment", last=True) or record_day(assessment, "updated_at")
    decided_on = record_day(f.decision, "decided_at")
    params = {"sa": day(assessed_on), "decision": day(decided_on)}
    if order_error("submission", assessed_on, "decision", decided_on) is not None:
        return failed(
            _("The self-assessment (%(sa)s) is dated after the rating decision (%(decision)s).") % params, evidence
        )
    return passed(_("The self-assessment (%(sa)s) came before the rating decision (%(decision)s).") % params, evidence)


@rule(
    code="competent_body",
    severity=Severity.FINDING,
    citation=Citation("Hướng dẫn 21-HD/BTCTW, 18/10/2019", "mục II.B.3", "Ban Thường vụ cấp ủy cấp huyện quyết định"),
    regime_citations={
        "2018": Citation(
            "Hướng dẫn 16-HD/BTCTW, 24/9/2018", tag="I", note="assumed as in 2019–2022", section="§1A step 11"
        ),
        "2023-2024": Citation("Hướng dẫn 25-HD/BTCTW, 10/11/2023", "Mục 3", section="§1A step 11"),
        "2025+": Citation(
            "Hướng dẫn 43-HD/BTCTW, 31/10/2025",
            "Ban Thường vụ cấp trên trực tiếp",
            tag="I",
            note="after 1/7/2025 the direct superior of a ward is the city (Thành ủy)",
            section="§1A step 11; §8.5",
        ),
    },
    title_vi="Cấp có thẩm quyền (Ban Thường vụ cấp trên trực tiếp) quyết định xếp loại",
    title_en="Rating decided by the competent superior body",
    checks_what=(
        "The person who recorded the decision held a standing_committee position in the directly superior "
        "organisation (in the tree of the review's year: permissions.tree) on the decision date (occurred_on). A standing-committee member higher up "
        "fails: the guidance names the direct superior."
    ),
)
def competent_body(f: ReviewFacts) -> Outcome:
    decision = f.decision
    if decision is None:
        if f.reached("approve"):
            return failed(_("The review was approved without a rating decision."))
        return not_applicable(_("No rating has been decided yet."))
    decided_on = record_day(decision, "decided_at")
    superior_id = f.direct_superior_id(f.reference_day)  # the tree of the review's year, not today's
    positions = f.superior_positions(
        decision.decided_by_id, decided_on, roles=("standing_committee",), line_day=f.reference_day
    )
    direct = [p for p in positions if p.organization_id == superior_id]
    params = {"name": decision.decided_by.get_full_name(), "date": day(decided_on)}
    if direct:
        return passed(
            _("The rating was decided by %(name)s, a member of the directly superior standing committee on %(date)s.")
            % params,
            [link("decision", decision), link("position", direct[0])],
        )
    if positions:
        return failed(
            _(
                "The rating was decided by %(name)s, who sat on a standing committee above the reviewed "
                "organisation on %(date)s but not on the directly superior one."
            )
            % params,
            [link("decision", decision), *links("position", positions)],
        )
    return failed(
        _(
            "The rating was decided by %(name)s, who held no standing-committee position in a superior organisation "
            "on %(date)s."
        )
        % params,
        [link("decision", decision)],
    )
