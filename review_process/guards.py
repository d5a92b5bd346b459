"""Guards of the prescribed sequence. Each has a stable code (used by the API as the error code)
and a translated message that says what is missing in plain words.

Instance guards are django-fsm-2 ``conditions=``; user guards (separation of duties) are folded into
the transition's ``permission=`` and checked by the service with their own message.

The guards of ``submit_assessment`` (on every submission's path) read with statements compiled once
(``permissions.statements``), each built from the queryset that states the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Q, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from permissions.statements import Compiled


@dataclass(frozen=True)
class Guard:
    code: str
    message: Promise
    predicate: Callable

    def __call__(self, instance) -> bool:  # django-fsm-2 calls conditions with the instance only
        return self.check(instance)

    def check(self, instance, user=None) -> bool:
        """Evaluate once per review instance (and person): the availability check, the service and
        django-fsm-2's own ``conditions`` all ask, the predicate runs once.  A fresh read of the review
        (every request, every locked read in a service) starts with an empty cache."""
        cache = instance.__dict__.setdefault("_guard_cache", {})
        key = (self.code, None if user is None else user.pk)
        if key not in cache:
            cache[key] = bool(self.predicate(instance) if user is None else self.predicate(instance, user))
        return cache[key]


def forget_guards(instance) -> None:
    """Drop the cached guard results of ``instance`` (after its records changed in this request)."""
    instance.__dict__.pop("_guard_cache", None)


def _related(instance, name):
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


def _model(name: str):
    """A model of this app by name: the models' module imports this one (``conditions=``), so the guards reach
    the models through the app registry, when a statement is first compiled."""
    return apps.get_model("review_process", name)


def _exists(compiled: Compiled, review) -> bool:
    return compiled.first_row(review.pk) is not None


_UNANSWERED = Compiled(
    lambda review_id: (
        _model("Opinion").objects.filter(review_id=review_id, response__isnull=True).order_by().values_list("pk")[:1]
    ),
    int,
)


def _final_after_guidance_statement(review_id):
    """A final report version dated after the latest live guidance, or any final one when there is none."""
    live = _model("Guidance").objects.filter(review_id=review_id).live()
    latest = live.order_by("-created_at").values("created_at")[:1]
    return (
        _model("ReportVersion")
        .objects.filter(review_id=review_id, is_final=True)
        .filter(Q(created_at__gt=Subquery(latest)) | ~Exists(live))
        .order_by()
        .values_list("pk")[:1]
    )


_FINAL_AFTER_GUIDANCE = Compiled(_final_after_guidance_statement, int)
_SELF_ASSESSMENT = Compiled(
    lambda review_id: _model("SelfAssessment").objects.filter(review_id=review_id).order_by().values_list("pk")[:1],
    int,
)


def _has_self_assessment(review) -> bool:
    """Whether the review has a self-assessment: the instance's own when it has been read, else one indexed read."""
    if "self_assessment" in review._state.fields_cache:
        return review._state.fields_cache["self_assessment"] is not None
    return _exists(_SELF_ASSESSMENT, review)


has_draft_report = Guard(
    "no_draft_report",
    _("There is no draft report yet: add the draft report before circulating it."),
    lambda r: r.report_versions.exists(),
)


def _conference_held(review) -> bool:
    conference = _related(review, "conference")
    return conference is not None and conference.is_held


conference_held = Guard(
    "conference_not_held",
    _("The review conference has not been recorded as held: record the conference before closing opinions."),
    _conference_held,
)

guidance_recorded = Guard(
    "no_guidance",
    _("No guidance from the superior has been recorded: record the guidance text first."),
    lambda r: r.guidance.live().exclude(text="").exists(),
)

opinions_answered = Guard(
    "opinions_unanswered",
    _("Some opinions have no response yet: accept or explain every opinion before submitting."),
    lambda r: not _exists(_UNANSWERED, r),
)


def _final_after_guidance(review) -> bool:
    return _exists(_FINAL_AFTER_GUIDANCE, review)


final_report_after_guidance = Guard(
    "no_final_report",
    _("There is no final report version dated after the guidance: add the finalised report first."),
    _final_after_guidance,
)

proposed_rating_set = Guard(
    "no_proposed_rating",
    _("No rating has been proposed in the self-assessment."),
    _has_self_assessment,
)

final_rating_set = Guard(
    "no_final_rating",
    _("No final rating has been decided: record the decision before approving."),
    lambda r: _related(r, "decision") is not None,
)

notification_recorded = Guard(
    "notification_missing",
    _("The notification of results has not been recorded."),
    lambda r: _related(r, "notification") is not None,
)

remedial_plan_filed = Guard(
    "remedial_plan_missing",
    _("The remedial plan has not been filed: the secretary files it before the review is closed."),
    lambda r: _related(r, "remedial_plan") is not None,
)

separation_of_duties = Guard(
    "separation_of_duties",
    _("The person who submitted the assessment cannot approve it."),
    lambda r, user: r.submitted_by_id != user.pk,
)

opened_by_actor = Guard(
    "not_opener",
    _("Only the person who opened this review may withdraw it."),
    lambda r, user: r.opened_by_id == user.pk,
)

# Guards that depend on who acts, by transition name.
USER_GUARDS: dict[str, tuple[Guard, ...]] = {"approve": (separation_of_duties,), "withdraw": (opened_by_actor,)}


# --- Guards of the individual review of a leader (same states and transitions, guards of its own) ---


def _collective_of(review):
    """The live collective review of the leader's organisation for the same year (None if none)."""
    return (
        type(review)
        .objects.filter(organization_id=review.organization_id, year=review.year, kind="collective")
        .exclude(state="cancelled")
        .select_related("decision")
        .first()
    )


def collective_rating(review) -> str | None:
    """The decided rating of the collective review the leader's review follows (None while undecided)."""
    cache = review.__dict__.setdefault("_collective_rating", {})
    if "value" not in cache:
        collective = _collective_of(review)
        decision = _related(collective, "decision") if collective is not None else None
        cache["value"] = decision.final_rating if decision is not None else None
    return cache["value"]


ballot_recorded = Guard(
    "no_ballot",
    _("The secret-ballot tally has not been recorded: record it before the rating is approved."),
    lambda r: _related(r, "ballot") is not None,
)

collective_decided = Guard(
    "collective_not_decided",
    _("The collective review of the organisation has not been decided yet: a leader is rated after the collective."),
    lambda r: collective_rating(r) is not None,
)

# Guards that depend on the kind of review, by kind and transition name (checked with the transition's own).
KIND_GUARDS: dict[str, dict[str, tuple[Guard, ...]]] = {
    "individual": {"approve": (ballot_recorded, collective_decided)},
}
