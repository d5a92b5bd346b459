"""The records a review's stages produce: participants, report versions, opinions and responses, the
conference and its attendance, guidance, the self-assessment, the decision, the notification and the remedial
plan."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from review_process.attachments import attachment_upload_to, private_storage
from review_process.models.review import Rating, Review


class ParticipantQuerySet(models.QuerySet):
    def active(self) -> ParticipantQuerySet:
        """Invitations not revoked (a revoked participant keeps the row, not the access)."""
        return self.filter(revoked_at__isnull=True)


class ReviewParticipant(models.Model):
    """A person the secretary invited to read the draft and give opinions on this review.

    Revoking keeps the row (``revoked_at``, ``revoked_by``, ``revoke_reason``); inviting again restores it."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="participants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "person"], name="participant_unique")]


class ReportVersion(models.Model):
    """A version of the collective report: the first is the draft; one marked final is the finalised report."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="report_versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    is_final = models.BooleanField(_("final version"), default=False)
    # Private: no public URL; served by the review's attachment view (review_process.attachments).
    attachment = models.FileField(_("attachment"), upload_to=attachment_upload_to, storage=private_storage, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The day it happened, as the person states it (default today; checked by ``review_process.dates``).
    occurred_on = models.DateField(_("occurred on"), default=timezone.localdate)

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
    # Individual reviews of leaders: the written comment of the party committee where they reside (QĐ 89 III.2.2).
    RESIDENCE = "residence", _("Written comment of the residence party committee")


class Opinion(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="opinions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=20, choices=OpinionChannel.choices)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(default=timezone.now)
    # The day it happened, as the person states it (default today; checked by ``review_process.dates``).
    occurred_on = models.DateField(_("occurred on"), default=timezone.localdate)

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
    # The day it happened, as the person states it (default today; checked by ``review_process.dates``).
    occurred_on = models.DateField(_("occurred on"), default=timezone.localdate)


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
    # What the minutes may say about themselves, only as recorded (blank: not recorded, never invented).
    minutes_secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("secretary of the conference"),
    )
    minutes_approved = models.BooleanField(_("minutes approved at the conference"), null=True, blank=True)
    minutes_approval = models.CharField(
        _("how the minutes were approved"),
        max_length=255,
        blank=True,
        help_text=_("For example: by show of hands, 15 of 15."),
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


class GuidanceQuerySet(models.QuerySet):
    def live(self) -> GuidanceQuerySet:
        """Guidance not withdrawn: what the guards, the documents and the compliance rules count."""
        return self.filter(withdrawn_at__isnull=True)


class Guidance(models.Model):
    """Guidance (ý kiến chỉ đạo) from the superior's representative.

    Its author may correct or withdraw it until it is confirmed (``give_guidance``); a withdrawn guidance keeps
    its row (``withdrawn_at``, ``withdrawn_by``, ``withdraw_reason``) and no longer counts (``live()``)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="guidance")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(default=timezone.now)
    # The day it happened, as the person states it (default today; checked by ``review_process.dates``).
    occurred_on = models.DateField(_("occurred on"), default=timezone.localdate)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True)

    objects = GuidanceQuerySet.as_manager()

    class Meta:
        ordering = ["review", "created_at", "pk"]


class SelfAssessment(models.Model):
    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="self_assessment")
    proposed_rating = models.CharField(_("proposed rating"), max_length=20, choices=Rating.choices)
    # From 2025 (the 100-point scale) the score the rating follows; None before (review_process.ratings).
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    # Grounds found that force "not complete" (review_process.regimes.Trigger codes).
    triggers = models.JSONField(_("grounds for not complete"), default=list, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)


class Decision(models.Model):
    """The competent superior body's rating decision, taken by a vote of its members.

    ``vote`` is the tally {"members", "present", "for", "against", "abstain"}; the decision is valid only when
    more than half of the members voted for it (review_process.ratings.vote_error).  ``reason`` is required when
    the final rating is below the proposed one."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="decision")
    final_rating = models.CharField(_("final rating"), max_length=20, choices=Rating.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    triggers = models.JSONField(_("grounds for not complete"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    vote = models.JSONField(_("vote"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    # The day it happened, as the person states it (default today; checked by ``review_process.dates``).
    occurred_on = models.DateField(_("occurred on"), default=timezone.localdate)
    # Set when the decision was taken in a rating round (review_process.services.rounds).
    rating_round = models.ForeignKey(
        "review_process.RatingRound", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )


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
    # The day it happened, as the person states it (default today; checked by ``review_process.dates``).
    occurred_on = models.DateField(_("occurred on"), default=timezone.localdate)


class RemedialItem(models.Model):
    plan = models.ForeignKey(RemedialPlan, on_delete=models.CASCADE, related_name="items")
    description = models.TextField(_("shortcoming and measure"))
    owner = models.CharField(_("owner"), max_length=255)
    due_date = models.DateField(_("due date"))

    class Meta:
        ordering = ["plan", "due_date", "pk"]
