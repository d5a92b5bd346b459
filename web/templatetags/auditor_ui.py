"""The ``auditor_ui`` template tag library: the auditors' pages in words, and every date in Hà Nội time.

Dates: ``hanoi_date`` and ``hanoi_datetime`` show a date, an aware datetime or an ISO 8601 text as
``dd/mm/yyyy`` and ``dd/mm/yyyy HH:MM``, in Hà Nội time (Asia/Ho_Chi_Minh) whatever the active time zone: an event
recorded at 20:00 UTC shows on the next day.

Codes, one table per kind, each read from where the code is defined (nothing restated here where a label exists):

* stages: ``review_ui.state_label`` (``ReviewState``'s labels, through ``review_process.machine``);
* a rule's result and severity: ``result_label`` / ``severity_label`` (the registry's ``Status``/``Severity``);
* a rule's title: ``rule_title`` (the registry's titles, the regime's parameter filled in:
  ``review_process.compliance.report.rule_title``);
* audit actions: ``review_ui.audit_sentence`` (a transition by its ``Action`` label, a record by ``AUDIT_SENTENCES``);
* evidence records: ``RECORD_KINDS`` below (the record models carry no translated name of their own), each a link
  to the record's place on the review page, or for an audit event to the event on the audit trail page
  (anchor ``audit-event-<id>``).

``auditor_links`` gives the auditors' links a person may open for a review (``web.compliance.links``);
``user_may_audit`` says whether the top menu shows the bulk compliance page.
"""

from __future__ import annotations

import datetime

from django import template
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from review_process.compliance import report as compliance_report
from review_process.compliance.facts import HANOI
from review_process.compliance.rules import RULES_BY_CODE, Severity, Status
from web.compliance.links import auditor_links as links_for
from web.compliance.links import may_audit_any
from web.templatetags.review_ui import audit_details, audit_sentence

register = template.Library()

# --- Dates --------------------------------------------------------------------------------------------------


def _moment(value):
    """A date or an aware datetime in Hà Nội time, from a date, a datetime or an ISO 8601 text (None if none)."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if len(text) == 10:  # a plain day: "2021-11-30"
            return value.date()
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:  # a naive datetime is read as UTC, as the database stores it
            value = value.replace(tzinfo=datetime.UTC)
        return value.astimezone(HANOI)
    if isinstance(value, datetime.date):
        return value
    return None


@register.filter
def hanoi_date(value) -> str:
    """``dd/mm/yyyy`` (Hà Nội day); empty for no value, the text unchanged when it is not a date."""
    moment = _moment(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    return moment.strftime("%d/%m/%Y")


@register.filter
def hanoi_datetime(value) -> str:
    """``dd/mm/yyyy HH:MM`` in Hà Nội time; a plain day gives ``dd/mm/yyyy``."""
    moment = _moment(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    if not isinstance(moment, datetime.datetime):
        return moment.strftime("%d/%m/%Y")
    return moment.strftime("%d/%m/%Y %H:%M")


@register.filter
def iso_datetime(value) -> str:
    """The machine-readable form for ``<time datetime="…">`` (with the Hà Nội offset)."""
    moment = _moment(value)
    return "" if moment is None else moment.isoformat()


# --- Codes --------------------------------------------------------------------------------------------------


@register.filter
def result_label(value) -> str:
    return str(Status(value).label) if value in Status.values else str(value or "")


@register.filter
def severity_label(value) -> str:
    return str(Severity(value).label) if value in Severity.values else str(value or "")


@register.filter
def rule_title(code, regime=None) -> str:
    """The rule's title in the active language; ``regime``: a review, a regime code or a review year."""
    return compliance_report.rule_title(str(code), regime=regime or None)


#: Evidence records: what each kind is called, and where on the review page it is shown (``{id}``: the record).
RECORD_KINDS = {
    "review": (_("the review"), ""),
    "report_version": (_("report version"), "report"),
    "opinion": (_("opinion"), "opinion-{id}"),
    "opinion_response": (_("response to an opinion"), "opinions"),
    "conference": (_("record of the conference"), "conference"),
    "attendance": (_("attendance at the conference"), "conference"),
    "guidance": (_("guidance of the superior"), "guidance"),
    "self_assessment": (_("self-assessment"), "assessment"),
    "decision": (_("rating decision"), "assessment"),
    "ballot": (_("ballot tally"), "ballot"),
    "notification": (_("notification of results"), "results"),
    "remedial_plan": (_("remedial plan"), "results"),
    "position": (_("position in the directory"), None),
}
AUDIT_EVENT = "audit_event"
EVIDENCE_ITEM = "evidence_item"  # an item of the evidence checklist: its row on the compliance report


