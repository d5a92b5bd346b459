"""Compliance reports: one review, or every review of a year in an organisation's subtree (streamed).

These are selectors: they only read. The API and the pages build on them:

* ``review_compliance(review) -> ComplianceReport``; ``report.as_dict()`` is the API body
  ``{"compliant": bool, "findings": [{"rule", "status", "message", "reference", "evidence"}]}``.
* ``compliance_for(year, organization_code, user=None)`` yields a ``ComplianceReport`` per review, reading
  the reviews in keyset-paginated batches: each batch costs the same fixed number of queries
  (``facts.FACTS_QUERIES`` + ``chained_records.SNAPSHOT_QUERIES``: the rows are checked against the fingerprints
  of the audit events the facts loaded) whatever its size, and only one batch is
  in memory at a time.
* ``review_audit(review) -> ReviewAudit``: the report, the evidence checklist, the review's chain verdict and
  which generated documents exist (the auditors' review page).
* ``compliance_scope(...)`` is the queryset of reviews covered (for counts and progress bars).
* ``ComplianceSummary`` accumulates counts while a stream is consumed; ``summarise(scope, keep=n)`` consumes
  the stream of a scope and keeps its first ``n`` reports (the auditors' bulk page).

Messages are rendered in the active language when the report is built.
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from django.core.signals import setting_changed
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_objects_for_user

from permissions.models import Organization
from permissions.roles import Action, review_codename
from review_process.audit import ChainVerdict, verify_chain
from review_process.compliance.checklist import EvidenceItem, checklist_from_facts
from review_process.compliance.facts import ReviewFacts, facts_for, facts_queryset, load_facts, release
from review_process.compliance.messages import language, pinned_language
from review_process.compliance.rules import RULES, RULES_BY_CODE, Finding, Severity, Status, evaluate_all
from review_process.errors import InvalidInput, NotFound
from review_process.models import Review
from review_process.record_check import AlteredRecord, altered_records
from review_process.regimes import Regime, regime_by_code, regime_for

DEFAULT_BATCH_SIZE = 200
AUDIT_PERM = f"review_process.{review_codename(Action.VIEW_AUDIT_TRAIL)}"

#: Rule titles that name a parameter of the regime by the placeholder "N", and the regime's parameter that fills it.
TITLE_PARAMETERS = {"draft_notice": "draft_notice_days"}
_PLACEHOLDER = re.compile(r"\bN\b")


def rule_title(code: str, *, regime: Review | Regime | str | int | None = None, language: str | None = None) -> str:
    """A rule's title from the registry, in ``language`` (default: the active one; Vietnamese unless English),
    with the regime's parameter filled in where the title names it by "N" (the draft's advance notice).

    ``regime`` is a review (its pinned regime), a ``Regime``, a regime code (a report's ``regime``) or a review
    year; the title keeps its "N" only when no regime is found. ``records_intact`` (not in the registry: see
    ``records_finding``) has its own title; any other unknown code is returned as given."""
    rule_ = RULES_BY_CODE.get(code)
    language = language or translation.get_language() or "vi"
    if rule_ is None:
        return RECORDS_INTACT_TITLES[language.startswith("vi")] if code == "records_intact" else code
    title = rule_.title_vi if language.startswith("vi") else rule_.title_en
    parameter = TITLE_PARAMETERS.get(code)
    if parameter is None:
        return title
    if isinstance(regime, Review):
        regime = regime.regime
    elif isinstance(regime, int) or (isinstance(regime, str) and regime.isdigit()):
        regime = regime_for(int(regime))
    elif isinstance(regime, str):
        regime = regime_by_code(regime)
    if regime is None:
        return title
    return _PLACEHOLDER.sub(str(getattr(regime, parameter)), title)


@dataclass(frozen=True)
class ComplianceReport:
    review_id: int
    organization_code: str
    organization_name: str
    year: int
    state: str
    regime: str
    findings: list[Finding]

    @cached_property
    def compliant(self) -> bool:
        """No rule failed (blocking or not). Rules not applicable do not count against the review."""
        return not any(f.failed for f in self.findings)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.failed]

    def finding(self, rule: str) -> Finding:
        return next(f for f in self.findings if f.rule == rule)

    def as_dict(self, *, detail: bool = False) -> dict:
        data = {"compliant": self.compliant, "findings": [f.as_dict(detail=detail) for f in self.findings]}
        if detail:
            data = {
                "review": self.review_id,
                "organization": self.organization_code,
                "organization_name": self.organization_name,
                "year": self.year,
                "state": self.state,
                "regime": self.regime,
                **data,
            }
        return data

    def row_values(self) -> Iterator[tuple]:
        """One flat row per rule, as a tuple in ``ROW_COLUMNS``' order (the exports' rows); the evidence is the
        list of links it is. The review's part of the row is the same tuple for every rule; each title is looked
        up once per (rule, regime, language)."""
        lang = language()
        regime = self.regime or self.year
        head = (
            self.review_id,
            self.organization_code,
            self.organization_name,
            self.year,
            self.state,
            self.regime,
            self.compliant,
        )
        for f in self.findings:
            yield (
                *head,
                f.rule,
                _row_title(f.rule, regime, lang),
                str(f.severity),
                str(f.status),
                f.message,
                f.reference,
                f.evidence,
            )

    def rows(self) -> Iterator[dict]:
        """One flat row per rule (exports): ``{column: value}`` for the columns of ``ROW_COLUMNS``."""
        for values in self.row_values():
            yield dict(zip(ROW_COLUMNS, values, strict=True))


#: The columns of a flat row (``ComplianceReport.row_values``; ``export.COLUMNS``): the review's part, then the rule's.
ROW_COLUMNS = (
    "review",
    "organization",
    "organization_name",
    "year",
    "state",
    "regime",
    "compliant",
    "rule",
    "title",
    "severity",
    "status",
    "message",
    "reference",
    "evidence",
)
#: How many of ``ROW_COLUMNS`` describe the review (the same for each of its rows).
REVIEW_COLUMNS = 7
#: Rows' titles by (rule, regime or year, language): ``rule_title`` resolves the regime, which costs.
_ROW_TITLES: dict[tuple, str] = {}


def _row_title(code: str, regime: str | int, lang: str | None) -> str:
    key = (code, regime, lang)
    title = _ROW_TITLES.get(key)
    if title is None:
        title = _ROW_TITLES[key] = rule_title(code, regime=regime, language=lang)
    return title


@receiver(setting_changed)
def _forget_titles(*, setting: str, **kwargs) -> None:
    """A title names a regime's parameter, which settings may change (``REVIEW_*``, in tests)."""
    if setting.startswith("REVIEW_"):
        _ROW_TITLES.clear()


