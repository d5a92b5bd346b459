"""Procedure order: the steps of the audit trail replayed against the state machine, and the days they happened
in the procedure's order (``review_process.dates``, the checks the services refuse with).

Each rule is declared on its check (``base.rule``); the registry is the package's ``RULES``.
"""

from __future__ import annotations

import functools

from django.utils import timezone

from review_process.compliance.facts import TRANSITION_PREFIX, ReviewFacts
from review_process.compliance.messages import gettext as _
from review_process.compliance.messages import ngettext
from review_process.compliance.rules.base import (
    Citation,
    Outcome,
    Severity,
    failed,
    link,
    links,
    passed,
    rule,
    stage,
)
from review_process.dates import ORDER, future_error, order_error
from review_process.models import TRANSITION_NAMES, Review, ReviewState

#: Days that are not events (a remedial item's due date lies ahead by nature): never "in the future".
NOT_EVENTS = frozenset({"due_date"})
#: Pairs of ``dates.ORDER`` that another rule judges with its own finding (so a breach is reported once).
JUDGED_ELSEWHERE = {
    ("circulation", "conference"): "draft_notice",
    ("guidance", "guidance_confirmed"): "guidance_before_finalisation",
    ("guidance", "final_report"): "final_report_revised",
    ("submission", "decision"): "self_assessment_before_decision",
    ("approval", "notification"): "notification_recorded",
    ("approval", "due_date"): "remedial_plan",
}


@functools.cache
def _fsm_table() -> dict[str, dict[str, str]]:
    """The prescribed sequence, read from the state machine: {transition: {source: target}}."""
    table = {}
    for name in TRANSITION_NAMES:
        meta = getattr(Review, name)._django_fsm
        table[name] = {str(source): str(t.target) for source, t in meta.transitions.items()}
    return table


def _step_params(name: str, event, state: str) -> dict:
    """What a message about the step ``name`` (its ``event``, the review at ``state``) names."""
    return {
        "step": name,
        "seq": event.sequence,
        "from": stage(event.from_state),
        "to": stage(event.to_state),
        "state": stage(state),
    }


@rule(
    code="stage_order",
    severity=Severity.FINDING,
    citation=Citation(
        "Quy trình kiểm điểm theo hướng dẫn của Ban Tổ chức Trung ương (HD 21-HD/BTCTW 18/10/2019; "
        "HD 25-HD/BTCTW 10/11/2023; HD 43-HD/BTCTW 31/10/2025)",
        "các bước 1–15",
        tag="I",
        note="the order of the steps as a whole is read from the guidance and practice",
        section="§1A",
    ),
    title_vi="Thực hiện đúng trình tự các bước, không bỏ bước",
    title_en="Stages followed in order, no step skipped",
    checks_what=(
        "Replays the transition events of the audit trail against the state machine: each step starts from "
        "the stage the previous one ended in and is a step of the prescribed sequence; records are written "
        "at the stage the trail shows; the review's stage equals the end of its trail."
    ),
)
def stage_order(f: ReviewFacts) -> Outcome:
    events = f.events
    if not events or events[0].action != "review.opened":
        return failed(
            _("The audit trail does not start with the opening of the review."), links("audit_event", events[:1])
        )
    table = _fsm_table()
    state = events[0].to_state or ReviewState.DRAFT
    steps = []
    for event in events[1:]:
        if event.action.startswith(TRANSITION_PREFIX):
            name = event.action[len(TRANSITION_PREFIX) :]
            if event.from_state != state:
                return failed(
                    _(
                        "The step “%(step)s” (event %(seq)s) started from the stage “%(from)s” while the review "
                        "was at the stage “%(state)s”: a step was skipped or taken out of order."
                    )
                    % _step_params(name, event, state),
                    [link("audit_event", event)],
                )
            if table.get(name, {}).get(event.from_state) != event.to_state:
                return failed(
                    _(
                        "The step “%(step)s” (event %(seq)s) went from “%(from)s” to “%(to)s”, which is not a step "
                        "of the prescribed sequence."
                    )
                    % _step_params(name, event, state),
                    [link("audit_event", event)],
                )
            state = event.to_state
            steps.append(event)
        elif event.from_state and event.from_state != state:
            return failed(
                _(
                    "The record “%(action)s” (event %(seq)s) was written at the stage “%(from)s” while the review "
                    "was at the stage “%(state)s”."
                )
                % {
                    "action": event.action,
                    "seq": event.sequence,
                    "from": stage(event.from_state),
                    "state": stage(state),
                },
                [link("audit_event", event)],
            )
    if state != f.review.state:
        return failed(
            _("The review is at the stage “%(actual)s” but its audit trail ends at the stage “%(trail)s”.")
            % {"actual": stage(f.review.state), "trail": stage(state)},
            [link("review", f.review), *links("audit_event", events[-1:])],
        )
    return passed(
        ngettext(
            "%(n)s step taken in the prescribed order, none skipped.",
            "%(n)s steps taken in the prescribed order, none skipped.",
            len(steps),
        )
        % {"n": len(steps)},
        links("audit_event", steps),
    )


@rule(
    code="dates_in_order",
    severity=Severity.FINDING,
    citation=Citation(
        "Quy trình kiểm điểm theo hướng dẫn của Ban Tổ chức Trung ương (HD 21-HD/BTCTW 18/10/2019; "
        "HD 25-HD/BTCTW 10/11/2023; HD 43-HD/BTCTW 31/10/2025)",
        "các bước 1–15",
        tag="I",
        note="the order of the steps as a whole is read from the guidance and practice",
        section="§1A",
    ),
    title_vi="Các sự việc được ghi đúng ngày diễn ra, theo đúng trình tự, không ghi ngày trong tương lai",
    title_en="Events dated in the order of the procedure, none in the future",
    checks_what=(
        "The days the events happened as recorded (occurred_on of the records and of the steps, the conference's "
        "held_at, the notification's notified_on, the remedial items' due dates) follow review_process.dates.ORDER "
        "and none (but the due dates) is after today: the same checks (future_error, order_error) the services refuse a date with. "
        "Pairs another rule judges (the draft's notice, the guidance before finalisation, the final report after "
        "the guidance, the self-assessment before the decision, the notification and the due dates after the "
        "approval) are reported by that rule only."
    ),
)
def dates_in_order(f: ReviewFacts) -> Outcome:
    dates = f.dates()
    today = timezone.localdate()
    for event, days in dates.items():
        if event in NOT_EVENTS:
            continue
        for day in days:
            if (error := future_error(day, event=event, today=today)) is not None:
                return failed(str(error), [link("review", f.review)])
    for pair in ORDER:
        if (pair.earlier, pair.later) in JUDGED_ELSEWHERE:
            continue
        earlier, later = dates.get(pair.earlier), dates.get(pair.later)
        if not earlier or not later:
            continue
        error = order_error(pair.earlier, max(earlier), pair.later, min(later), strict=pair.strict)
        if error is not None:
            return failed(str(error), [link("review", f.review)])
    dated = sum(len(days) for days in dates.values())
    return passed(
        ngettext(
            "%(n)s date recorded, in the order of the procedure and none in the future.",
            "%(n)s dates recorded, in the order of the procedure and none in the future.",
            dated,
        )
        % {"n": dated},
    )
