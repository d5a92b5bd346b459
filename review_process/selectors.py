"""Reads: which reviews a person may see, what they may do now, what the deadlines are."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm
from guardian.shortcuts import get_objects_for_user

from permissions import grants
from permissions.models import Organization
from permissions.roles import ROLE_ACTIONS, Role, review_codename
from review_process.access import may_view
from review_process.errors import NotFound
from review_process.models import TRANSITION_NAMES, Review, ReviewState

VIEW_PERM = f"review_process.{review_codename('view')}"


class ReviewGrantTarget:
    """How guardian grants are derived for reviews (see permissions.grants)."""

    model = Review

    def objects_in(self, organizations: QuerySet[Organization]) -> QuerySet[Review]:
        return Review.objects.filter(organization__in=organizations)

    def organization_of(self, obj: Review) -> Organization:
        return obj.organization

    def extra_roles(self, obj: Review) -> grants.RolesByUser:
        return {pid: {Role.PARTICIPANT} for pid in obj.participants.values_list("person_id", flat=True)}

    def codename(self, action: str) -> str:
        return review_codename(action)


def reviews_visible_to(*, user) -> QuerySet[Review]:
    """Every review ``user`` may see: strictly by object permission, never by a model-wide grant."""
    if not user.is_authenticated:
        return Review.objects.none()
    return get_objects_for_user(
        user, VIEW_PERM, klass=Review.objects.select_related("organization"), accept_global_perms=False
    )


def review_get_for_user(*, user, review_id) -> Review:
    """The review, or NotFound when it does not exist or ``user`` may not see it (never reveal which)."""
    try:
        review = Review.objects.select_related("organization").get(pk=int(review_id))
    except (Review.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None
    if not may_view(user, review):
        raise NotFound()
    return review


def acting_role(*, user, review: Review, action: str) -> str:
    """The role under which ``user`` takes ``action`` on ``review`` (recorded in the audit trail)."""
    extra = ReviewGrantTarget().extra_roles(review)
    roles = grants.roles_of(user.pk, review.organization, extra)
    for role in Role:
        if role in roles and action in ROLE_ACTIONS[role]:
            return role.value
    return "superuser" if user.is_superuser else ""


def available_transitions(*, review: Review, user) -> list[str]:
    """Names of the transitions ``user`` may run now (state, guards and role all allow it)."""
    return [name for name in TRANSITION_NAMES if has_transition_perm(getattr(review, name), user)]


def review_deadlines(review: Review) -> dict[str, datetime.date | None]:
    """Deadlines by the review's regime and the configured working rules (domain-rules.md §2)."""
    regime = review.regime
    if regime is None:
        return {}
    conference_by = regime.conference_deadline(review.year)
    conference = getattr(review, "conference", None) if _has_conference(review) else None
    held_on = conference.held_at.date() if conference else None
    finalize_from = held_on or conference_by
    return {
        "circulate_draft_by": conference_by - datetime.timedelta(days=regime.draft_notice_days),
        "conference_by": conference_by,
        "submit_assessment_by": finalize_from + datetime.timedelta(days=settings.REVIEW_FINALIZE_DAYS),
        "notify_by": None
        if review.approved_at is None
        else review.approved_at.date() + datetime.timedelta(days=settings.REVIEW_NOTIFY_DAYS),
    }


def _has_conference(review: Review) -> bool:
    try:
        review.conference  # noqa: B018
    except Review.conference.RelatedObjectDoesNotExist:
        return False
    return True


STAGE_ORDER = [
    ReviewState.DRAFT,
    ReviewState.COLLECTING_OPINIONS,
    ReviewState.AWAITING_GUIDANCE,
    ReviewState.FINALIZING,
    ReviewState.SUBMITTED,
    ReviewState.APPROVED,
    ReviewState.CLOSED,
]


def stage_label(state: str) -> str:
    return str(ReviewState(state).label) if state in ReviewState.values else _("Unknown")


