"""Pictures of the procedure for the pages: the stage stepper, the flow diagram and the stage chart (inline SVG).

Everything is drawn from ``review_process.machine``: the stages in order (``STAGE_ORDER``), the transition
out of each (``next_transition_from``) and the side exits (the transitions that need a reason) with their
sources and targets as django-fsm-2 declares them.  Nothing here names a stage or a transition, so a change
to the state machine redraws the pictures.  The template tags are registered in ``web.templatetags.review_ui``.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from permissions.roles import Action
from review_process import machine
from review_process.machine import stage_label
from review_process.models import ReviewState

# --- Stage stepper ------------------------------------------------------------------------------------


def _order() -> list[str]:
    return [str(s) for s in machine.STAGE_ORDER]


def stage_steps(state: str) -> list[dict]:
    """Each stage of the prescribed sequence marked done / current / next / todo (all todo outside it)."""
    order = _order()
    current = order.index(state) if state in order else -1
    steps = []
    for i, value in enumerate(order):
        if current < 0:  # a stage outside the sequence (cancelled): nothing of it counts as done
            status = "todo"
        elif i < current or (i == current == len(order) - 1):
            status = "done"
        elif i == current:
            status = "current"
        elif i == current + 1:
            status = "next"
        else:
            status = "todo"
        steps.append({"state": value, "label": stage_label(value), "status": status, "number": i + 1})
    return steps


# --- Flow diagram (inline SVG) ------------------------------------------------------------------------

_BOX_X, _BOX_W, _BOX_H, _STEP = 40, 200, 40, 78
_BRACKET_X, _EXIT_X, _EXIT_W, _WIDTH = 490, 520, 140, 670
_LOOP_X, _LOOP_GAP = 18, 14


def _transition_label(name: str) -> str:
    return str(Action(name).label)


def _mid(i: int) -> int:
    return 20 + i * _STEP + _BOX_H // 2


def _side_exits() -> list[tuple[str, list[str], str]]:
    """(name, source stages, target) of each transition that leaves the prescribed sequence."""
    exits = []
    for name in machine.TRANSITION_NAMES:
        if not machine.is_side_exit(name):
            continue
        transitions = machine.meta(name).transitions
        for target in dict.fromkeys(str(t.target) for t in transitions.values()):
            sources = [str(s) for s, t in transitions.items() if str(t.target) == target]
            exits.append((name, sources, target))
    return exits


def _stage_box(value: str, state: str, x: int, y: int, width: int, done: bool) -> str:
    if value == state:
        cls, mark = "fd-current", "▶ "
    elif done:
        cls, mark = "fd-done", "✓ "
    else:
        cls, mark = "fd-todo", ""
    return format_html(
        '<g class="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="8"/>'
        '<text x="{}" y="{}" text-anchor="middle">{}{}</text></g>',
        cls,
        x,
        y,
        width,
        _BOX_H,
        x + width // 2,
        y + 25,
        mark,
        stage_label(value),
    )


def _main_arrow(i: int, name: str) -> str:
    x, y = _BOX_X + _BOX_W // 2, 20 + i * _STEP
    return format_html(
        '<line class="fd-arrow" x1="{}" y1="{}" x2="{}" y2="{}" marker-end="url(#fd-head)"/>'
        '<text class="fd-label" x="{}" y="{}">{}</text>',
        x,
        y + _BOX_H,
        x,
        y + _STEP - 4,
        x + 8,
        y + _BOX_H + 24,
        _transition_label(name),
    )


def _loop_back(name: str, source: int, target: int, k: int) -> str:
    """A side exit back into the sequence (return for revision), drawn on the left."""
    x, label_x, centre = _LOOP_X - k * _LOOP_GAP, 10 - k * _LOOP_GAP, (_mid(source) + _mid(target)) // 2
    return format_html(
        '<path class="fd-arrow fd-back" d="M {} {} H {} V {} H {}" marker-end="url(#fd-head)"/>'
        '<text class="fd-label" x="{}" y="{}" text-anchor="middle" transform="rotate(-90 {} {})">{}</text>',
        _BOX_X,
        _mid(source),
        x,
        _mid(target),
        _BOX_X - 2,
        label_x,
        centre,
        label_x,
        centre,
        _transition_label(name),
    )


def _exit_out(name: str, sources: list[int], target: str, state: str) -> str:
    """A side exit out of the sequence (cancel): its sources gathered by a bracket on the right."""
    ticks = "".join(f"M {_BOX_X + _BOX_W} {_mid(i)} H {_BRACKET_X} " for i in sources)
    top, bottom = _mid(sources[0]), _mid(sources[-1])
    centre = (top + bottom) // 2
    return format_html(
        '<path class="fd-arrow fd-cancel" d="{} M {} {} V {} M {} {} H {}"/>'
        '<path class="fd-arrow fd-cancel" d="M {} {} H {}" marker-end="url(#fd-head)"/>'
        '<text class="fd-label" x="{}" y="{}" text-anchor="middle">{}</text>{}',
        ticks,
        _BRACKET_X,
        top,
        bottom,
        _BRACKET_X,
        centre,
        _BRACKET_X,
        _BRACKET_X,
        centre,
        _EXIT_X - 2,
        _EXIT_X + _EXIT_W // 2,
        centre - _BOX_H // 2 - 8,
        _transition_label(name),
        _stage_box(target, state, _EXIT_X, centre - _BOX_H // 2, _EXIT_W, done=False),
    )


def flow_diagram(state: str) -> str:
    """The prescribed sequence as a vertical diagram, its side exits around it, the review's stage marked."""
    order = _order()
    current = order.index(state) if state in order else -1
    parts = []
    for i, value in enumerate(order):
        parts.append(_stage_box(value, state, _BOX_X, 20 + i * _STEP, _BOX_W, done=i < current))
        name = machine.next_transition_from(value)
        if name is not None and i + 1 < len(order):
            parts.append(_main_arrow(i, name))
    loops = 0
    for name, sources, target in _side_exits():
        indices = sorted(order.index(s) for s in sources if s in order)
        if not indices:
            continue
        if target in order:
            for source in indices:
                parts.append(_loop_back(name, source, order.index(target), loops))
                loops += 1
        else:
            parts.append(_exit_out(name, indices, target, state))
    title = _("The stages of the review; the current stage is “%(state)s”.") % {"state": stage_label(state)}
    return format_html(
        '<svg class="flow-diagram" viewBox="0 0 {} {}" role="img" aria-labelledby="fd-title">'
        '<title id="fd-title">{}</title>'
        '<defs><marker id="fd-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>{}</svg>',
        _WIDTH,
        20 + len(order) * _STEP,
        title,
        mark_safe("".join(parts)),  # noqa: S308 - every part was built with format_html
    )


