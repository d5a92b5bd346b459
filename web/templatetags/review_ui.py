"""The ``review_ui`` template tag library of the web pages: labels, the stage stepper, the flow diagram and
the stage chart (drawn in ``web.diagrams``), report diffs (``web.report_diff``), and the audit trail in plain
words.

Nothing here decides anything: the stages and transitions come from the state machine
(``review_process.machine``), the labels from the models' translated choices.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from permissions.roles import Action, Role
from review_process.machine import stage_label
from review_process.models import OpinionChannel, Rating, ResponseDecision
from review_process.selectors import holds_superior_role
from web import diagrams

register = template.Library()

register.simple_tag(name="stage_steps")(diagrams.stage_steps)
register.simple_tag(name="flow_diagram")(diagrams.flow_diagram)
register.simple_tag(name="stage_chart")(diagrams.stage_chart)


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


# --- Report diff --------------------------------------------------------------------------------------


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
    "review.ballot.recorded": gettext_lazy("recorded the secret-ballot tally"),
    "review.ballot.corrected": gettext_lazy("corrected the secret-ballot tally"),
    "review.regime_migrated": gettext_lazy("moved the review to the rules of another range of years"),
    "review.carried_over": gettext_lazy("carried the review over to the successor organisation"),
}


def audit_sentence(event, names: dict | None = None) -> str:
    """What happened, in a sentence (without the actor)."""
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
