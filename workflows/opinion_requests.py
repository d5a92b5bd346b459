"""Everybody who must give an opinion is asked (issue 13, item 3): the e-mails sent when a draft is circulated.

Who: the people who hold, today, a position **in the reviewed organisation** whose role gives opinions
(``Action.ADD_OPINION`` in ``permissions.roles.ROLE_ACTIONS``: the deputy secretaries and the committee members;
the secretary, who wrote the draft, is not asked), and every invited participant whose invitation is not revoked.
Inactive accounts and people without an address are skipped; one e-mail per address, however many of these
someone is.

By when: the conference's date when it is recorded; otherwise the day the draft was circulated plus the regime's
draft notice days (``Regime.draft_notice_days``: the draft reaches people at least that many days before the
conference, domain-rules.md §2).

The e-mails go through the outbox: the ``notify_next_actors`` message of ``circulate_draft`` carries them
(``workflows.notifications``), and a message of kind ``opinion_requested`` (payload ``review_id``) sends them
alone; with ``person_id`` too, only to that person (a participant invited after circulation:
``workflows.invitations``). Rendered in the site's language from ``templates/email/opinion_requested_*.txt``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from permissions.models import Position, User
from review_process.models import Review, ReviewParticipant
from review_process.selectors.tasks import OPINION_ROLES, opinion_due
from workflows.links import review_link
from workflows.outbox import Email, handler


def opinion_givers(review: Review) -> list[User]:
    """Who is asked for an opinion on ``review`` (see the module docstring), by username."""
    members = Position.objects.active_on().filter(organization_id=review.organization_id, role__in=OPINION_ROLES)
    invited = ReviewParticipant.objects.active().filter(review=review)
    return list(
        User.objects.filter(pk__in=members.values("person_id"))
        .union(User.objects.filter(pk__in=invited.values("person_id")))
        .order_by("username")
    )


def opinion_deadline(review: Review) -> datetime.date:
    """The date the home page's task shows (``review_process.selectors.tasks.opinion_due``: the conference's day if
    recorded, else the circulation day plus the regime's notice days); from today when circulation is not dated."""
    due = opinion_due(review)
    if due is None:
        return timezone.localdate() + datetime.timedelta(days=review.regime.draft_notice_days)
    return due


def opinion_request_emails(review: Review, *, only: int | None = None) -> list[Email]:
    """One e-mail per address to each person asked for an opinion, in the site's language (``only``: to that
    person alone, if they are asked)."""
    deadline = opinion_deadline(review)
    emails: dict[str, Email] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for user in opinion_givers(review):
            if only is not None and user.pk != only:
                continue
            address = (user.email or "").strip().lower()
            if not user.is_active or not address or address in emails:
                continue
            context = {
                "name": user.get_full_name(),
                "year": review.year,
                "organization": review.organization.name,
                "deadline": formats.date_format(deadline, "d/m/Y"),
                "url": review_link(review),
            }
            emails[address] = Email(
                address=user.email,
                subject=render_to_string("email/opinion_requested_subject.txt", context).strip(),
                body=render_to_string("email/opinion_requested_body.txt", context),
            )
    return list(emails.values())


@handler("opinion_requested")
def _opinion_requested(payload: dict) -> list[Email]:
    review = Review.objects.select_related("organization").get(pk=payload["review_id"])
    return opinion_request_emails(review, only=payload.get("person_id"))
