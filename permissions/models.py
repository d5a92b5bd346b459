"""The directory: people, the organisation tree, and positions (a role held for a period)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.roles import POSITION_ROLES, Role


class User(AbstractUser):
    """A person. ``full_name`` holds the Vietnamese name as written (family name first)."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # The day this person's guardian grants were last derived from their positions (permissions.grants):
    # when a position of theirs has started or ended since, the next check re-derives them first.
    grants_synced_on = models.DateField(null=True, blank=True, editable=False, default=timezone.localdate)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username


def get_anonymous_user_instance(user_model):
    """Guardian's anonymous user row (kept so guardian's checks stay quiet)."""
    return user_model(username="AnonymousUser", full_name="Anonymous")


class OrganizationKind(models.TextChoices):
    CITY = "city", _("City / province")
    DISTRICT = "district", _("District")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    CELL = "cell", _("Party cell")
    OTHER = "other", _("Other")


class Organization(models.Model):
    """A party organisation. ``superior`` is a relation, never a fixed level: districts disappear in 2025.

    ``path`` is a materialised path of primary keys ("/1/4/9/") so that "every organisation below X"
    is one indexed prefix query.  It is maintained by ``permissions.services.organization_save``.
    """

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    superior = models.ForeignKey(
        "self", verbose_name=_("superior"), null=True, blank=True, on_delete=models.PROTECT, related_name="subordinates"
    )
    path = models.CharField(max_length=1000, editable=False, db_index=True, default="")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("The organisation this one was merged into (or that carries on its work) when it ended."),
    )
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="split_into",
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Primary keys of the superiors, nearest last (excluding self)."""
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    @property
    def line_ids(self) -> list[int]:
        """This organisation and its superiors."""
        return [*self.ancestor_ids, self.pk]

    def descendants(self, include_self: bool = False) -> models.QuerySet[Organization]:
        qs = Organization.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def exists_on(self, day: datetime.date) -> bool:
        """Did the organisation exist on ``day`` (its ``valid_from`` .. ``valid_to``, both inclusive)?"""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)

    def exists_during(self, first: datetime.date, last: datetime.date) -> bool:
        """Did the organisation exist on any day from ``first`` to ``last``?"""
        return (self.valid_from is None or self.valid_from <= last) and (
            self.valid_to is None or self.valid_to >= first
        )


class SuperiorPeriod(models.Model):
    """``organization`` reported to ``superior`` from ``valid_from`` to ``valid_to`` (inclusive; open if null).

    An organisation with no periods has always had its ``Organization.superior`` (old directory files).
    ``permissions.tree`` answers "who was the direct superior on a date" from these rows.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="superior_periods")
    superior = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        verbose_name = _("superior period")
        verbose_name_plural = _("superior periods")
        # "Since always" (no start) first on every database: PostgreSQL sorts nulls last unless told.
        ordering = ["organization", models.F("valid_from").asc(nulls_first=True)]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="superior_period_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.code} → {self.superior.code} ({self.valid_from or '…'} – {self.valid_to or '…'})"

    def covers(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)


class PositionQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date | None = None) -> PositionQuerySet:
        day = day or timezone.localdate()
        return self.filter(Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))

    def held_during(self, first: datetime.date, last: datetime.date) -> PositionQuerySet:
        """Positions held on at least one day from ``first`` to ``last`` (both inclusive)."""
        return self.filter(Q(start__lte=last), Q(end__isnull=True) | Q(end__gte=first))

    def held_in_year(self, year: int) -> PositionQuerySet:
        return self.held_during(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


class Position(models.Model):
    """A person holds a role in an organisation from ``start`` to ``end`` (inclusive; open-ended if null)."""

    person = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.PROTECT, related_name="positions")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="positions"
    )
    role = models.CharField(_("role"), max_length=30, choices=[(r.value, r.label) for r in Role if r in POSITION_ROLES])
    title = models.CharField(_("title"), max_length=255, blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["organization__path", "role", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="position_end_after_start",
            ),
        ]
        indexes = [
            # Used by permissions.grants.holders_for_line: active positions in a set of organisations.
            models.Index(fields=["organization", "role"], name="position_org_role"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} — {self.organization.code}"

    def is_active(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.start <= day and (self.end is None or self.end >= day)
