"""Presentation helpers of the web pages: the stage stepper, the flow diagram and the stage chart (inline
SVG drawn from the stage list), readable report diffs, and the audit trail in plain words.

Nothing here decides anything: the stages and transitions come from the state machine, the labels from
the models' translated choices.
"""

from __future__ import annotations

import difflib
import re

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from permissions.roles import Action, Role
from review_process.models import Rating, ResponseDecision, ReviewState
from review_process.selectors import STAGE_ORDER, stage_label

register = template.Library()


# --- Labels -------------------------------------------------------------------------------------------


@register.filter
def state_label(value: str) -> str:
    return stage_label(value) if value else ""


@register.filter
def role_label(value: str) -> str:
    if value in Role.values:
        return str(Role(value).label)
    if value == "superuser":
        return _("Administrator")
    return value or ""


@register.filter
def action_label(value: str) -> str:
    return str(Action(value).label) if value in Action.values else value


@register.filter
def rating_label(value: str) -> str:
    return str(Rating(value).label) if value in Rating.values else value


@register.filter
def person_name(user) -> str:
    return user.get_full_name() if user is not None else ""


# --- Stage stepper ------------------------------------------------------------------------------------


def stage_steps(state: str) -> list[dict]:
    """Each stage of the prescribed sequence marked done / current / next / todo."""
    order = [s.value for s in STAGE_ORDER]
    current = order.index(state) if state in order else -1
    steps = []
    for i, value in enumerate(order):
        if state == ReviewState.CANCELLED:
            status = "todo"
        elif i < current or (state == ReviewState.CLOSED and i == current):
            status = "done"
        elif i == current:
            status = "current"
        elif i == current + 1:
            status = "next"
        else:
            status = "todo"
        steps.append({"state": value, "label": stage_label(value), "status": status, "number": i + 1})
    return steps


register.simple_tag(name="stage_steps")(stage_steps)


# --- Flow diagram (inline SVG) ------------------------------------------------------------------------

_BOX_X, _BOX_W, _BOX_H, _STEP = 40, 200, 40, 78
_BRACKET_X, _CANCEL_X, _CANCEL_W, _WIDTH = 490, 520, 140, 670


def _transition_label(name: str) -> str:
    return str(Action(name).label)


