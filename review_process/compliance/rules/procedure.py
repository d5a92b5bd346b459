"""Procedure order: the steps of the audit trail replayed against the state machine.

Each rule is declared on its check (``base.rule``); the registry is the package's ``RULES``.
"""

from __future__ import annotations

import functools

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from review_process.compliance.facts import TRANSITION_PREFIX, ReviewFacts
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
from review_process.models import TRANSITION_NAMES, Review, ReviewState


@functools.cache
def _fsm_table() -> dict[str, dict[str, str]]:
    """The prescribed sequence, read from the state machine: {transition: {source: target}}."""
    table = {}
    for name in TRANSITION_NAMES:
        meta = getattr(Review, name)._django_fsm
        table[name] = {str(source): str(t.target) for source, t in meta.transitions.items()}
    return table


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
            params = {
                "step": name,
                "seq": event.sequence,
                "from": stage(event.from_state),
                "to": stage(event.to_state),
                "state": stage(state),
            }
            if event.from_state != state:
                return failed(
                    _(
                        "The step “%(step)s” (event %(seq)s) started from the stage “%(from)s” while the review "
                        "was at the stage “%(state)s”: a step was skipped or taken out of order."
                    )
                    % params,
                    [link("audit_event", event)],
                )
            if table.get(name, {}).get(event.from_state) != event.to_state:
                return failed(
                    _(
                        "The step “%(step)s” (event %(seq)s) went from “%(from)s” to “%(to)s”, which is not a step "
                        "of the prescribed sequence."
                    )
                    % params,
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
