"""E-mail to the people who must act next (sent after commit, in Vietnamese by default)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mass_mail
from django.utils import translation
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission
from viewflow.workflow.status import STATUS

from permissions.models import User
from permissions.roles import review_codename
from review_process.models import Review
from workflows.models import ReviewProcess


def next_actors(review: Review) -> dict[str, list[User]]:
    """For each waiting task of the review, the people who may take it."""
    process = ReviewProcess.objects.filter(review=review).first()
    if process is None:
        return {}
    ct = ContentType.objects.get_for_model(Review)
    result = {}
    for task in process.task_set.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED]):
        names = getattr(task.flow_task, "transitions", ())
        if not names:
            continue
        user_ids = UserObjectPermission.objects.filter(
            content_type=ct,
            object_pk=str(review.pk),
            permission__codename__in=[review_codename(n) for n in names],
        ).values_list("user_id", flat=True)
        result[str(task.flow_task.task_title or task.flow_task.name)] = list(
            User.objects.filter(pk__in=user_ids, is_active=True).order_by("username")
        )
    return result


def notify_next_actors(*, review_id: int, transition: str) -> int:
    review = Review.objects.select_related("organization").get(pk=review_id)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for title, users in next_actors(review).items():
            for user in users:
                if not user.email:
                    continue
                subject = _("[Review %(year)s] %(organization)s: %(task)s") % {
                    "year": review.year,
                    "organization": review.organization.name,
                    "task": title,
                }
                body = _("The review is now at the stage “%(state)s”. Your next step: %(task)s.") % {
                    "state": review.get_state_display(),
                    "task": title,
                }
                messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return len(messages)
