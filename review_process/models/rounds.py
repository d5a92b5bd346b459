"""Rating rounds: the competent body rates many organisations or members at once (domain-rules.md §4, §5).

A round belongs to its **rating body** (``organization``) and a year, rates one ``subject`` ("organizations":
the body's direct subordinates; "members": records of the round, not logins; "leaders") and is **pinned** to
the regime of its year when opened (``regime_code`` / ``regime_rules``, like ``Review.pin_regime``), so the
quota scope it is checked against never changes afterwards.

States: ``open`` (entries may be upserted) -> ``decided`` (by a vote; immutable from then on) -> ``superseded``
(a correction round that ``supersedes`` it was decided).  At most one round per body, year and subject is open
at a time (database constraint).  The rules are ``review_process.services.rounds``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.models import Organization
from review_process.models.review import Rating
from review_process.regimes import Regime, pinned_regime


class RoundSubject(models.TextChoices):
    ORGANIZATIONS = "organizations", _("Subordinate organisations")
    MEMBERS = "members", _("Party members")
    LEADERS = "leaders", _("Leaders")


class RoundState(models.TextChoices):
    OPEN = "open", _("Open")
    DECIDED = "decided", _("Decided")
    SUPERSEDED = "superseded", _("Superseded")


class RatingRound(models.Model):
    """One rating round of a body for a year and a subject."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("rating body"), on_delete=models.PROTECT, related_name="rating_rounds"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    subject = models.CharField(_("rated"), max_length=20, choices=RoundSubject.choices)
    regime_code = models.CharField(_("regime"), max_length=20)
    regime_rules = models.JSONField(default=dict, blank=True, editable=False)
    state = models.CharField(_("state"), max_length=20, choices=RoundState.choices, default=RoundState.OPEN)
    vote = models.JSONField(_("vote"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    supersede_reason = models.TextField(_("reason for the correction"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating round")
        verbose_name_plural = _("rating rounds")
        ordering = ["-year", "organization__path", "subject", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "subject"],
                condition=Q(state="open"),
                name="rating_round_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.year} — {self.get_subject_display()}"

    @property
    def regime(self) -> Regime | None:
        return pinned_regime(self.regime_code, self.regime_rules)

    def pin_regime(self, regime: Regime) -> None:
        self.regime_code, self.regime_rules = regime.code, regime.rules()

    @property
    def quota_scope(self) -> str | None:
        regime = self.regime
        return regime.quota_scope(self.subject) if regime else None


class RatingEntry(models.Model):
    """One rated organisation or member of a round, upserted by ``key`` (an organisation code for subject
    "organizations"; any identifier the body uses for members and leaders)."""

    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="entries")
    key = models.CharField(_("key"), max_length=100)
    name = models.CharField(_("name"), max_length=255, blank=True)
    group = models.CharField(_("group"), max_length=255, blank=True)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposed_rating = models.CharField(_("proposed rating"), max_length=20, choices=Rating.choices, blank=True)
    final_rating = models.CharField(_("final rating"), max_length=20, choices=Rating.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rating entry")
        verbose_name_plural = _("rating entries")
        ordering = ["round", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="rating_entry_unique_key")]

    def __str__(self) -> str:
        return f"{self.key} — {self.final_rating or self.proposed_rating or '?'}"
