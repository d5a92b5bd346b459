"""The rules of each review year (domain-rules.md section 0).

Parameters that no retrieved source fixes (marked [U] there) come from settings so that a committee's
working rules can set them: the draft's advance notice, the conference deadline, the quorum.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Regime:
    code: str
    first_year: int
    last_year: int | None
    regulation: str
    guidance: str
    superior_body: str
    rating_basis: str

    def applies_to(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    @property
    def draft_notice_days(self) -> int:
        return int(getattr(settings, "REVIEW_DRAFT_NOTICE_DAYS", 3))

    @property
    def attendance_quorum(self) -> Decimal:
        return Decimal(str(getattr(settings, "REVIEW_ATTENDANCE_QUORUM", "0.5")))

    def conference_deadline(self, year: int) -> datetime.date:
        month, day = (int(x) for x in str(settings.REVIEW_CONFERENCE_DEADLINE).split("-"))
        return datetime.date(year, month, day)


REGIMES: tuple[Regime, ...] = (
    Regime(
        code="2018",
        first_year=2018,
        last_year=2018,
        regulation="Quy định 132-QĐ/TW, 08/3/2018 (khóa XII)",
        guidance="Hướng dẫn 16-HD/BTCTW, 24/9/2018",
        superior_body=_("District standing committee"),
        rating_basis=_("Criterion grades, four levels"),
    ),
    Regime(
        code="2019-2022",
        first_year=2019,
        last_year=2022,
        regulation="Quy định 132-QĐ/TW, 08/3/2018 (khóa XII)",
        guidance="Hướng dẫn 21-HD/BTCTW, 18/10/2019",
        superior_body=_("District standing committee"),
        rating_basis=_("Criterion grades, four levels"),
    ),
    Regime(
        code="2023-2024",
        first_year=2023,
        last_year=2024,
        regulation="Quy định 124-QĐ/TW, 04/10/2023",
        guidance="Hướng dẫn 25-HD/BTCTW, 10/11/2023",
        superior_body=_("District standing committee"),
        rating_basis=_("Criterion grades, four levels"),
    ),
    Regime(
        code="2025+",
        first_year=2025,
        last_year=None,
        regulation="Quy định 366-QĐ/TW, 30/8/2025",
        guidance="Hướng dẫn 43-HD/BTCTW, 31/10/2025",
        superior_body=_("City standing committee"),
        rating_basis=_("100-point scale (90/70/50)"),
    ),
)


def regime_for(year: int) -> Regime | None:
    """The regime that governs reviews of ``year``; None before 2018 (not supported)."""
    for regime in REGIMES:
        if regime.applies_to(year):
            return regime
    return None