# --- Reads for the web pages (added with the web interface; the functions above are unchanged). ---

# Transitions of the prescribed sequence, in order; ``return_for_revision`` and ``cancel`` are side exits.
MAIN_TRANSITIONS = tuple(n for n in TRANSITION_NAMES if n not in ("return_for_revision", "cancel"))

# The deadline that applies while a review sits at a stage (keys of ``review_deadlines``).
DEADLINE_BY_STATE = {
    ReviewState.DRAFT: "circulate_draft_by",
    ReviewState.COLLECTING_OPINIONS: "conference_by",
    ReviewState.AWAITING_GUIDANCE: "submit_assessment_by",
    ReviewState.FINALIZING: "submit_assessment_by",
    ReviewState.APPROVED: "notify_by",
}


def _deadline_labels() -> dict[str, str]:
    from django.utils.translation import gettext_lazy

    return {
        "circulate_draft_by": gettext_lazy("Circulate the draft by"),
        "conference_by": gettext_lazy("Hold the conference by"),
        "submit_assessment_by": gettext_lazy("Submit the final report by"),
        "notify_by": gettext_lazy("Notify the results by"),
    }


def deadline_label(key: str) -> str:
    return str(_deadline_labels().get(key, key))


def transition_from(*, review: Review, name: str):
    """django-fsm-2's transition ``name`` out of the review's current state, or None."""
    return getattr(Review, name)._django_fsm.get_transition(review.state)


def next_transition_from(state: str) -> str | None:
    """The transition of the prescribed sequence that leads out of stage ``state`` (None at the end)."""
    for name in MAIN_TRANSITIONS:
        if getattr(Review, name)._django_fsm.get_transition(state) is not None:
            return name
    return None


def next_transition(review: Review) -> str | None:
    return next_transition_from(review.state)


def transition_requires_reason(*, review: Review, name: str) -> bool:
    transition = transition_from(review=review, name=name)
    return bool(transition is not None and (transition.custom or {}).get("requires_reason"))


def transition_blockers(*, review: Review, name: str, user=None) -> list:
    """The guards that stop ``name`` now (with their translated messages); [] when nothing blocks it.

    Evaluates the same guards as ``services.reviews.transition_check``; ``user`` adds the guards that
    depend on who acts (separation of duties).
    """
    from review_process import guards

    transition = transition_from(review=review, name=name)
    if transition is None:
        return []
    failed = [g for g in transition.conditions if not g.check(review)]
    if user is not None:
        failed += [g for g in guards.USER_GUARDS.get(name, ()) if not g.check(review, user)]
    return failed


def transitions_open_to(*, review: Review, user) -> list[str]:
    """Transitions the review's stage allows and ``user``'s role permits (guards aside: see transition_blockers)."""
    from review_process.access import may

    return [
        name
        for name in TRANSITION_NAMES
        if transition_from(review=review, name=name) is not None and may(user, review, name)
    ]


def record_actions_open_to(*, review: Review, user) -> frozenset[str]:
    """Record actions (report version, opinion, conference …) ``user`` may take at the review's stage."""
    from review_process.access import may
    from review_process.services.records import RECORD_STATES

    return frozenset(
        action for action, states in RECORD_STATES.items() if review.state in states and may(user, review, action)
    )


def waiting_on_roles(state: str) -> list[str]:
    """The roles whose holders may take the next step of the prescribed sequence from ``state``."""
    from permissions.roles import roles_allowed

    name = next_transition_from(state)
    if name is None:
        return []
    allowed = roles_allowed(name)
    return [role.value for role in Role if role in allowed]


def review_overdue(review: Review, today: datetime.date | None = None) -> tuple[str, datetime.date] | None:
    """(deadline key, date) when the deadline of the review's current stage has passed; else None."""
    from django.utils import timezone

    key = DEADLINE_BY_STATE.get(review.state)
    if key is None:
        return None
    day = review_deadlines(review).get(key)
    today = today or timezone.localdate()
    if day is not None and day < today:
        return key, day
    return None


