"""The rating rules, found afterwards: one check, two uses.

Each rule calls the very function of ``review_process.ratings`` that the engine calls to refuse a rating, on the
data as recorded and with the review's pinned regime: what the services refuse today is found here in records
written before a rule existed, by another path (an import, the admin) or under a regime since changed.

* ``rating_consistent``: the self-assessment and the decision follow the regime's scheme and its grounds for
  "not complete" (``assessment_error``);
* ``vote_carried``: the decision was carried by more than half of the body's members (``vote_error``);
* ``reason_for_down_rating``: a final rating below the proposed one states its reason (``reason_error``);
* ``quota_respected``: the ratings of the organisations under the same direct superior keep the cap on
  "excellent" (``quota_errors``), however each decision was made.
"""

from __future__ import annotations

from review_process.compliance.facts import ReviewFacts
from review_process.compliance.messages import gettext as _
from review_process.compliance.rules.base import (
    Citation,
    Outcome,
    Severity,
    failed,
    link,
    not_applicable,
    passed,
    rule,
)
from review_process.models import Rating, ReviewKind
from review_process.ratings import Vote, assessment_error, quota_errors, rank, reason_error, vote_error

HD21 = "Hướng dẫn 21-HD/BTCTW, 18/10/2019"
QD124 = "Quy định 124-QĐ/TW, 04/10/2023"
QD366 = "Quy định 366-QĐ/TW, 30/8/2025; Hướng dẫn 43-HD/BTCTW, 31/10/2025"


def _no_decision(f: ReviewFacts) -> Outcome:
    return not_applicable(_("No rating has been decided yet."))


@rule(
    code="rating_consistent",
    severity=Severity.FINDING,
    citation=Citation(
        HD21, "mục II.B.1", "tiêu chí xếp loại; các trường hợp không hoàn thành nhiệm vụ", section="§4.1"
    ),
    regime_citations={
        "2018": Citation("Hướng dẫn 16-HD/BTCTW, 24/9/2018", tag="I", note="assumed as in 2019–2022", section="§4"),
        "2023-2024": Citation(QD124, "Điều 11–12", "mức xếp loại; các trường hợp không hoàn thành", section="§4.2"),
        "2025+": Citation(QD366, "Điều 11", "thang 100 điểm: 90/70/50", section="§4.3"),
    },
    title_vi="Xếp loại đúng tiêu chí, thang điểm và các trường hợp không hoàn thành nhiệm vụ",
    title_en="Ratings consistent with the regime's scheme and grounds for “not complete”",
    checks_what=(
        "review_process.ratings.assessment_error on the self-assessment (its rating, score and grounds) and on the "
        "decision (its rating and score, with the grounds of both), under the review's pinned regime: a score "
        "from 2025 matching 90/70/50, none before; any ground found forces “not complete”."
    ),
)
def rating_consistent(f: ReviewFacts) -> Outcome:
    assessment, decision, regime = f.self_assessment, f.decision, f.regime
    if assessment is None and decision is None:
        return not_applicable(_("No rating has been proposed or decided yet."))
    problems, evidence = [], []
    if assessment is not None:
        evidence.append(link("self_assessment", assessment))
        error = assessment_error(regime, assessment.proposed_rating, assessment.score, assessment.triggers or [])
        if error is not None:
            problems.append(_("The self-assessment: %(error)s") % {"error": error})
    if decision is not None:
        evidence.append(link("decision", decision))
        found = sorted(set(decision.triggers or []) | set(assessment.triggers if assessment else []))
        error = assessment_error(regime, decision.final_rating, decision.score, found)
        if error is not None:
            problems.append(_("The decision: %(error)s") % {"error": error})
    if problems:
        return failed(" ".join(problems), evidence)
    return passed(_("The ratings follow the rules of %(regime)s.") % {"regime": regime.code}, evidence)


@rule(
    code="vote_carried",
    severity=Severity.FINDING,
    citation=Citation("Điều lệ Đảng", "Điều 9", "khoản 5: quá nửa số thành viên tán thành", section="§3"),
    title_vi="Quyết định xếp loại được quá nửa số ủy viên Ban Thường vụ tán thành",
    title_en="Rating decision carried by more than half of the body's members",
    checks_what=(
        "review_process.ratings.vote_error on the decision's recorded vote: the tally adds up (present ≤ members, "
        "for + against + abstain ≤ present) and more than half of the members (not of those present) voted for "
        "it. A decision without a vote fails."
    ),
)
def vote_carried(f: ReviewFacts) -> Outcome:
    decision = f.decision
    if decision is None:
        return _no_decision(f)
    evidence = [link("decision", decision)]
    vote = Vote.from_dict(decision.vote)
    if vote is None:
        return failed(_("The decision records no vote of the standing committee."), evidence)
    error = vote_error(vote)
    if error is not None:
        return failed(str(error), evidence)
    return passed(
        _(
            "%(for)s of %(members)s members voted for the decision (%(present)s present, %(against)s against, "
            "%(abstain)s abstained): more than half."
        )
        % vote.as_dict(),
        evidence,
    )


