"""The secret-ballot tally of an individual review (biên bản kiểm phiếu): counts only, never who voted how."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from review_process.models.review import Review


class Ballot(models.Model):
    """Counts of the secret ballot on a leader's rating (QĐ 89 Bước 3: "bỏ phiếu kín xếp loại").

    ``cast <= eligible`` and the four levels plus ``invalid`` add up to ``cast`` (review_process.ratings.
    ballot_error). ``counting_board`` lists the vote-counting board's members as written in the minutes."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="ballot")
    eligible = models.PositiveIntegerField(_("eligible voters"))
    cast = models.PositiveIntegerField(_("ballots cast"))
    excellent = models.PositiveIntegerField(_("excellent"))
    good = models.PositiveIntegerField(_("good"))
    complete = models.PositiveIntegerField(_("complete"))
    not_complete = models.PositiveIntegerField(_("not complete"))
    invalid = models.PositiveIntegerField(_("invalid ballots"))
    counting_board = models.JSONField(_("vote-counting board"), default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ballot tally")
        verbose_name_plural = _("ballot tallies")

    def counts(self) -> dict[str, int]:
        return {
            name: getattr(self, name)
            for name in ("eligible", "cast", "excellent", "good", "complete", "not_complete", "invalid")
        }