#: The title of the finding that is not a rule of the registry (English, Vietnamese: indexed by "is Vietnamese").
RECORDS_INTACT_TITLES = ("Records match the audit trail", "Hồ sơ khớp với nhật ký kiểm toán")


def records_finding(altered: list[AlteredRecord]) -> list[Finding]:
    """A failed finding ``records_intact`` when rows of the review no longer match the audit trail (a record
    changed outside the services, e.g. directly in the database): the report does not vouch for them. None
    when they match, so the API body and the exports of an intact review are unchanged."""
    if not altered:
        return []
    message = _("%(n)s records differ from the audit trail: %(list)s") % {
        "n": len(altered),
        "list": "; ".join(item.describe() for item in altered),
    }
    title_en, title_vi = RECORDS_INTACT_TITLES
    evidence = [item.evidence for item in altered]
    return [Finding("records_intact", title_vi, title_en, Severity.FINDING, Status.FAIL, str(message), "", evidence)]


def report_from_facts(facts: ReviewFacts, altered: list[AlteredRecord] | None = None) -> ComplianceReport:
    """The report; ``altered`` (``record_check.altered_records``) is read for this review when not given."""
    review = facts.review
    if altered is None:
        altered = altered_records([review.pk], events=facts.events)[1].get(review.pk, [])
    regime = facts.regime
    with pinned_language():
        findings = evaluate_all(facts) + records_finding(altered)
    return ComplianceReport(
        review_id=review.pk,
        organization_code=review.organization.code,
        organization_name=review.organization.name,
        year=review.year,
        state=review.state,
        regime=regime.code if regime else "",
        findings=findings,
    )


def review_compliance(review: Review | int) -> ComplianceReport:
    """The compliance report of one review (the caller has already checked who may see it)."""
    return report_from_facts(facts_for(review))


@dataclass(frozen=True)
class ReviewAudit:
    """What an auditor reads about one review: findings, checklist, chain verdict, generated documents."""

    report: ComplianceReport
    checklist: list[EvidenceItem]
    verdict: ChainVerdict
    has_minutes: bool  # a conference is recorded: the minutes can be generated
    has_final: bool  # a final version exists: the final report can be generated


