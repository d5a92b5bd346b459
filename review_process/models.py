"""The review and the records its stages produce."""

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
from review_process.regimes import regime_for


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


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (hoàn thành xuất sắc nhiệm vụ)")
    GOOD = "good", _("Good (hoàn thành tốt nhiệm vụ)")
    COMPLETE = "complete", _("Complete (hoàn thành nhiệm vụ)")
    NOT_COMPLETE = "not_complete", _("Not complete (không hoàn thành nhiệm vụ)")


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
    cancel_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "kind"], name="review_unique_org_year_kind"),
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
    def regime(self):
        return regime_for(self.year)

    # --- The prescribed sequence. Bodies only set fields in memory; the service saves and audits. ---

    @transition(
        field=state,
        source=S.DRAFT,
        target=S.COLLECTING_OPINIONS,
        conditions=[guards.has_draft_report],
        permission=_allowed(Action.CIRCULATE_DRAFT),
    )
    def circulate_draft(self, *, by, reason: str = "") -> None:
        pass

    @transition(
        field=state,
        source=S.COLLECTING_OPINIONS,
        target=S.AWAITING_GUIDANCE,
        conditions=[guards.conference_held],
        permission=_allowed(Action.CLOSE_OPINIONS),
    )
    def close_opinions(self, *, by, reason: str = "") -> None:
        pass

    @transition(
        field=state,
        source=S.AWAITING_GUIDANCE,
        target=S.FINALIZING,
        conditions=[guards.guidance_recorded],
        permission=_allowed(Action.GIVE_GUIDANCE),
    )
    def give_guidance(self, *, by, reason: str = "") -> None:
        pass

    @transition(
        field=state,
        source=S.FINALIZING,
        target=S.SUBMITTED,
        conditions=[guards.opinions_answered, guards.final_report_after_guidance, guards.proposed_rating_set],
        permission=_allowed(Action.SUBMIT_ASSESSMENT),
    )
    def submit_assessment(self, *, by, reason: str = "") -> None:
        self.submitted_by = by
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.APPROVED,
        conditions=[guards.final_rating_set],
        permission=_allowed(Action.APPROVE),
    )
    def approve(self, *, by, reason: str = "") -> None:
        self.approved_by = by
        self.approved_at = timezone.now()

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.FINALIZING,
        permission=_allowed(Action.RETURN_FOR_REVISION),
        custom={"requires_reason": True},
    )
    def return_for_revision(self, *, by, reason: str = "") -> None:
        self.submitted_by = None
        self.submitted_at = None

    @transition(
        field=state,
        source=S.APPROVED,
        target=S.CLOSED,
        conditions=[guards.notification_recorded],
        permission=_allowed(Action.CLOSE),
    )
    def close(self, *, by, reason: str = "") -> None:
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=CANCELLABLE_STATES,
        target=S.CANCELLED,
        permission=_allowed(Action.CANCEL),
        custom={"requires_reason": True},
    )
    def cancel(self, *, by, reason: str = "") -> None:
        self.cancel_reason = reason


#: Every transition of the state machine, in declaration order, read from the class (never restated).
#: ``review_process.machine`` derives everything else (main sequence, stage order, side exits) from it.
TRANSITION_NAMES: tuple[str, ...] = tuple(name for name, attr in vars(Review).items() if hasattr(attr, "_django_fsm"))


class ReviewParticipant(models.Model):
    """A person the secretary invited to read the draft and give opinions on this review."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="participants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "person"], name="participant_unique")]


class ReportVersion(models.Model):
    """A version of the collective report: the first is the draft; one marked final is the finalised report."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="report_versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    is_final = models.BooleanField(_("final version"), default=False)
    attachment = models.FileField(_("attachment"), upload_to="reports/%Y/", blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["review", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="report_version_unique_number")]

    @property
    def label(self) -> str:
        if self.is_final:
            return str(_("Final version"))
        return str(_("Draft")) if self.number == 1 else str(_("Revision %(n)s") % {"n": self.number})


class OpinionChannel(models.TextChoices):
    WRITTEN = "written", _("Written, before the conference")
    CONFERENCE = "conference", _("Spoken at the conference")


class Opinion(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="opinions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=20, choices=OpinionChannel.choices)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "created_at", "pk"]


class ResponseDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    EXPLAINED = "explained", _("Explained")


class OpinionResponse(models.Model):
    opinion = models.OneToOneField(Opinion, on_delete=models.PROTECT, related_name="response")
    decision = models.CharField(_("decision"), max_length=20, choices=ResponseDecision.choices)
    note = models.TextField(_("note"), blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(default=timezone.now)


class Conference(models.Model):
    """The review conference (hội nghị kiểm điểm)."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="conference")
    held_at = models.DateTimeField(_("held at"))
    location = models.CharField(_("place"), max_length=255)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chair"),
    )
    superior_representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("superior representatives")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def is_held(self) -> bool:
        return self.held_at <= timezone.now()


class Attendance(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("present"), default=True)
    reason = models.CharField(_("reason for absence"), max_length=255, blank=True)

    class Meta:
        ordering = ["conference", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "person"], name="attendance_unique_person"),
            models.CheckConstraint(condition=Q(present=True) | ~Q(reason=""), name="attendance_absence_has_reason"),
        ]


class Guidance(models.Model):
    """Guidance (ý kiến chỉ đạo) from the superior's representative."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="guidance")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "created_at", "pk"]


class SelfAssessment(models.Model):
    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="self_assessment")
    proposed_rating = models.CharField(_("proposed rating"), max_length=20, choices=Rating.choices)
    justification = models.TextField(_("justification"), blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)


class Decision(models.Model):
    """The competent superior body's rating decision."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="decision")
    final_rating = models.CharField(_("final rating"), max_length=20, choices=Rating.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)


class Notification(models.Model):
    """The notification of results to the rated organisation."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="notification")
    notified_on = models.DateField(_("notified on"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)


class RemedialPlan(models.Model):
    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="remedial_plan")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)


class RemedialItem(models.Model):
    plan = models.ForeignKey(RemedialPlan, on_delete=models.CASCADE, related_name="items")
    description = models.TextField(_("shortcoming and measure"))
    owner = models.CharField(_("owner"), max_length=255)
    due_date = models.DateField(_("due date"))

    class Meta:
        ordering = ["plan", "due_date", "pk"]


class AuditEvent(models.Model):
    """An append-only record of one action on a review (hash-chained; see review_process.audit).

    Changes to the directory (organisations, dated superiors, positions) are events too: they have no
    review and form the directory's own chain, anchored in the global chain like every review's."""

    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events")
    sequence = models.PositiveIntegerField()
    global_sequence = models.PositiveBigIntegerField(unique=True)
    action = models.CharField(max_length=100)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=30, blank=True)
    occurred_at = models.DateTimeField()
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    chain_prev_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["review", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["review", "sequence"], name="audit_event_unique_sequence"),
            models.UniqueConstraint(
                fields=["sequence"], condition=Q(review__isnull=True), name="audit_event_unique_directory_sequence"
            ),
        ]


class AuditChainHead(models.Model):
    """The head of the chain over all reviews; locked while an event is appended (one row, pk=1)."""

    global_sequence = models.PositiveBigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default="0" * 64)