@rule(
    code="reason_for_down_rating",
    severity=Severity.FINDING,
    citation=Citation(
        HD21,
        "mục II.B.3",
        tag="I",
        note="the texts found do not say it; a body that rates below the proposal is assumed to state why",
        section="§1A step 11; §4",
    ),
    regime_citations={
        "2023-2024": Citation(
            QD124, "Điều 13", tag="I", note="a rating below the proposal is assumed to state its reason", section="§4.2"
        ),
        "2025+": Citation(
            QD366, "Điều 11", tag="I", note="a rating below the proposal is assumed to state its reason", section="§4.3"
        ),
    },
    title_vi="Nêu lý do khi xếp loại thấp hơn mức tự đánh giá",
    title_en="Reason stated for a rating below the proposed one",
    checks_what="review_process.ratings.reason_error: a final rating below the proposed one records a reason.",
)
def reason_for_down_rating(f: ReviewFacts) -> Outcome:
    decision, assessment = f.decision, f.self_assessment
    if decision is None:
        return _no_decision(f)
    proposed = assessment.proposed_rating if assessment else None
    evidence = [link("decision", decision)] + ([link("self_assessment", assessment)] if assessment else [])
    error = reason_error(proposed, decision.final_rating, decision.reason)
    if error is not None:
        return failed(str(error), evidence)
    if proposed and rank(decision.final_rating) < rank(proposed):
        return passed(_("The rating is below the proposed one and the reason is recorded."), evidence)
    return passed(_("The final rating is not below the proposed one: no reason is needed."), evidence)


@rule(
    code="quota_respected",
    severity=Severity.FINDING,
    citation=Citation(HD21, "mục II.B.2.3a", "không vượt quá 20% số được xếp loại HTTNV", section="§4.1; §4.4"),
    regime_citations={
        "2018": Citation("Hướng dẫn 16-HD/BTCTW, 24/9/2018", tag="I", note="assumed as in 2019–2022", section="§4"),
        "2023-2024": Citation(
            QD124,
            "Điều 12",
            "không vượt quá 20% số được xếp loại HTTNV trong từng nhóm có vai trò, chức năng tương đồng",
            tag="I",
            note="whether the cap groups organisations under one superior is not settled (a setting per regime)",
            section="§4.2; §4.4",
        ),
        "2025+": Citation(
            QD366,
            "Điều 11",
            "quy định về tỷ lệ",
            tag="U",
            note="the 2025 percentage was not retrieved; one excellent for every five good is assumed",
            section="§4.3; §4.4",
        ),
    },
    title_vi="Tỷ lệ tổ chức được xếp loại hoàn thành xuất sắc nhiệm vụ không vượt quy định",
    title_en="Quota of organisations rated excellent kept",
    checks_what=(
        "For a decided collective review whose regime caps organisations: review_process.ratings.quota_errors on "
        "the final ratings of the live collective reviews of the same year whose organisation had the same "
        "direct superior in the tree of that year (the review's own included). Not applicable when the regime "
        "does not cap organisations."
    ),
)
def quota_respected(f: ReviewFacts) -> Outcome:
    regime = f.regime
    if f.review.kind != ReviewKind.COLLECTIVE:
        return not_applicable(_("Only collective reviews are rated against the quota of organisations."))
    if regime is None or regime.quota_scope("organizations") is None:
        return not_applicable(
            _("The rules of %(regime)s set no quota for organisations.") % {"regime": regime.code if regime else "—"}
        )
    if f.decision is None:
        return _no_decision(f)
    if f.peer_ratings is None:
        return not_applicable(
            _("The organisation has no direct superior in the tree of %(year)s.") % {"year": f.review.year}
        )
    ratings = list(f.peer_ratings.values())
    group = _("organisations under the same direct superior in %(year)s") % {"year": f.review.year}
    evidence = [{"type": "review", "id": pk} for pk in sorted(f.peer_ratings)]
    errors = quota_errors(regime, "organizations", {group: ratings})
    if errors:
        return failed(" ".join(str(e) for e in errors), evidence)
    return passed(
        _(
            "%(excellent)s of the %(count)s decided organisations under the same direct superior were rated "
            "excellent, for %(good)s rated good: within the quota."
        )
        % {
            "excellent": ratings.count(Rating.EXCELLENT),
            "count": len(ratings),
            "good": ratings.count(Rating.GOOD),
        },
        evidence,
    )
