"""What a rule is: its verdicts (``Status``, ``Severity``, ``Outcome``, ``Finding``), its source (``Citation``)
and the ``@rule`` declaration that turns a check into a ``Rule``.

A rule is declared once, on its check, in the topic module where it belongs::

    @rule(code="draft_notice", severity=Severity.FINDING, citation=Citation(...), title_vi=..., title_en=...,
          checks_what=...)
    def draft_notice(f: ReviewFacts) -> Outcome: ...

The decorated name is then the ``Rule`` itself (its check is ``rule.check``). The registry (``RULES``, in the
package's ``__init__``) lists them in the order reports show them.

Invariants: a check reads only ``ReviewFacts`` and never queries; it returns an ``Outcome`` whose message is
already rendered in the active language; codes, severities, citations and messages are part of the API.
This module imports nothing from the topic modules (they import it).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy

from review_process.compliance.facts import ReviewFacts, local_date
from review_process.compliance.messages import choice_label, language, pinned, pinned_language
from review_process.compliance.messages import gettext as _
from review_process.models import ReviewState
from review_process.regimes import REGIMES

ALL_REGIMES = tuple(r.code for r in REGIMES)


class Status(models.TextChoices):
    PASS = "pass", gettext_lazy("Pass")
    FAIL = "fail", gettext_lazy("Fail")
    NOT_APPLICABLE = "not_applicable", gettext_lazy("Not applicable")


class Severity(models.TextChoices):
    BLOCKING = "blocking", gettext_lazy("Blocking: the engine refuses the step")
    FINDING = "finding", gettext_lazy("Finding: allowed, but reported")


# Tags of ../shared/docs/domain-rules.md: S stated in a source, S-sec in a secondary source,
# I inferred or practice, U not found.
VERIFIED_TAGS = ("S", "S-sec")


@dataclass(frozen=True)
class Citation:
    document: str
    article: str = ""
    clause: str = ""
    tag: str = "S-sec"
    note: str = ""  # English; what is uncertain (shown after "unverified")
    section: str = ""  # where domain-rules.md discusses it

    @property
    def verified(self) -> bool:
        return self.tag in VERIFIED_TAGS

    def __str__(self) -> str:
        text = ", ".join(part for part in (self.document, self.article, self.clause) if part)
        if not self.verified:
            text += " — " + _("unverified")
            if self.note:
                text += ": " + self.note
        return text

    def as_dict(self) -> dict:
        return {
            "document": self.document,
            "article": self.article,
            "clause": self.clause,
            "tag": self.tag,
            "verified": self.verified,
            "note": self.note,
            "section": self.section,
        }


@dataclass
class Outcome:
    status: str
    message: str
    evidence: list[dict] = field(default_factory=list)


def passed(message: str, evidence: list[dict] | None = None) -> Outcome:
    return Outcome(Status.PASS, message, evidence or [])


def failed(message: str, evidence: list[dict] | None = None) -> Outcome:
    return Outcome(Status.FAIL, message, evidence or [])


def not_applicable(message: str, evidence: list[dict] | None = None) -> Outcome:
    return Outcome(Status.NOT_APPLICABLE, message, evidence or [])


def link(kind: str, obj) -> dict:
    return {"type": kind, "id": obj.pk}


def links(kind: str, objects) -> list[dict]:
    return [link(kind, o) for o in objects]


def day(value: datetime.date | datetime.datetime) -> str:
    """Dates in messages: dd/mm/yyyy in every language (the form used in party documents)."""
    if isinstance(value, datetime.datetime):
        value = local_date(value)
    return value.strftime("%d/%m/%Y")


_STATES = frozenset(ReviewState.values)


def stage(state: str) -> str:
    return choice_label(ReviewState, state) if state in _STATES else state


def names(people) -> str:
    return ", ".join(p.get_full_name() for p in people)


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one review."""

    rule: str
    title_vi: str
    title_en: str
    severity: str
    status: str
    message: str
    reference: str
    evidence: list[dict]

    @property
    def title(self) -> str:
        return self.title_vi if (language() or "vi").startswith("vi") else self.title_en

    @property
    def failed(self) -> bool:
        return self.status == Status.FAIL

    def as_dict(self, *, detail: bool = False) -> dict:
        data = {
            "rule": self.rule,
            "status": str(self.status),
            "message": self.message,
            "reference": self.reference,
            "evidence": self.evidence,
        }
        if detail:
            data.update(title=self.title, title_vi=self.title_vi, title_en=self.title_en, severity=str(self.severity))
        return data


Check = Callable[[ReviewFacts], Outcome]


@dataclass(frozen=True)
class Rule:
    code: str
    title_vi: str
    title_en: str
    severity: str
    citation: Citation
    check: Check
    checks_what: str  # English, for docs/compliance.md and the auditors' page
    regimes: tuple[str, ...] = ALL_REGIMES
    regime_citations: dict[str, Citation] = field(default_factory=dict)
    blocks: tuple[str, ...] = ()  # transitions refused while a blocking rule fails

    def citation_for(self, regime_code: str | None) -> Citation:
        return self.regime_citations.get(regime_code or "", self.citation)

    def applies_to(self, regime_code: str | None) -> bool:
        return regime_code in self.regimes

    def evaluate(self, facts: ReviewFacts) -> Finding:
        lang = pinned()
        if lang is None:  # not inside a report (``evaluate_all``): read the active language once for this rule
            with pinned_language() as lang:
                return self._evaluate(facts, lang)
        return self._evaluate(facts, lang)

    def _evaluate(self, facts: ReviewFacts, lang: str | None) -> Finding:
        regime = facts.regime
        code = regime.code if regime else None
        if code not in self.regimes:
            outcome = not_applicable(
                _("This rule does not apply to reviews of %(year)s.") % {"year": facts.review.year}
            )
        else:
            outcome = self.check(facts)
        return Finding(
            rule=self.code,
            title_vi=self.title_vi,
            title_en=self.title_en,
            severity=self.severity,
            status=outcome.status,
            message=str(outcome.message),
            reference=self.reference(code, lang),
            evidence=outcome.evidence,
        )

    def reference(self, regime_code: str | None, lang: str | None) -> str:
        """The citation for ``regime_code`` as text in ``lang`` (rendered once per rule, regime and language)."""
        key = (self.code, regime_code, lang)
        text = _REFERENCES.get(key)
        if text is None:
            text = _REFERENCES[key] = str(self.citation_for(regime_code))
        return text


#: ``Rule.reference``'s texts by (rule, regime, language).
_REFERENCES: dict[tuple, str] = {}


def rule(
    *,
    code: str,
    severity: str,
    citation: Citation,
    title_vi: str,
    title_en: str,
    checks_what: str,
    blocks: tuple[str, ...] = (),
    regimes: tuple[str, ...] = ALL_REGIMES,
    regime_citations: dict[str, Citation] | None = None,
) -> Callable[[Check], Rule]:
    """Declare the decorated check as a rule: the decorated name becomes the ``Rule``.

    ``blocks`` names the transitions the engine refuses while the rule fails; only a ``blocking`` rule
    may block, and a blocking rule must block something.
    """
    if bool(blocks) != (severity == Severity.BLOCKING):
        raise ValueError(f"Rule {code}: a blocking rule names the transitions it blocks, and only it does.")

    def declare(check: Check) -> Rule:
        return Rule(
            code=code,
            title_vi=title_vi,
            title_en=title_en,
            severity=severity,
            citation=citation,
            check=check,
            checks_what=checks_what,
            regimes=regimes,
            regime_citations=regime_citations or {},
            blocks=tuple(blocks),
        )

    return declare
