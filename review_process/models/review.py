"""The review: its kinds, ratings, and the state machine of the prescribed sequence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from permissions.models import Organization
from permissions.roles import Action, review_codename
from review_process import guards
from review_process.access import may
from review_process.regimes import Regime, pinned_regime, regime_for


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COLLECTING_OPINIONS = "collecting_opinions", _("Collecting opinions")
    AWAITING_GUIDANCE = "awaiting_guidance", _("Awaiting guidance")
    FINALIZING = "finalizing", _("Finalising")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


S = ReviewState
# States from which a review can still be cancelled ("any state before approved").
CANCELLABLE_STATES = [S.DRAFT, S.COLLECTING_OPINIONS, S.AWAITING_GUIDANCE, S.FINALIZING, S.SUBMITTED]
ACTIVE_STATES = CANCELLABLE_STATES + [S.APPROVED]


class ReviewKind(models.TextChoices):
    COLLECTIVE = "collective", _("Collective review")
    INDIVIDUAL = "individual", _("Individual review of a leader")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (hoàn thành xuất sắc nhiệm vụ)")
    GOOD = "good", _("Good (hoàn thành tốt nhiệm vụ)")
    COMPLETE = "complete", _("Complete (hoàn thành nhiệm vụ)")
    NOT_COMPLETE = "not_complete", _("Not complete (không hoàn thành nhiệm vụ)")


def _day(occurred_on):
    """The day a step happened: as stated, else today (checked by ``review_process.dates`` beforehand)."""
    return occurred_on or timezone.localdate()


def _allowed(action: str):
    """FSM ``permission=`` callable: the caller's object permission plus the guards that depend on them."""

    def check(instance: Review, user) -> bool:
        if not may(user, instance, action):
            return False
        return all(guard.check(instance, user) for guard in guards.USER_GUARDS.get(action, ()))

    check.action = action
    return check