def record_kind_label(kind: str) -> str:
    if kind == AUDIT_EVENT:
        return str(_("audit trail event"))
    return str(RECORD_KINDS[kind][0]) if kind in RECORD_KINDS else str(_("record"))


@register.simple_tag
def evidence_link(ref: dict, review, events: dict | None = None) -> str:
    """One evidence reference (``{"type", "id"[, "label"]}``) as a link: an audit event to its place on the audit
    trail page, described by what happened and when (``events``: id -> event, when loaded); an item of the evidence
    checklist to its row on the compliance report; a record to its place on the review page. Never the raw
    ``type #id``."""
    kind, pk = ref.get("type", ""), ref.get("id")
    label = ref.get("label") or ""
    if kind == AUDIT_EVENT:
        url = reverse("review_process:audit-trail", args=[review.pk]) + f"#audit-event-{pk}"
        event = (events or {}).get(pk)
        if event is not None:
            text = _("%(what)s on %(when)s") % {
                "what": event_sentence(event),
                "when": hanoi_datetime(event.occurred_at),
            }
            return format_html('<a href="{}">{} ({})</a>', url, record_kind_label(kind), text)
        return format_html('<a href="{}">{} {}</a>', url, record_kind_label(kind), pk)
    if kind == EVIDENCE_ITEM:
        url = reverse("compliance:review", args=[review.pk]) + f"#evidence-item-{pk}"
        return format_html('<a href="{}">{}</a>', url, _("item %(n)s of the evidence file") % {"n": pk})
    if _moment(label) is not None:  # a day as a label (the notification's): dd/mm/yyyy
        label = hanoi_date(label)
    anchor = RECORD_KINDS.get(kind, (None, None))[1]
    text = record_kind_label(kind) + (f" ({label})" if label else "")
    if anchor is None:
        return format_html("{}", text)
    url = reverse("review_process:review-detail", args=[review.pk])
    if anchor:
        url += "#" + anchor.format(id=pk)
    return format_html('<a href="{}">{}</a>', url, text)


# --- Links --------------------------------------------------------------------------------------------------


@register.simple_tag
def auditor_links(review, user):
    """The auditors' links ``user`` may open for ``review`` (``web.compliance.links.AuditorLinks``), or None."""
    return links_for(user, review)


@register.simple_tag(takes_context=True)
def user_may_audit(context) -> bool:
    """Show the top menu's link to the bulk compliance page (one query per page)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    cache = request.__dict__.setdefault("_may_audit", {})
    if user.pk not in cache:
        cache[user.pk] = may_audit_any(user)
    return cache[user.pk]


# --- Audit events -------------------------------------------------------------------------------------------

#: Said of an audit action that ``review_ui.AUDIT_SENTENCES`` does not know yet (never the raw code).
UNKNOWN_ACTION = _("recorded a change")


@register.simple_tag
def event_sentence(event, names: dict | None = None) -> str:
    """``review_ui.audit_sentence``, never showing the raw action code (an action it does not know yet reads
    "recorded a change"; the event's details still show its fields)."""
    sentence = audit_sentence(event, names)
    return str(UNKNOWN_ACTION) if sentence == event.action else sentence


@register.filter
def event_details(event) -> list[tuple[str, str]]:
    """``review_ui.audit_details`` with the dates and times in the payload shown in Hà Nội time, dd/mm/yyyy."""
    return [
        (label, hanoi_datetime(value) if _moment(value) is not None else value) for label, value in audit_details(event)
    ]


@register.filter
def rule_reference(code, review=None) -> str:
    """Where the rule comes from (the registry's citation for the review's regime), in the active language: an
    unverified source says so, and its note (written in English) is shown on English pages only."""
    rule_ = RULES_BY_CODE.get(str(code))
    if rule_ is None:
        return ""
    regime = getattr(review, "regime", None)
    citation = rule_.citation_for(regime.code if regime else None)
    text = ", ".join(part for part in (citation.document, citation.article, citation.clause) if part)
    if not citation.verified:
        text += " — " + str(_("unverified"))
        if citation.note and not (translation.get_language() or "vi").startswith("vi"):
            text += ": " + citation.note
    return text
