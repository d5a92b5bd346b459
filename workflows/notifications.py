"""E-mail to the people who act next on a review, through the outbox (``workflows.outbox``).

The transition service writes a ``notify_next_actors`` outbox message (payload ``review_id``, ``transition``) in
the transition's transaction; this module is its handler, run when the message is delivered (inline after the
commit, or by a Celery worker). For ``circulate_draft`` the same message also carries the opinion requests
(``workflows.opinion_requests``), so one message covers the event; a person who is both told and asked gets one
e-mail.

Who is told: for each task now waiting, the holders of a role that carries one of the task's transitions
(``permissions.roles.ROLE_ACTIONS``) **in the competent body or the reviewed organisation only**: local roles in
the organisation itself, superior roles in its *direct* superior in the tree of the review's year
(``review_process.grants.ReviewGrantTarget.line_day``).  A superior role held higher up (``roles.above``, e.g. the
city's standing committee over a ward) is never told, although it may cancel or close.  Positions count when
they are valid today (rights to act follow today's positions); inactive accounts and people without an address
are skipped.

One message per person (per address) per event, whatever the number of roles or waiting tasks, rendered for
that person in the site's language (``settings.LANGUAGE_CODE``, Vietnamese) from
``templates/email/next_actors_*.txt`` with a link to the review page (``workflows.links.review_link``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from viewflow.workflow.status import STATUS

from permissions.grants import holders_for_line
from permissions.models import User
from permissions.roles import ABOVE, actions_of
from review_process.grants import ReviewGrantTarget
from review_process.models import Review
from workflows.links import review_link
from workflows.models import ReviewProcess
from workflows.opinion_requests import opinion_request_emails
from workflows.outbox import Email, handler

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


def next_actor_emails(review: Review) -> list[Email]:
    """One e-mail per address to the people who act next, each naming their waiting tasks."""
    emails = []
    with translation.override(settings.LANGUAGE_CODE):
        for recipient in recipients_of(review):
            context = {
                "name": recipient.user.get_full_name(),
                "year": review.year,
                "organization": review.organization.name,
                "state": review.get_state_display(),
                "task": "; ".join(recipient.tasks),
                "url": review_link(review),
            }
            emails.append(
                Email(
                    address=recipient.user.email,
                    subject=render_to_string("email/next_actors_subject.txt", context).strip(),
                    body=render_to_string("email/next_actors_body.txt", context),
                )
            )
    return emails


@handler("notify_next_actors")
def _notify_next_actors(payload: dict) -> list[Email]:
    """The outbox handler: the next actors' e-mails, and after ``circulate_draft`` the opinion requests too."""
    review = Review.objects.select_related("organization").get(pk=payload["review_id"])
    emails = next_actor_emails(review)
    if payload.get("transition") == "circulate_draft":
        told = {email.address.strip().lower() for email in emails}
        emails += [email for email in opinion_request_emails(review) if email.address.strip().lower() not in told]
    return emails


__all__ = ["next_actors", "next_actor_emails", "recipients_of", "review_link"]