# --- Stage chart (inline SVG bar chart) ---------------------------------------------------------------


def stage_chart(counts: dict, not_opened: int = 0) -> str:
    """Horizontal bars: how many reviews are at each stage (and how many organisations have none yet)."""
    rows = [(stage_label(s), counts.get(s, 0), "sc-bar") for s in ReviewState.values]
    rows.insert(0, (_("Not opened"), not_opened, "sc-bar sc-none"))
    peak = max([n for _label, n, _cls in rows] + [1])
    label_w, bar_w, row_h = 190, 300, 30
    parts = []
    for i, (label, n, cls) in enumerate(rows):
        y = 10 + i * row_h
        width = round(bar_w * n / peak)
        parts.append(
            format_html(
                '<text class="sc-label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="{}" x="{}" y="{}" width="{}" height="20" rx="3"/>'
                '<text class="sc-count" x="{}" y="{}">{}</text>',
                label_w - 8,
                y + 15,
                label,
                cls,
                label_w,
                y,
                max(width, 1),
                label_w + max(width, 1) + 6,
                y + 15,
                n,
            )
        )
    summary = ", ".join(f"{label}: {n}" for label, n, _cls in rows)
    return format_html(
        '<svg class="stage-chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        label_w + bar_w + 40,
        20 + len(rows) * row_h,
        _("Reviews per stage") + " — " + summary,
        mark_safe("".join(parts)),  # noqa: S308 - every part was built with format_html
    )