class Review(ConcurrentTransitionMixin, models.Model):
    """A collective review of one organisation for one year.

    ``state`` encodes the prescribed sequence once; it is protected: only the transitions below
    change it, and only ``workflows.services.review_transition`` calls them.
    """

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="reviews"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=ReviewKind.choices, default=ReviewKind.COLLECTIVE)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("subject"),
        help_text=_("The leader reviewed (individual reviews only)."),
    )
    # The regime the review was opened under, and its rules as they were then (review_process.regimes).
    regime_code = models.CharField(_("regime"), max_length=20, blank=True)
    regime_rules = models.JSONField(default=dict, blank=True, editable=False)
    state = FSMField(_("stage"), default=S.DRAFT, choices=S.choices, protected=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The days the steps happened, as the person states them (``occurred_on``; the audit event keeps the time
    # they were recorded). Checked for order by ``review_process.dates``.
    circulated_on = models.DateField(_("circulated on"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-year", "organization__path"]
        constraints = [
            # One live review per organisation, year and kind (a cancelled one does not lock the year) ...
            models.UniqueConstraint(
                fields=["organization", "year", "kind"],
                condition=Q(subject__isnull=True) & ~Q(state="cancelled"),
                name="review_unique_live_org_year_kind",
            ),
            # ... and per leader for individual reviews.
            models.UniqueConstraint(
                fields=["organization", "year", "kind", "subject"],
                condition=Q(subject__isnull=False) & ~Q(state="cancelled"),
                name="review_unique_live_subject",
            ),
        ]
        indexes = [
            # Used by the superior's overview and the bulk compliance audit: reviews of a year by stage.
            models.Index(fields=["year", "state"], name="review_year_state"),
        ]
        default_permissions = ("add", "change", "delete")
        permissions = [(review_codename(a.value), a.label) for a in Action]

    def __str__(self) -> str:
        return f"{self.organization} — {self.year}"

    @property
    def regime(self) -> Regime | None:
        """The pinned regime (the rules the review was opened under); today's for an unpinned review."""
        if self.regime_code:
            return pinned_regime(self.regime_code, self.regime_rules)
        return regime_for(self.year)

    def pin_regime(self, regime: Regime) -> None:
        self.regime_code, self.regime_rules = regime.code, regime.rules()

    # --- The prescribed sequence. Bodies only set fields in memory; the service saves and audits. ---

    @transition(
        field=state,
        source=S.DRAFT,
        target=S.COLLECTING_OPINIONS,
        conditions=[guards.has_draft_report],
        permission=_allowed(Action.CIRCULATE_DRAFT),
    )
    def circulate_draft(self, *, by, reason: str = "", occurred_on=None) -> None:
        self.circulated_on = _day(occurred_on)

    @transition(
        field=state,
        source=S.COLLECTING_OPINIONS,
        target=S.AWAITING_GUIDANCE,
        conditions=[guards.conference_held],
        permission=_allowed(Action.CLOSE_OPINIONS),
    )
    def close_opinions(self, *, by, reason: str = "", occurred_on=None) -> None:
        pass

    @transition(
        field=state,
        source=S.AWAITING_GUIDANCE,
        target=S.FINALIZING,
        conditions=[guards.guidance_recorded],
        permission=_allowed(Action.GIVE_GUIDANCE),
    )
    def give_guidance(self, *, by, reason: str = "", occurred_on=None) -> None:
        pass

    @transition(
        field=state,
        source=S.FINALIZING,
        target=S.SUBMITTED,
        conditions=[guards.opinions_answered, guards.final_report_after_guidance, guards.proposed_rating_set],
        permission=_allowed(Action.SUBMIT_ASSESSMENT),
    )
    def submit_assessment(self, *, by, reason: str = "", occurred_on=None) -> None:
        self.submitted_by = by
        self.submitted_at = timezone.now()
        self.submitted_on = _day(occurred_on)

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.APPROVED,
        conditions=[guards.final_rating_set],
        permission=_allowed(Action.APPROVE),
    )
    def approve(self, *, by, reason: str = "", occurred_on=None) -> None:
        self.approved_by = by
        self.approved_at = timezone.now()
        self.approved_on = _day(occurred_on)

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.FINALIZING,
        permission=_allowed(Action.RETURN_FOR_REVISION),
        custom={"requires_reason": True},
    )
    def return_for_revision(self, *, by, reason: str = "", occurred_on=None) -> None:
        self.submitted_by = None
        self.submitted_at = None
        self.submitted_on = None

    @transition(
        field=state,
        source=S.APPROVED,
        target=S.CLOSED,
        conditions=[guards.notification_recorded, guards.remedial_plan_filed],
        permission=_allowed(Action.CLOSE),
    )
    def close(self, *, by, reason: str = "", occurred_on=None) -> None:
        self.closed_at = timezone.now()
        self.closed_on = _day(occurred_on)

    @transition(
        field=state,
        source=CANCELLABLE_STATES,
        target=S.CANCELLED,
        permission=_allowed(Action.CANCEL),
        custom={"requires_reason": True},
    )
    def cancel(self, *, by, reason: str = "", occurred_on=None) -> None:
        self.cancel_reason = reason

    @transition(
        field=state,
        source=S.DRAFT,
        target=S.CANCELLED,
        permission=_allowed(Action.WITHDRAW),
        custom={"requires_reason": True},
    )
    def withdraw(self, *, by, reason: str = "", occurred_on=None) -> None:
        """The person who opened the review withdraws it while it is a draft (opened by mistake)."""
        self.cancel_reason = reason


#: Every transition of the state machine, in declaration order, read from the class (never restated).
#: ``review_process.machine`` derives everything else (main sequence, stage order, side exits) from it.
TRANSITION_NAMES: tuple[str, ...] = tuple(name for name, attr in vars(Review).items() if hasattr(attr, "_django_fsm"))
