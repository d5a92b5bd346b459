"""The rules of each range of review years (domain-rules.md sections 0, 3, 4, 5 and 8), as data.

A regime is a named rule set: its citations, its rating scheme (four levels from criterion grades; from 2025 a
100-point score with thresholds 90/70/50), its quota rules (at most one "excellent" for every five "good",
i.e. 20%, in each group of a scope), the triggers that force "not complete", its ordering rules and its
competent body.  A review is **pinned** to its regime when it is opened: it stores the code and the rules as
they were (``Review.regime_code`` / ``regime_rules``), so changing a definition here, or the table of years,
never changes an open or past review; ``manage.py migrate_regime`` moves live reviews explicitly.

Where the texts are unverified (domain-rules.md [U]), the rule is a setting per regime:
``REVIEW_REGIME_OVERRIDES = {"2019-2022": {"quota_scopes": {"organizations": "group"}}}`` overrides the
definition before it is pinned.  The procedure's parameters (draft notice, conference deadline, finalisation
and notification periods, attendance quorum) are read when used, from ``REVIEW_*`` settings with the same
per-regime overrides (``Regime.parameter``).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.TextChoices):
    CRITERIA = "criteria", _("Criterion grades, four levels")
    SCORE = "score", _("100-point scale (90/70/50)")


class Trigger(models.TextChoices):
    """Facts that force "not complete" (không hoàn thành nhiệm vụ) whatever else the record says."""

    DISCIPLINE = "discipline", _("Disciplined during the year")
    COLLECTIVE_DISCIPLINED = "collective_disciplined", _("The collective was disciplined")
    DEGRADATION = "degradation", _("Ideological or ethical degradation concluded")
    TARGETS_MISSED = "targets_missed", _("Under half of the targets met, or key targets missed")
    DISUNITY = "disunity", _("Disunity concluded")
    SUBORDINATES_DISCIPLINED = "subordinates_disciplined", _("More than a fifth of the subordinate units disciplined")
    CRITERION_POOR = "criterion_poor", _("A criterion graded poor (kém)")


# Quota scopes: how the entries of a rating round are grouped before the cap applies.
SCOPE_ROUND = "round"  # the whole round is one group (members per grassroots organisation)
SCOPE_GROUP = "group"  # each group of similar roles / equivalent titles separately
SCOPES = (SCOPE_ROUND, SCOPE_GROUP)
SUBJECTS = ("organizations", "members", "leaders")

_COMMON_TRIGGERS = (
    Trigger.DISCIPLINE,
    Trigger.COLLECTIVE_DISCIPLINED,
    Trigger.DEGRADATION,
    Trigger.TARGETS_MISSED,
    Trigger.DISUNITY,
)


@dataclass(frozen=True)
class Regime:
    code: str
    first_year: int
    last_year: int | None
    regulation: str
    guidance: str
    superior_body: str
    scheme: str = Scheme.CRITERIA
    thresholds: tuple[int, int, int] | None = None  # excellent, good, complete (score scheme)
    quota_divisor: int = 5  # excellent x divisor <= good, in each group
    quota_scopes: dict[str, str | None] = field(default_factory=dict)  # subject -> scope (None: not capped)
    triggers: tuple[str, ...] = _COMMON_TRIGGERS
    head_not_above_collective: bool = False
    collective_before_individual: bool = True
    competent_body: str = "direct_superior_standing_committee"

    def applies_to(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    @property
    def rating_basis(self):
        return Scheme(self.scheme).label

    @property
    def uses_score(self) -> bool:
        return self.scheme == Scheme.SCORE

    def quota_scope(self, subject: str) -> str | None:
        return self.quota_scopes.get(subject)

    # --- The procedure's parameters: read when used, with per-regime overrides. ---

    def parameter(self, name: str):
        """``REVIEW_<NAME>``, or this regime's override in ``REVIEW_REGIME_OVERRIDES``."""
        overrides = getattr(settings, "REVIEW_REGIME_OVERRIDES", {}) or {}
        regime_overrides = overrides.get(self.code, {})
        if name in regime_overrides:
            return regime_overrides[name]
        return getattr(settings, f"REVIEW_{name.upper()}")

    @property
    def draft_notice_days(self) -> int:
        return int(self.parameter("draft_notice_days"))

    @property
    def finalize_days(self) -> int:
        return int(self.parameter("finalize_days"))

    @property
    def notify_days(self) -> int:
        return int(self.parameter("notify_days"))

    @property
    def attendance_quorum(self) -> Decimal:
        return Decimal(str(self.parameter("attendance_quorum")))

    def conference_deadline(self, year: int) -> datetime.date:
        month, day = (int(x) for x in str(self.parameter("conference_deadline")).split("-"))
        return datetime.date(year, month, day)

    # --- Pinning ---

    RULE_FIELDS = (
        "first_year",
        "last_year",
        "regulation",
        "guidance",
        "scheme",
        "thresholds",
        "quota_divisor",
        "quota_scopes",
        "triggers",
        "head_not_above_collective",
        "collective_before_individual",
        "competent_body",
    )

    def rules(self) -> dict:
        """The rules a review pins (plain JSON)."""
        data = {name: getattr(self, name) for name in self.RULE_FIELDS}
        data["thresholds"] = list(self.thresholds) if self.thresholds else None
        data["triggers"] = [str(t) for t in self.triggers]
        data["quota_scopes"] = dict(self.quota_scopes)
        data["scheme"] = str(self.scheme)
        return data

    def with_rules(self, rules: dict) -> Regime:
        """This regime with the pinned ``rules`` (what a review opened under it keeps)."""
        known = {k: v for k, v in (rules or {}).items() if k in self.RULE_FIELDS}
        if known.get("thresholds") is not None:
            known["thresholds"] = tuple(known["thresholds"])
        if "triggers" in known:
            known["triggers"] = tuple(known["triggers"])
        return dataclasses.replace(self, **known)


