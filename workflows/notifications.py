"""E-mail to the people who act next on a review, sent after the transition commits (inline for now).

Who is told: for each task now waiting, the holders of a role that carries one of the task's transitions
(``permissions.roles.ROLE_ACTIONS``) **in the competent body or the reviewed organisation only**: local roles in
the organisation itself, superior roles in its *direct* superior in the tree of the review's year
(``review_process.grants.ReviewGrantTarget.line_day``).  A superior role held higher up (``roles.above``, e.g. the
city's standing committee over a ward) is never told, although it may cancel or close.  Positions count when
they are valid today (rights to act follow today's positions); inactive accounts and people without an address
are skipped.

One message per person (per address) per event, whatever the number of roles or waiting tasks, rendered for
that person in the site's language (``settings.LANGUAGE_CODE``, Vietnamese) with a link to the review page
(``settings.SITE_URL`` + the page's path; the path alone when SITE_URL is empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from permissions.grants import holders_for_line
from permissions.models import User
from permissions.roles import ABOVE, actions_of
from review_process.grants import ReviewGrantTarget
from review_process.models import Review
from workflows.models import ReviewProcess

WAITING = (STATUS.NEW, STATUS.ASSIGNED)


@dataclass
class Recipient:
    user: User
    tasks: list[str] = field(default_factory=list)


def _acting_holders(review: Review) -> dict[int, set[str]]:
    """Who holds which roles over the review, without the roles held above the direct superior."""
    target = ReviewGrantTarget()
    holders = holders_for_line(review.organization, line_day=target.line_day(review))
    for user_id, roles in target.extra_roles(review).items():
        holders.setdefault(user_id, set()).update(roles)
    return {uid: {r for r in roles if not r.endswith(ABOVE)} for uid, roles in holders.items()}


def next_actors(review: Review) -> dict[str, list[User]]:
    """For each waiting task of the review (by title), the people who act on it (see the module docstring)."""
    process = ReviewProcess.objects.filter(review=review).first()
    if process is None:
        return {}
    holders = None
    result: dict[str, list[User]] = {}
    for task in process.task_set.filter(status__in=WAITING).order_by("pk"):
        names = set(getattr(task.flow_task, "transitions", ()))
        if not names:
            continue
        if holders is None:
            holders = _acting_holders(review)
        user_ids = [uid for uid, roles in holders.items() if any(names & actions_of(role) for role in roles)]
        result[str(task.flow_task.task_title or task.flow_task.name)] = list(
            User.objects.filter(pk__in=user_ids, is_active=True).order_by("username")
        )
    return result


def recipients_of(review: Review) -> list[Recipient]:
    """One recipient per address, with the titles of every task waiting on them."""
    by_address: dict[str, Recipient] = {}
    for title, users in next_actors(review).items():
        for user in users:
            address = (user.email or "").strip().lower()
            if not address:
                continue
            recipient = by_address.setdefault(address, Recipient(user=user))
            if title not in recipient.tasks:
                recipient.tasks.append(title)
    return list(by_address.values())


def review_link(review: Review) -> str:
    path = reverse("review_process:review-detail", args=[review.pk])
    site = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return f"{site}{path}"


def _message(review: Review, recipient: Recipient) -> tuple[str, str, str, list[str]]:
    """The e-mail for one recipient, rendered in the site's language."""
    tasks = "; ".join(recipient.tasks)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Review %(year)s] %(organization)s: %(task)s") % {
            "year": review.year,
            "organization": review.organization.name,
            "task": tasks,
        }
        body = "\n\n".join(
            [
                _("Dear %(name)s,") % {"name": recipient.user.get_full_name()},
                _("The review is now at the stage “%(state)s”. Your next step: %(task)s.")
                % {"state": review.get_state_display(), "task": tasks},
                _("Open the review: %(url)s") % {"url": review_link(review)},
            ]
        )
    return subject, body + "\n", settings.DEFAULT_FROM_EMAIL, [recipient.user.email]


def notify_next_actors(*, review_id: int, transition: str) -> int:
    """Send one e-mail to each person who acts next (after ``transition``); returns the number sent."""
    review = Review.objects.select_related("organization").get(pk=review_id)
    messages = [_message(review, recipient) for recipient in recipients_of(review)]
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return len(messages)
