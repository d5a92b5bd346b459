"""The rules of the individual review of a leader, found afterwards: one check, two uses.

Each rule calls the very function of ``review_process.ratings`` that the engine calls to refuse (the order, the
ceiling, the ballot's arithmetic), on the records as they are and with the review's pinned regime; all three are
not applicable to a collective review:

* ``secret_ballot_recorded``: the rating was put to a secret ballot whose tally adds up (``ballot_error``);
* ``leader_after_collective``: the leader was rated after the collective they lead: the collective's decision
  was on record when the leader's was taken (``order_error`` on the collective's rating as recorded then);
* ``head_not_above_collective``: under the regimes that say so, the head was not rated above that collective
  (``ceiling_error``; the regime setting ``head_not_above_collective`` decides, tested either way).

Messages never repeat the tally's counts by level: the person reviewed may read the report before the decision.
"""

from __future__ import annotations

from review_process.compliance.facts import ReviewFacts, record_day
from review_process.compliance.messages import choice_label
from review_process.compliance.messages import gettext as _
from review_process.compliance.rules.base import (
    Citation,
    Outcome,
    Severity,
    day,
    failed,
    link,
    not_applicable,
    passed,
    rule,
)
from review_process.models import Rating, ReviewKind
from review_process.ratings import ballot_error, ceiling_error, order_error

HD21 = "Hướng dẫn 21-HD/BTCTW, 18/10/2019"
QD89 = "Quy định 89-QĐ/TW, 04/8/2017"
QD124 = "Quy định 124-QĐ/TW, 04/10/2023"
QD366 = "Quy định 366-QĐ/TW, 30/8/2025; Hướng dẫn 43-HD/BTCTW, 31/10/2025"
SETTING_NOTE = (
    "not found in the texts of this regime (domain-rules.md §4.2); the regime setting head_not_above_collective "
    "decides (REVIEW_REGIME_OVERRIDES; on by default for 2019–2022 only)"
)


def _not_individual(f: ReviewFacts) -> Outcome | None:
    if f.review.kind != ReviewKind.INDIVIDUAL:
        return not_applicable(_("This rule is about the individual reviews of leaders."))
    return None


@rule(
    code="secret_ballot_recorded",
    severity=Severity.FINDING,
    citation=Citation(QD89, "Bước 3", "bỏ phiếu kín xếp loại", section="§1B step 5; §3"),
    title_vi="Xếp loại cán bộ lãnh đạo bằng bỏ phiếu kín, có biên bản kiểm phiếu",
    title_en="Leader rated by secret ballot, with the tally recorded",
    checks_what=(
        "For an individual review, once its rating is decided (or whenever a tally is recorded): a secret-ballot "
        "tally is on record and review_process.ratings.ballot_error finds nothing (cast ≤ eligible; the four "
        "levels plus the invalid ballots add up to cast). Not applicable to collective reviews."
    ),
)
def secret_ballot_recorded(f: ReviewFacts) -> Outcome:
    if (outcome := _not_individual(f)) is not None:
        return outcome
    ballot, decision = f.ballot, f.decision
    if ballot is None:
        if decision is None and not f.reached("approve"):
            return not_applicable(_("The rating has not been decided yet: the tally is not yet due."))
        evidence = [link("decision", decision)] if decision is not None else []
        return failed(_("The rating was decided without a secret-ballot tally on record."), evidence)
    evidence = [link("ballot", ballot)]
    error = ballot_error(ballot.counts())
    if error is not None:
        return failed(str(error), evidence)
    return passed(
        _("The secret-ballot tally was recorded on %(day)s and adds up; the vote-counting board has %(n)s members.")
        % {"day": day(ballot.recorded_at), "n": len(ballot.counting_board)},
        evidence,
    )


def _decided_before(collective, leader) -> bool:
    """Was the collective decided before the leader? By the days they were decided (occurred_on); on the same day,
    by the order they were recorded."""
    first, second = record_day(collective, "decided_at"), record_day(leader, "decided_at")
    return first < second or (first == second and collective.decided_at < leader.decided_at)