@register.simple_tag
def flow_diagram(state: str) -> str:
    """The prescribed sequence as a vertical diagram, the review's current stage marked."""
    order = [s.value for s in STAGE_ORDER]
    current = order.index(state) if state in order else -1
    transitions = ["circulate_draft", "close_opinions", "give_guidance", "submit_assessment", "approve", "close"]
    height = 20 + len(order) * _STEP

    def mid(i: int) -> int:
        return 20 + i * _STEP + _BOX_H // 2

    parts = []
    for i, value in enumerate(order):
        y = 20 + i * _STEP
        if value == state:
            cls, mark = "fd-current", "▶ "
        elif (state != ReviewState.CANCELLED and i < current) or state == ReviewState.CLOSED:
            cls, mark = "fd-done", "✓ "
        else:
            cls, mark = "fd-todo", ""
        parts.append(
            format_html(
                '<g class="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="8"/>'
                '<text x="{}" y="{}" text-anchor="middle">{}{}</text></g>',
                cls,
                _BOX_X,
                y,
                _BOX_W,
                _BOX_H,
                _BOX_X + _BOX_W // 2,
                y + 25,
                mark,
                stage_label(value),
            )
        )
        if i < len(transitions):
            x = _BOX_X + _BOX_W // 2
            parts.append(
                format_html(
                    '<line class="fd-arrow" x1="{}" y1="{}" x2="{}" y2="{}" marker-end="url(#fd-head)"/>'
                    '<text class="fd-label" x="{}" y="{}">{}</text>',
                    x,
                    y + _BOX_H,
                    x,
                    y + _STEP - 4,
                    x + 8,
                    y + _BOX_H + 24,
                    _transition_label(transitions[i]),
                )
            )
    # return_for_revision: submitted (index 4) back to finalising (index 3), on the left.
    parts.append(
        format_html(
            '<path class="fd-arrow fd-back" d="M {} {} H 18 V {} H {}" marker-end="url(#fd-head)"/>'
            '<text class="fd-label" x="{}" y="{}" text-anchor="middle" transform="rotate(-90 {} {})">{}</text>',
            _BOX_X,
            mid(4),
            mid(3),
            _BOX_X - 2,
            10,
            (mid(3) + mid(4)) // 2,
            10,
            (mid(3) + mid(4)) // 2,
            _transition_label("return_for_revision"),
        )
    )
    # cancel: from any stage before approval (draft .. submitted), gathered by a bracket on the right.
    ticks = "".join(f"M {_BOX_X + _BOX_W} {mid(i)} H {_BRACKET_X} " for i in range(5))
    centre = (mid(0) + mid(4)) // 2
    cancelled_cls = "fd-current" if state == ReviewState.CANCELLED else "fd-todo"
    parts.append(
        format_html(
            '<path class="fd-arrow fd-cancel" d="{} M {} {} V {} M {} {} H {}"/>'
            '<path class="fd-arrow fd-cancel" d="M {} {} H {}" marker-end="url(#fd-head)"/>'
            '<text class="fd-label" x="{}" y="{}" text-anchor="middle">{}</text>'
            '<g class="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="8"/>'
            '<text x="{}" y="{}" text-anchor="middle">{}{}</text></g>',
            ticks,
            _BRACKET_X,
            mid(0),
            mid(4),
            _BRACKET_X,
            centre,
            _BRACKET_X,
            _BRACKET_X,
            centre,
            _CANCEL_X - 2,
            _CANCEL_X + _CANCEL_W // 2,
            centre - _BOX_H // 2 - 8,
            _transition_label("cancel"),
            cancelled_cls,
            _CANCEL_X,
            centre - _BOX_H // 2,
            _CANCEL_W,
            _BOX_H,
            _CANCEL_X + _CANCEL_W // 2,
            centre + 5,
            "▶ " if state == ReviewState.CANCELLED else "",
            stage_label(ReviewState.CANCELLED),
        )
    )
    title = _("The stages of the review; the current stage is “%(state)s”.") % {"state": stage_label(state)}
    return format_html(
        '<svg class="flow-diagram" viewBox="0 0 {} {}" role="img" aria-labelledby="fd-title">'
        '<title id="fd-title">{}</title>'
        '<defs><marker id="fd-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>{}</svg>',
        _WIDTH,
        height,
        title,
        mark_safe("".join(parts)),  # noqa: S308 - every part was built with format_html
    )


# --- Stage chart (inline SVG bar chart) ---------------------------------------------------------------


@register.simple_tag
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


# --- Report diff --------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _count(text: str) -> int:
    return sum(1 for t in _words(text) if not t.isspace())


def _inline(old: str, new: str) -> tuple[list[tuple[str, str]], int, int]:
    a, b = _words(old), _words(new)
    parts, added, removed = [], 0, 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(("removed", "".join(a[i1:i2])))
            removed += _count("".join(a[i1:i2]))
        if op in ("insert", "replace"):
            parts.append(("added", "".join(b[j1:j2])))
            added += _count("".join(b[j1:j2]))
    return parts, added, removed


def report_diff(old: str, new: str) -> dict:
    """Paragraph by paragraph, with the changed words inside a changed paragraph marked.

    Returns {"paragraphs": [{"kind": same|changed|added|removed, "parts": [(same|added|removed, text)]}],
    "added": words added, "removed": words removed}.
    """
    a = [p for p in old.splitlines() if p.strip()]
    b = [p for p in new.splitlines() if p.strip()]
    paragraphs, added, removed = [], 0, 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            paragraphs += [{"kind": "same", "parts": [("same", p)]} for p in a[i1:i2]]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            if k < len(olds) and k < len(news):
                parts, plus, minus = _inline(olds[k], news[k])
                paragraphs.append({"kind": "changed", "parts": parts})
            elif k < len(olds):
                plus, minus = 0, _count(olds[k])
                paragraphs.append({"kind": "removed", "parts": [("removed", olds[k])]})
            else:
                plus, minus = _count(news[k]), 0
                paragraphs.append({"kind": "added", "parts": [("added", news[k])]})
            added += plus
            removed += minus
    return {"paragraphs": paragraphs, "added": added, "removed": removed}


