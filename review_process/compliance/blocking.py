"""Blocking rules: the compliance rules the engine enforces when a step is taken.

``transition_check`` (review_process/services/reviews.py) calls ``blocking_failures`` after the state
machine's guards and refuses the step with the first failure's message and its rule code.

Blocking rules are kept few and uncontroversial; today there is one:

* ``superior_representative`` blocks ``close_opinions``: the conference must record at least one
  representative of a superior organisation (someone holding a position there on the conference date)
  before the collection of opinions closes. The superior's guidance is given at that conference and the
  next step (``give_guidance``) confirms it; without a representative the procedure has no one to give it.

Everything else is a ``finding``: allowed, and reported to the auditors.
"""

from __future__ import annotations

from review_process.compliance.facts import facts_for
from review_process.compliance.rules import RULES, Finding, Severity, Status
from review_process.models import Review

BLOCKING_RULES = tuple(rule for rule in RULES if rule.severity == Severity.BLOCKING)


def rules_blocking(transition_name: str):
    return [rule for rule in BLOCKING_RULES if transition_name in rule.blocks]


def blocking_failures(review: Review, transition_name: str) -> list[Finding]:
    """The failed blocking rules that forbid ``transition_name`` on ``review`` now (empty: allowed).

    Costs no query for transitions that no rule blocks; otherwise one load of the review's records.
    """
    rules = rules_blocking(transition_name)
    if not rules:
        return []
    facts = facts_for(review)
    findings = [rule.evaluate(facts) for rule in rules]
    return [f for f in findings if f.status == Status.FAIL]