def review_audit(review: Review) -> ReviewAudit:
    """The auditors' view of ``review`` (the caller has already checked who may see it)."""
    facts = facts_for(review)
    return ReviewAudit(
        report=report_from_facts(facts),
        checklist=checklist_from_facts(facts),
        verdict=verify_chain(reviews=[review]),
        has_minutes=facts.conference is not None,
        has_final=facts.final_version is not None,
    )


def compliance_scope(year: int, organization_code: str, *, user=None) -> QuerySet[Review]:
    """Reviews of ``year`` in the subtree of ``organization_code`` (itself included).

    With ``user``, only the reviews on which they hold ``view_audit_trail`` (object permission only).
    Raises ``NotFound`` for an unknown organisation and ``InvalidInput`` for a year that is not a number.
    """
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput(_("Give the year as a number."), code="invalid_year", field="year") from None
    organization = Organization.objects.filter(code=organization_code).only("pk", "path").first()
    if organization is None:
        raise NotFound(_("Organisation not found."), code="organization_not_found", field="organization")
    qs = Review.objects.filter(year=year, organization__path__startswith=organization.path)
    if user is not None:
        allowed = get_objects_for_user(user, AUDIT_PERM, klass=Review, accept_global_perms=False)
        qs = qs.filter(pk__in=allowed.values("pk"))
    return qs


def compliance_for(
    year: int, organization_code: str, *, user=None, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[ComplianceReport]:
    """Stream a report per review of ``year`` in the organisation's subtree, in review-id order."""
    scope = compliance_scope(year, organization_code, user=user)
    yield from reports_for(scope, batch_size=batch_size)


def reports_for(scope: QuerySet[Review], *, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[ComplianceReport]:
    """Reports for every review of ``scope``, batch by batch (keyset pagination on the primary key).

    The cyclic garbage collector is paused while a batch is read and while each report is built (never across a
    ``yield``): those steps allocate hundreds of thousands of objects that reference counting frees (``release``
    breaks the cycles of a batch), so a collection there would only walk them. See ``collector_paused``."""
    last = 0
    while True:
        with collector_paused():
            batch = list(facts_queryset(scope.filter(pk__gt=last).order_by("pk"))[:batch_size])
            if not batch:
                return
            loaded = load_facts(batch)
            # The rows against the fingerprints of the events just loaded: chained_records.SNAPSHOT_QUERIES.
            events = (event for item in loaded for event in item.events)
            _checked, altered = altered_records([review.pk for review in batch], events=events)
        for item in loaded:
            with collector_paused():
                report = report_from_facts(item, altered.get(item.review.pk, []))
            yield report
        release(loaded)
        last, full = batch[-1].pk, len(batch) == batch_size
        del loaded, batch, item, report  # free this batch before the next one is read
        if not full:
            return


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a synchronous stretch of work, and resume it after (only if it
    was running: a caller that turned it off keeps it off). Memory is unchanged: nothing the stretch allocates is
    cyclic garbage that only the collector could free."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class ComplianceSummary:
    """Counts over a stream of reports: reviews, compliant ones, and per rule per status."""

    reviews: int = 0
    compliant: int = 0
    by_rule: dict[str, Counter] = field(default_factory=dict)

    @property
    def non_compliant(self) -> int:
        return self.reviews - self.compliant

    def add(self, report: ComplianceReport) -> ComplianceReport:
        self.reviews += 1
        self.compliant += report.compliant
        for f in report.findings:
            self.by_rule.setdefault(f.rule, Counter())[str(f.status)] += 1
        return report

    def rows(self) -> list[dict]:
        return [
            {
                "rule": rule.code,
                "title_vi": rule.title_vi,
                "title_en": rule.title_en,
                "severity": str(rule.severity),
                **{s.value: self.by_rule.get(rule.code, Counter())[s.value] for s in Status},
            }
            for rule in RULES
        ]

    def as_dict(self) -> dict:
        return {
            "reviews": self.reviews,
            "compliant": self.compliant,
            "non_compliant": self.non_compliant,
            "rules": self.rows(),
        }


def summarise(scope: QuerySet[Review], *, keep: int) -> tuple[ComplianceSummary, list[ComplianceReport]]:
    """The counts over every review of ``scope`` and the first ``keep`` reports (streamed: memory stays bounded)."""
    summary = ComplianceSummary()
    kept: list[ComplianceReport] = []
    for report in reports_for(scope):
        summary.add(report)
        if len(kept) < keep:
            kept.append(report)
    return summary, kept
