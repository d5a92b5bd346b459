"""The ``rating_ui`` template tag library: ratings' records in words (the grounds for "not complete" by their
labels, a vote's tally). Nothing here decides anything: the rules are ``review_process.ratings``'."""

from __future__ import annotations

from django import template

from web.forms import trigger_label

register = template.Library()


@register.filter
def trigger_labels(codes) -> list[str]:
    """The grounds for "not complete" recorded (codes of ``review_process.regimes.Trigger``), in words."""
    return [trigger_label(code) for code in codes or ()]