@register.simple_tag
def diff_parts(parts) -> str:
    """Render one paragraph's parts with <ins>/<del> and words for screen readers."""
    out = []
    for kind, text in parts:
        if kind == "same":
            out.append(format_html("{}", text))
        elif kind == "added":
            out.append(format_html('<ins><span class="visually-hidden">{} </span>{}</ins>', _("[added]"), text))
        else:
            out.append(format_html('<del><span class="visually-hidden">{} </span>{}</del>', _("[removed]"), text))
    return format_html_join("", "{}", ((p,) for p in out))


# --- Audit trail in plain words -----------------------------------------------------------------------

AUDIT_SENTENCES = {
    "review.opened": gettext_lazy("opened the review"),
    "review.report_version.added": gettext_lazy("added report version %(number)s"),
    "review.participant.invited": gettext_lazy("invited %(person)s to take part"),
    "review.opinion.added": gettext_lazy("recorded an opinion of %(author)s (%(channel)s)"),
    "review.opinion.responded": gettext_lazy("responded to an opinion: %(decision)s"),
    "review.conference.recorded": gettext_lazy("recorded the conference"),
    "review.conference.corrected": gettext_lazy("corrected the record of the conference"),
    "review.guidance.added": gettext_lazy("recorded the superior's guidance"),
    "review.self_assessment.set": gettext_lazy("proposed the rating “%(rating)s”"),
    "review.decision.set": gettext_lazy("decided the final rating “%(rating)s”"),
    "review.notification.recorded": gettext_lazy("recorded the notification of results dated %(date)s"),
    "review.remedial_plan.filed": gettext_lazy("filed the remedial plan (%(count)s items)"),
}


def audit_sentence(event, names: dict | None = None) -> str:
    """What happened, in a sentence (without the actor)."""
    from review_process.models import OpinionChannel

    names = names or {}
    payload = event.payload or {}
    if event.action.startswith("review.transition."):
        return str(action_label(event.action.rsplit(".", 1)[1]))
    template_ = AUDIT_SENTENCES.get(event.action)
    if template_ is None:
        return event.action
    params = {
        "number": payload.get("number", ""),
        "person": names.get(payload.get("person"), payload.get("person", "")),
        "author": names.get(payload.get("author"), payload.get("author", "")),
        "channel": str(OpinionChannel(payload["channel"]).label).lower()
        if payload.get("channel") in OpinionChannel.values
        else "",
        "decision": str(ResponseDecision(payload["decision"]).label)
        if payload.get("decision") in ResponseDecision.values
        else "",
        "rating": rating_label(payload.get("proposed_rating") or payload.get("final_rating") or ""),
        "date": _iso_to_dmy(payload.get("notified_on", "")),
        "count": len(payload.get("items", [])),
    }
    sentence = str(template_) % params
    if event.action == "review.report_version.added" and payload.get("is_final"):
        sentence += " " + _("(final version)")
    return sentence


def _iso_to_dmy(value: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    return f"{match.group(3)}/{match.group(2)}/{match.group(1)}" if match else value


register.simple_tag(name="audit_sentence")(audit_sentence)


@register.filter
def audit_details(event) -> list[tuple[str, str]]:
    """The payload's readable fields (text, reason, note …) for the expandable details of an event."""
    labels = {
        "reason": _("Reason"),
        "text": _("Text"),
        "note": _("Note"),
        "justification": _("Justification"),
        "location": _("Place"),
        "held_at": _("Held at"),
    }
    payload = event.payload or {}
    return [(label, str(payload[key])) for key, label in labels.items() if payload.get(key)]


@register.simple_tag(takes_context=True)
def user_has_overview(context) -> bool:
    """Show the overview link to holders of a superior role (one query per page)."""
    from review_process.selectors import holds_superior_role

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    cache = request.__dict__.setdefault("_has_overview", {})
    if user.pk not in cache:
        cache[user.pk] = holds_superior_role(user=user)
    return cache[user.pk]


@register.filter
def split_words(value: str) -> list[str]:
    return value.split()


@register.filter
def field(form, name: str):
    """``form[name]`` in a template (a bound field by a computed name)."""
    return form[name]