_2019 = {"members": SCOPE_ROUND, "leaders": SCOPE_GROUP, "organizations": None}
_2023 = {"members": SCOPE_GROUP, "leaders": SCOPE_GROUP, "organizations": SCOPE_GROUP}

DEFINITIONS: tuple[Regime, ...] = (
    Regime(
        code="2018",
        first_year=2018,
        last_year=2018,
        regulation="Quy định 132-QĐ/TW, 08/3/2018 (khóa XII)",
        guidance="Hướng dẫn 16-HD/BTCTW, 24/9/2018",
        superior_body=_("District standing committee"),
        quota_scopes=_2019,
    ),
    Regime(
        code="2019-2022",
        first_year=2019,
        last_year=2022,
        regulation="Quy định 132-QĐ/TW, 08/3/2018 (khóa XII)",
        guidance="Hướng dẫn 21-HD/BTCTW, 18/10/2019",
        superior_body=_("District standing committee"),
        quota_scopes=_2019,
        head_not_above_collective=True,  # HD 21 II.B.4 [S-sec]
    ),
    Regime(
        code="2023-2024",
        first_year=2023,
        last_year=2024,
        regulation="Quy định 124-QĐ/TW, 04/10/2023",
        guidance="Hướng dẫn 25-HD/BTCTW, 10/11/2023",
        superior_body=_("District standing committee"),
        quota_scopes=_2023,
        triggers=(*_COMMON_TRIGGERS, Trigger.SUBORDINATES_DISCIPLINED, Trigger.CRITERION_POOR),
        head_not_above_collective=False,  # unverified for 124 (domain-rules.md §4.2): a setting
    ),
    Regime(
        code="2025+",
        first_year=2025,
        last_year=None,
        regulation="Quy định 366-QĐ/TW, 30/8/2025",
        guidance="Hướng dẫn 43-HD/BTCTW, 31/10/2025",
        superior_body=_("City standing committee"),
        scheme=Scheme.SCORE,
        thresholds=(90, 70, 50),
        quota_scopes=_2023,
        triggers=(*_COMMON_TRIGGERS, Trigger.SUBORDINATES_DISCIPLINED, Trigger.CRITERION_POOR),
        head_not_above_collective=False,  # unverified for 366: a setting
    ),
)


def _with_overrides(regime: Regime) -> Regime:
    overrides = (getattr(settings, "REVIEW_REGIME_OVERRIDES", {}) or {}).get(regime.code, {})
    rules = {k: v for k, v in overrides.items() if k in Regime.RULE_FIELDS}
    if "quota_scopes" in rules:
        rules["quota_scopes"] = {**regime.quota_scopes, **rules["quota_scopes"]}
    return regime.with_rules({**regime.rules(), **rules}) if rules else regime


def regimes() -> tuple[Regime, ...]:
    """Every regime as defined, with the settings' per-regime overrides applied."""
    return tuple(_with_overrides(r) for r in REGIMES)


REGIMES: tuple[Regime, ...] = DEFINITIONS


def regime_for(year: int) -> Regime | None:
    """The regime that governs reviews of ``year`` today (None before 2018: not supported)."""
    for regime in regimes():
        if regime.applies_to(year):
            return regime
    return None


def regime_by_code(code: str) -> Regime | None:
    return next((r for r in regimes() if r.code == code), None)


def pinned_regime(code: str, rules: dict | None) -> Regime | None:
    """The regime a review was pinned to: its code's definition with the rules stored on the review."""
    base = next((r for r in REGIMES if r.code == code), None)
    if base is None:  # the definition is gone from the table: the pin alone still says what applies
        if not rules:
            return None
        base = Regime(code=code, first_year=0, last_year=None, regulation="", guidance="", superior_body="")
    return base.with_rules(rules) if rules else base
