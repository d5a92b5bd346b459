"""The viewflow process of a review: a multi-table subclass with a real foreign key to the review."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from review_process.models import Review


class ReviewProcess(Process):
    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="process")

    class Meta:
        verbose_name = _("review process")
        verbose_name_plural = _("review processes")
        ordering = ["-created"]

    @property
    def brief(self) -> str:
        return str(self.review)