def next_actors_by_review(reviews) -> dict[int, list]:
    """For each review, the people who may take its next step (one query for all reviews)."""
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import UserObjectPermission

    wanted: dict[int, str] = {}
    for review in reviews:
        name = next_transition(review)
        if name is not None:
            wanted[review.pk] = review_codename(name)
    result: dict[int, list] = {pk: [] for pk in wanted}
    if not wanted:
        return result
    rows = (
        UserObjectPermission.objects.filter(
            content_type=ContentType.objects.get_for_model(Review),
            object_pk__in=[str(pk) for pk in wanted],
            permission__codename__in=set(wanted.values()),
            user__is_active=True,
        )
        .select_related("user", "permission")
        .order_by("user__full_name", "user__username")
    )
    for row in rows:
        pk = int(row.object_pk)
        if wanted.get(pk) == row.permission.codename:
            result[pk].append(row.user)
    return result


def review_summaries(*, user, reviews, today: datetime.date | None = None) -> list[dict]:
    """One row per review for lists: stage, next step, who it waits on, the current deadline and whether it
    is overdue.  A constant number of queries whatever the number of reviews (select_related("conference")
    on the queryset keeps the deadlines free)."""
    from review_process.access import prefetch_review_perms

    reviews = list(reviews)
    prefetch_review_perms(user, reviews)
    actors = next_actors_by_review(reviews)
    rows = []
    for review in reviews:
        key = DEADLINE_BY_STATE.get(review.state)
        deadline = review_deadlines(review).get(key) if key else None
        rows.append(
            {
                "review": review,
                "next_transition": next_transition(review),
                "waiting_on_roles": waiting_on_roles(review.state),
                "waiting_on_people": actors.get(review.pk, []),
                "deadline_key": key,
                "deadline": deadline,
                "overdue": review_overdue(review, today) is not None,
            }
        )
    return rows


def superior_scope(*, user) -> QuerySet[Organization]:
    """Organisations below those where ``user`` holds a superior role today (the overview's rows)."""
    from django.db.models import Q

    from permissions.models import Position
    from permissions.roles import SUPERIOR_ROLES

    positions = Position.objects.active_on().filter(person=user, role__in=SUPERIOR_ROLES).select_related("organization")
    condition = Q(pk__in=[])
    for position in positions:
        condition |= Q(path__startswith=position.organization.path) & ~Q(pk=position.organization_id)
    return Organization.objects.filter(condition).select_related("superior").order_by("path")


def overview_for(*, user, year: int, today: datetime.date | None = None) -> dict:
    """The superior's overview of a year: one row per subordinate organisation (with its review, if any),
    counts per stage, and the overdue rows.  A constant number of queries."""
    organizations = list(superior_scope(user=user))
    reviews = list(
        reviews_visible_to(user=user)
        .filter(year=year, organization__in=[o.pk for o in organizations])
        .select_related("organization", "conference")
    )
    summaries = {
        row["review"].organization_id: row for row in review_summaries(user=user, reviews=reviews, today=today)
    }
    rows = [{"organization": org, **summaries.get(org.pk, {"review": None})} for org in organizations]
    counts = {state: 0 for state in ReviewState.values}
    for review in reviews:
        counts[review.state] += 1
    not_opened = sum(1 for row in rows if row["review"] is None)
    return {
        "year": year,
        "rows": rows,
        "counts": counts,
        "not_opened": not_opened,
        "overdue": [row for row in rows if row.get("overdue")],
    }


def review_years_visible_to(*, user) -> list[int]:
    return sorted(set(reviews_visible_to(user=user).values_list("year", flat=True)), reverse=True)


