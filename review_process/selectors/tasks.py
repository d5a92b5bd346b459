"""What each person is asked to do now, for the home page: ``tasks_for(user, today) -> list[Task]``.

Three kinds of task, each read from the role table (``permissions.roles.ROLE_ACTIONS``, through the person's
object permissions, the index derived from it) and from what the review still lacks:

* ``give_opinion``: a review collecting opinions on which the person may give one, as a member of the
  organisation's committee (a local role that gives opinions) or as an invited participant whose invitation
  was not revoked, and has not given one yet.  Due on the conference's day when it is recorded, else on the
  day of circulation plus the regime's draft-notice days (the earliest day the conference may be held).
* ``record_notification``: an approved review without its notification, for the organisation board of the
  reviewed organisation's *direct* superior (in the tree of the review's year; a board higher up may record it
  too, but is not asked).  Due ``notify_days`` of the review's regime after the approval (the day the
  compliance report judges, ``REVIEW_NOTIFY_DAYS``).
* ``file_remedial_plan``: an approved review without a remedial plan, for whoever may file it (the secretary).
  Due ``REMEDIAL_PLAN_DUE_DAYS`` after the approval (an assumption: no text found fixes it; default 30).

A task is ``overdue`` when its due day is before ``today``.  A constant number of queries, whatever the number
of reviews (at most six).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, IntegerField, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone
from guardian.models import UserObjectPermission

from permissions.grants import refresh_if_stale
from permissions.models import Position, SuperiorPeriod
from permissions.roles import LOCAL_ROLES, ROLE_ACTIONS, SUPERIOR_ROLES, Action, review_codename
from permissions.tree import reference_day
from review_process.models import Notification, Opinion, RemedialPlan, Review, ReviewParticipant, ReviewState

GIVE_OPINION = "give_opinion"
RECORD_NOTIFICATION = "record_notification"
FILE_REMEDIAL_PLAN = "file_remedial_plan"

#: Which action each kind of task is, and at which stage it arises.
TASK_ACTIONS = {
    GIVE_OPINION: (Action.ADD_OPINION, ReviewState.COLLECTING_OPINIONS),
    RECORD_NOTIFICATION: (Action.RECORD_NOTIFICATION, ReviewState.APPROVED),
    FILE_REMEDIAL_PLAN: (Action.SET_REMEDIAL_PLAN, ReviewState.APPROVED),
}

#: Committee roles of the organisation that give opinions (read from the role table, never listed).
OPINION_ROLES = frozenset(role for role in LOCAL_ROLES if Action.ADD_OPINION in ROLE_ACTIONS[role])
#: Superior roles asked to record the notification (the direct superior's organisation board).
NOTIFICATION_ROLES = frozenset(role for role in SUPERIOR_ROLES if Action.RECORD_NOTIFICATION in ROLE_ACTIONS[role])


@dataclass(frozen=True)
class Task:
    kind: str  # GIVE_OPINION, RECORD_NOTIFICATION or FILE_REMEDIAL_PLAN
    review: Review
    due: datetime.date | None
    overdue: bool


def remedial_plan_due_days() -> int:
    return int(getattr(settings, "REMEDIAL_PLAN_DUE_DAYS", 30))


def _approved_on(review: Review) -> datetime.date | None:
    if review.approved_on is not None:
        return review.approved_on
    return timezone.localdate(review.approved_at) if review.approved_at else None


def opinion_due(review: Review) -> datetime.date | None:
    """The conference's day when it is recorded, else circulation + the regime's draft-notice days."""
    conference = getattr(review, "conference", None) if _has_conference(review) else None
    if conference is not None:
        return timezone.localtime(conference.held_at).date()
    if review.circulated_on is None or review.regime is None:
        return None
    return review.circulated_on + datetime.timedelta(days=review.regime.draft_notice_days)


def notification_due(review: Review) -> datetime.date | None:
    approved = _approved_on(review)
    if approved is None or review.regime is None:
        return None
    return approved + datetime.timedelta(days=review.regime.notify_days)


def remedial_plan_due(review: Review) -> datetime.date | None:
    approved = _approved_on(review)
    return None if approved is None else approved + datetime.timedelta(days=remedial_plan_due_days())


DUE = {GIVE_OPINION: opinion_due, RECORD_NOTIFICATION: notification_due, FILE_REMEDIAL_PLAN: remedial_plan_due}


def _has_conference(review: Review) -> bool:
    try:
        review.conference  # noqa: B018
    except Review.conference.RelatedObjectDoesNotExist:
        return False
    return True


def _holds(user, action: str) -> Exists:
    """Does ``user`` hold ``action`` on the review (their object permission, guardian's index)?"""
    return Exists(
        UserObjectPermission.objects.filter(
            user_id=user.pk,
            content_type=ContentType.objects.get_by_natural_key("review_process", "review"),
            permission__codename=review_codename(action),
            object_pk=Cast(OuterRef("pk"), CharField()),
        )
    )


def _direct_superior_ids(reviews: list[Review]) -> dict[int, int | None]:
    """Review pk -> its organisation's direct superior in the tree of the review's year (one query)."""
    periods: dict[int, list[SuperiorPeriod]] = {}
    for period in SuperiorPeriod.objects.filter(organization_id__in={r.organization_id for r in reviews}):
        periods.setdefault(period.organization_id, []).append(period)
    result = {}
    for review in reviews:
        own = periods.get(review.organization_id)
        if not own:
            result[review.pk] = review.organization.superior_id
            continue
        day = reference_day(review.year, review.organization)
        result[review.pk] = next((p.superior_id for p in own if p.covers(day)), None)
    return result


def _task(kind: str, review: Review, today: datetime.date) -> Task:
    due = DUE[kind](review)
    return Task(kind=kind, review=review, due=due, overdue=due is not None and due < today)


def tasks_for(user, today: datetime.date | None = None) -> list[Task]:
    """The tasks of ``user`` (see the module's docstring), the most urgent first (no due day last)."""
    if not user.is_authenticated or not user.is_active:
        return []
    today = today or timezone.localdate()
    refresh_if_stale(user)
    positions = list(
        Position.objects.active_on(today)
        .filter(person_id=user.pk)
        .filter(Q(role__in=OPINION_ROLES) | Q(role__in=NOTIFICATION_ROLES))
        .values_list("organization_id", "role")
    )
    committee_of = {org for org, role in positions if role in OPINION_ROLES}
    board_of = {org for org, role in positions if role in NOTIFICATION_ROLES}
    # Everything but the direct superior (a question of the dated tree) is asked of the database.
    invited = Exists(ReviewParticipant.objects.active().filter(review=OuterRef("pk"), person_id=user.pk))
    notified = Exists(Notification.objects.filter(review=OuterRef("pk")))
    planned = Exists(RemedialPlan.objects.filter(review=OuterRef("pk")))
    opinion = Q(state=ReviewState.COLLECTING_OPINIONS, may_give_opinion=True, my_opinion=False) & (
        Q(organization_id__in=committee_of) | Q(invited=True)
    )
    # The notification is asked of the direct superior's board: a board that is (or was, by a dated period) the
    # organisation's superior here; the tree of the review's year decides below.
    below_board = Q(organization__superior_id__in=board_of) | Q(
        pk__in=Review.objects.filter(organization__superior_periods__superior_id__in=board_of).values("pk")
    )
    approved = Q(state=ReviewState.APPROVED) & (
        (Q(may_record_notification=True, notified=False) & below_board) | Q(may_file_plan=True, planned=False)
    )
    # Started from the person's own permissions of these three kinds (few for most people), not from every review.
    granted = UserObjectPermission.objects.filter(
        user_id=user.pk,
        content_type=ContentType.objects.get_by_natural_key("review_process", "review"),
        permission__codename__in=[review_codename(action) for action, _state in TASK_ACTIONS.values()],
    ).annotate(key=Cast("object_pk", IntegerField()))
    reviews = list(
        Review.objects.filter(pk__in=granted.values("key"))
        .annotate(
            may_give_opinion=_holds(user, Action.ADD_OPINION),
            may_record_notification=_holds(user, Action.RECORD_NOTIFICATION),
            may_file_plan=_holds(user, Action.SET_REMEDIAL_PLAN),
            my_opinion=Exists(Opinion.objects.filter(review=OuterRef("pk"), author_id=user.pk)),
            invited=invited,
            notified=notified,
            planned=planned,
        )
        .filter(opinion | approved)
        .select_related("organization", "conference", "subject")
        .order_by("year", "organization__path", "pk")
    )
    if not reviews:
        return []
    approved = [r for r in reviews if r.state == ReviewState.APPROVED]
    superiors = _direct_superior_ids(approved) if approved and board_of else {}

    tasks = []
    for review in reviews:
        if review.state == ReviewState.COLLECTING_OPINIONS:
            tasks.append(_task(GIVE_OPINION, review, today))
            continue
        if review.may_record_notification and not review.notified and superiors.get(review.pk) in board_of:
            tasks.append(_task(RECORD_NOTIFICATION, review, today))
        if review.may_file_plan and not review.planned:
            tasks.append(_task(FILE_REMEDIAL_PLAN, review, today))
    return sorted(tasks, key=lambda t: (t.due is None, t.due or today, t.review.pk, t.kind))
