"""Reads of reviews: visibility built in (``reviews``), deadlines (``deadlines``), page-shaped rows and the
superior's overview (``pages``).  What a person may do now is not a read here: see
``review_process.availability``; the shape of the procedure is ``review_process.machine``."""

from permissions.selectors import holds_superior_role, organizations_user_may_open, superior_scope
from review_process.machine import STAGE_ORDER, next_transition_from, stage_label, waiting_on_roles
from review_process.selectors.deadlines import (
    DEADLINE_BY_STATE,
    deadline_label,
    review_deadlines,
    review_overdue,
)
from review_process.selectors.overview import overview_for
from review_process.selectors.pages import (
    next_actors_by_review,
    next_transition,
    review_people,
    review_summaries,
)
from review_process.selectors.reviews import (
    VIEW_PERM,
    audit_trail,
    people_named_in,
    report_versions,
    review_get_for_user,
    review_records,
    review_years_visible_to,
    reviews_visible_to,
)

__all__ = [
    "DEADLINE_BY_STATE",
    "STAGE_ORDER",
    "VIEW_PERM",
    "audit_trail",
    "deadline_label",
    "next_actors_by_review",
    "next_transition",
    "next_transition_from",
    "overview_for",
    "people_named_in",
    "report_versions",
    "review_deadlines",
    "review_get_for_user",
    "review_overdue",
    "review_people",
    "review_records",
    "review_summaries",
    "review_years_visible_to",
    "reviews_visible_to",
    "stage_label",
    "holds_superior_role",
    "organizations_user_may_open",
    "superior_scope",
    "waiting_on_roles",
]
