"""The rule registry: what an auditor checks, where the rule comes from, and how it is checked.

Each rule has a stable ``code`` (also the API's error code when a blocking rule refuses a step), a title
in Vietnamese and English, the regimes (review years, ``review_process.regimes``) it applies to, its
citation per regime taken from ../shared/docs/domain-rules.md (a citation says "unverified" where that
file tags the source [I] or [U]), a severity and a check.

* ``finding``: the step is allowed; the auditor's report shows the failure.
* ``blocking``: the engine refuses the listed transitions while the rule fails (``compliance.blocking``).

A check reads only ``ReviewFacts`` (the review's records and its audit events, loaded in bulk by
``compliance.facts``) and returns an ``Outcome``: pass / fail / not applicable, a translated message and
links to the evidence records (``{"type": "report_version", "id": 3}``).  Checks never query the database.

Layout: ``base`` holds the types and the ``@rule`` declaration; each topic module declares its rules on their
checks (``procedure``, ``deadlines``, ``conference``, ``decision``, ``ratings``, ``individual``, ``records``);
this module lists them in the order reports show them. Topic modules import ``base`` only, never this package, so
there is no cycle.
"""

from __future__ import annotations

from review_process.compliance.facts import ReviewFacts
from review_process.compliance.messages import pinned_language
from review_process.compliance.rules import conference, deadlines, decision, individual, procedure, ratings, records
from review_process.compliance.rules.base import (
    ALL_REGIMES,
    Citation,
    Finding,
    Outcome,
    Rule,
    Severity,
    Status,
    failed,
    not_applicable,
    passed,
    rule,
)

__all__ = [
    "ALL_REGIMES",
    "RULES",
    "RULES_BY_CODE",
    "Citation",
    "Finding",
    "Outcome",
    "Rule",
    "Severity",
    "Status",
    "evaluate_all",
    "failed",
    "not_applicable",
    "passed",
    "rule",
    "rule_for",
]

RULES: tuple[Rule, ...] = (
    procedure.stage_order,
    procedure.dates_in_order,
    deadlines.draft_notice,
    deadlines.conference_deadline,
    conference.attendance_quorum,
    conference.superior_representative,
    conference.guidance_before_finalisation,
    records.opinions_answered,
    records.final_report_revised,
    decision.self_assessment_before_decision,
    decision.competent_body,
    ratings.rating_consistent,
    ratings.vote_carried,
    ratings.reason_for_down_rating,
    ratings.quota_respected,
    individual.secret_ballot_recorded,
    individual.leader_after_collective,
    individual.head_not_above_collective,
    deadlines.notification_recorded,
    records.remedial_plan,
    records.evidence_complete,
)

RULES_BY_CODE: dict[str, Rule] = {item.code: item for item in RULES}


def rule_for(code: str) -> Rule:
    return RULES_BY_CODE[code]


def evaluate_all(facts: ReviewFacts, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    with pinned_language():  # the active language read once for the review's findings
        return [item.evaluate(facts) for item in rules]
