"""How long each text a person writes on a review may be: one table, enforced by the services.

``TEXT_LIMITS`` maps a kind of text to its maximum length in characters; ``services.base.limit_text`` refuses a
longer one with code ``text_too_long`` and a translated message naming the field and the limit. The web forms and
the API read the same table (a 100,000-character guidance once made a 28-page minutes).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: The longest text of each kind, in characters.
TEXT_LIMITS: dict[str, int] = {
    "report_text": 200_000,
    "opinion_text": 10_000,
    "response_note": 10_000,
    "guidance_text": 10_000,
    "justification": 10_000,
    "decision_reason": 10_000,
    "remedial_item": 2_000,
    "remedial_owner": 255,
    "location": 255,
    "reason": 2_000,
    "note": 2_000,
}

#: How each kind of text is named in the refusal.
TEXT_LABELS = {
    "report_text": _("The report"),
    "opinion_text": _("The opinion"),
    "response_note": _("The response"),
    "guidance_text": _("The guidance"),
    "justification": _("The basis of the self-assessment"),
    "decision_reason": _("The reason for the decision"),
    "remedial_item": _("The shortcoming and measure"),
    "remedial_owner": _("The owner"),
    "location": _("The place"),
    "reason": _("The reason"),
    "note": _("The note"),
}

TEXT_TOO_LONG = _("%(label)s is too long: %(length)s characters; at most %(limit)s are allowed.")