@rule(
    code="leader_after_collective",
    severity=Severity.FINDING,
    citation=Citation(
        HD21, "mục II.B.4", "đánh giá, xếp loại người đứng đầu sau tập thể", section="§1A (mandatory order); §1B"
    ),
    regime_citations={
        "2018": Citation("Hướng dẫn 16-HD/BTCTW, 24/9/2018", tag="I", note="assumed as in 2019–2022", section="§1A"),
        "2023-2024": Citation(
            QD124,
            "Điều 11",
            "tập thể lãnh đạo, quản lý trước, cá nhân thành viên sau",
            section="§1A (mandatory order)",
        ),
        "2025+": Citation(QD366, tag="I", note="the order of 124 Điều 11 is assumed to continue", section="§1A"),
    },
    title_vi="Tập thể lãnh đạo, quản lý xếp loại trước, cá nhân thành viên sau",
    title_en="The collective rated before its leaders",
    checks_what=(
        "For a decided individual review: review_process.ratings.order_error on the collective's rating as recorded "
        "when the leader's decision was taken, i.e. the live collective review of the same organisation and year "
        "has a decision dated (occurred_on; on the same day, recorded) before the leader's. Not applicable to collective reviews."
    ),
)
def leader_after_collective(f: ReviewFacts) -> Outcome:
    if (outcome := _not_individual(f)) is not None:
        return outcome
    decision, collective = f.decision, f.collective_decision
    if decision is None:
        return not_applicable(_("The leader's rating has not been decided yet."))
    evidence = [link("decision", decision)]
    if collective is not None:
        evidence += [{"type": "review", "id": collective.review_id}, link("decision", collective)]
    before = collective if collective is not None and _decided_before(collective, decision) else None
    error = order_error(
        before.final_rating if before is not None else None,
        organization=f.organization.name,
        year=f.review.year,
    )
    if error is not None and collective is not None:
        return failed(
            _("The leader was rated on %(leader)s, before the collective (decided on %(collective)s): %(error)s")
            % {
                "leader": day(record_day(decision, "decided_at")),
                "collective": day(record_day(collective, "decided_at")),
                "error": error,
            },
            evidence,
        )
    if error is not None:
        return failed(str(error), evidence)
    return passed(
        _("The collective was rated on %(collective)s, the leader after it on %(leader)s.")
        % {"collective": day(record_day(before, "decided_at")), "leader": day(record_day(decision, "decided_at"))},
        evidence,
    )


@rule(
    code="head_not_above_collective",
    severity=Severity.FINDING,
    citation=Citation(
        HD21,
        "mục II.B.4",
        "mức xếp loại của người đứng đầu không được cao hơn mức xếp loại của tập thể",
        section="§1B step 5; §4.1",
    ),
    regime_citations={
        "2018": Citation("Hướng dẫn 16-HD/BTCTW, 24/9/2018", tag="U", note=SETTING_NOTE, section="§4"),
        "2023-2024": Citation(QD124, "Điều 11–12", tag="U", note=SETTING_NOTE, section="§4.2"),
        "2025+": Citation(QD366, "Điều 11", tag="U", note=SETTING_NOTE, section="§4.3"),
    },
    title_vi="Người đứng đầu không được xếp loại cao hơn tập thể do mình đứng đầu",
    title_en="The head not rated above the collective they lead",
    checks_what=(
        "For a decided individual review whose subject was the organisation's secretary that year, under a regime "
        "whose setting head_not_above_collective is on: review_process.ratings.ceiling_error with the pinned "
        "regime, the leader's final rating and the collective's decided rating. Not applicable otherwise."
    ),
)
def head_not_above_collective(f: ReviewFacts) -> Outcome:
    if (outcome := _not_individual(f)) is not None:
        return outcome
    regime, decision, collective = f.regime, f.decision, f.collective_decision
    if regime is None or not regime.head_not_above_collective:
        return not_applicable(
            _("The rules of %(regime)s do not cap the head's rating by the collective's.")
            % {"regime": regime.code if regime else "—"}
        )
    if not f.subject_was_head:
        return not_applicable(_("The person reviewed was not the organisation's secretary that year."))
    if decision is None:
        return not_applicable(_("The leader's rating has not been decided yet."))
    if collective is None:
        return not_applicable(_("The collective review has not been decided: there is no rating to compare with."))
    evidence = [
        link("decision", decision),
        {"type": "review", "id": collective.review_id},
        link("decision", collective),
    ]
    error = ceiling_error(regime, is_head=True, rating=decision.final_rating, collective_rating=collective.final_rating)
    if error is not None:
        return failed(
            _("The head was rated “%(rating)s”: %(error)s")
            % {"rating": choice_label(Rating, decision.final_rating), "error": error},
            evidence,
        )
    return passed(
        _("The head was rated “%(rating)s”, not above the collective (“%(collective)s”).")
        % {
            "rating": choice_label(Rating, decision.final_rating),
            "collective": choice_label(Rating, collective.final_rating),
        },
        evidence,
    )