def review_people(*, review: Review) -> dict[str, list]:
    """People in the review's line today: ``local`` (the organisation's own roles) and ``superior``."""
    from django.db.models import Q

    from permissions.models import Position
    from permissions.roles import LOCAL_ROLES, SUPERIOR_ROLES

    organization = review.organization
    positions = (
        Position.objects.active_on()
        .filter(
            Q(organization_id=organization.pk, role__in=LOCAL_ROLES)
            | Q(organization_id__in=organization.ancestor_ids, role__in=SUPERIOR_ROLES)
        )
        .select_related("person")
        .order_by("person__full_name", "person__username")
    )
    local: dict[int, object] = {}
    superior: dict[int, object] = {}
    for position in positions:
        if not position.person.is_active:
            continue
        (local if position.role in LOCAL_ROLES else superior).setdefault(position.person_id, position.person)
    return {"local": list(local.values()), "superior": list(superior.values())}


def review_records(*, review: Review) -> dict:
    """Everything a review's stages recorded, loaded with a fixed number of queries."""
    from django.db.models import Prefetch

    from review_process.models import (
        Attendance,
        Conference,
        Decision,
        Notification,
        OpinionResponse,
        RemedialPlan,
        SelfAssessment,
    )

    def one(model, **related):
        return model.objects.filter(review=review).select_related(*related.get("sr", ())).first()

    conference = (
        Conference.objects.filter(review=review)
        .select_related("chair", "recorded_by")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("person")),
            "superior_representatives",
        )
        .first()
    )
    plan = RemedialPlan.objects.filter(review=review).select_related("filed_by").prefetch_related("items").first()
    return {
        "report_versions": list(review.report_versions.select_related("created_by").order_by("number")),
        "opinions": list(
            review.opinions.select_related("author", "recorded_by").prefetch_related(
                Prefetch("response", queryset=OpinionResponse.objects.select_related("responded_by"))
            )
        ),
        "participants": list(review.participants.select_related("person", "invited_by")),
        "conference": conference,
        "guidance": list(review.guidance.select_related("given_by")),
        "self_assessment": one(SelfAssessment, sr=("set_by",)),
        "decision": one(Decision, sr=("decided_by",)),
        "notification": one(Notification, sr=("recorded_by",)),
        "remedial_plan": plan,
    }


def audit_trail(*, review: Review):
    """The review's audit events, oldest first (callers check VIEW_AUDIT_TRAIL first)."""
    return review.audit_events.select_related("actor").order_by("sequence")


def holds_superior_role(*, user) -> bool:
    """Does ``user`` hold a role in a superior organisation today (and so has an overview)?"""
    from permissions.models import Position
    from permissions.roles import SUPERIOR_ROLES

    if not user.is_authenticated:
        return False
    return Position.objects.active_on().filter(person=user, role__in=SUPERIOR_ROLES).exists()


def organizations_user_may_open(*, user) -> list[Organization]:
    """Organisations whose review ``user`` may open: their own (secretary) or those below (organisation board)."""
    from django.db.models import Q

    from permissions.models import Position
    from permissions.roles import LOCAL_ROLES, OPEN_REVIEW_ROLES

    positions = (
        Position.objects.active_on().filter(person=user, role__in=OPEN_REVIEW_ROLES).select_related("organization")
    )
    condition = Q(pk__in=[])
    for position in positions:
        if position.role in LOCAL_ROLES:
            condition |= Q(pk=position.organization_id)
        else:
            condition |= Q(path__startswith=position.organization.path) & ~Q(pk=position.organization_id)
    if not positions:
        return []
    return list(Organization.objects.filter(condition).order_by("path"))


def report_versions(*, review: Review):
    return review.report_versions.select_related("created_by").order_by("number")


def people_named_in(events) -> dict[str, str]:
    """Full names of the people an audit trail's payloads name by login (one query)."""
    from permissions.models import User

    usernames = set()
    for event in events:
        payload = event.payload or {}
        for key in ("person", "author", "chair"):
            if isinstance(payload.get(key), str):
                usernames.add(payload[key])
    if not usernames:
        return {}
    return {u.username: u.get_full_name() for u in User.objects.filter(username__in=usernames)}
