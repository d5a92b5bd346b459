"""The order of the review page's sections: the current stage's work first, earlier stages collapsed.

Each section of the page belongs to the stages at which its work is done (``SECTIONS``).  On a review at stage S:

* ``current``: S is one of the section's stages, or the form the person just posted in it came back with an error.
  Drawn open, first, in the page's order (a form of a collapsed section is reached from "What you can do now":
  the browser, or the page's script, opens the section at the link's target);
* ``earlier``: its stages are all before S (or the review has ended): collapsed (``<details>``) with a summary line
  saying what was recorded;
* ``later``: its stages have not come yet: collapsed at the end, with the same summary line.

Reads only what the page already loaded (``review_process.selectors.review_records``): no query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from review_process.machine import STAGE_ORDER
from review_process.models import ReviewState

S = ReviewState


@dataclass(frozen=True)
class Section:
    id: str
    stages: tuple[str, ...]
    #: the page's form keys drawn in this section (a key of RECORD_FORMS, or a prefix of per-record forms)
    forms: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section("report", (S.DRAFT, S.FINALIZING), ("report",)),
    Section("participants", (S.DRAFT, S.COLLECTING_OPINIONS), ("invite", "revoke-")),
    Section("opinions", (S.COLLECTING_OPINIONS, S.FINALIZING), ("opinion", "spoken", "acceptall", "respond-")),
    Section("conference", (S.COLLECTING_OPINIONS,), ("conference",)),
    Section("guidance", (S.AWAITING_GUIDANCE,), ("guidance", "gwithdraw-")),
    Section("ballot", (S.FINALIZING, S.SUBMITTED), ("ballot",)),
    Section("assessment", (S.FINALIZING, S.SUBMITTED), ("assessment", "decision")),
    Section("results", (S.APPROVED,), ("notification", "plan")),
)


def _day(value) -> str:
    return formats.date_format(value, "d/m/Y") if value else ""


def _titles(individual: bool) -> dict[str, str]:
    return {
        "report": _("Self-review") if individual else _("Report"),
        "participants": _("Invited participants"),
        "opinions": _("Comments on the self-review") if individual else _("Opinions"),
        "conference": _("Review conference"),
        "guidance": _("Guidance of the superior"),
        "ballot": _("Secret-ballot tally"),
        "assessment": _("Self-assessment and decision"),
        "results": _("Notification of results and remedial plan"),
    }


def _summaries(recs: dict, unanswered: int, ballot) -> dict[str, str]:
    versions = recs["report_versions"]
    latest = versions[-1] if versions else None
    opinions = len(recs["opinions"])
    participants = [p for p in recs["participants"] if getattr(p, "revoked_at", None) is None]
    conference = recs["conference"]
    guidance = [g for g in recs["guidance"] if getattr(g, "withdrawn_at", None) is None]
    assessment, decision = recs["self_assessment"], recs["decision"]
    notification, plan = recs["notification"], recs["remedial_plan"]
    return {
        "report": (
            ngettext(
                "%(n)s version; the latest: %(label)s, %(day)s",
                "%(n)s versions; the latest: %(label)s, %(day)s",
                len(versions),
            )
            % {"n": len(versions), "label": latest.label, "day": _day(latest.occurred_on)}
            if latest
            else _("No report version yet.")
        ),
        "participants": (
            ngettext("%(n)s person invited", "%(n)s people invited", len(participants)) % {"n": len(participants)}
            if participants
            else _("Nobody has been invited.")
        ),
        "opinions": ngettext("%(n)s opinion", "%(n)s opinions", opinions) % {"n": opinions}
        + (
            ", " + ngettext("%(n)s without a response", "%(n)s without a response", unanswered) % {"n": unanswered}
            if unanswered
            else ""
        ),
        "conference": (
            _("held on %(day)s, %(place)s")
            % {"day": _day(timezone.localtime(conference.held_at).date()), "place": conference.location}
            if conference
            else _("The conference has not been recorded yet.")
        ),
        "guidance": (
            ngettext("%(n)s guidance recorded", "%(n)s guidance recorded", len(guidance)) % {"n": len(guidance)}
            if guidance
            else _("No guidance has been recorded yet.")
        ),
        "ballot": _("recorded") if ballot else _("The secret-ballot tally has not been recorded yet."),
        "assessment": _("proposed: %(proposed)s; final: %(final)s")
        % {
            "proposed": assessment.get_proposed_rating_display() if assessment else "—",
            "final": decision.get_final_rating_display() if decision else "—",
        },
        "results": _("notified: %(notified)s; remedial plan: %(plan)s")
        % {
            "notified": _day(notification.notified_on) if notification else "—",
            "plan": _("filed") if plan else "—",
        },
    }


def _owns(section: Section, key: str) -> bool:
    return any(key == k or (k.endswith("-") and key.startswith(k)) for k in section.forms)


def _status(section: Section, state: str) -> str:
    if state in section.stages:
        return "current"
    if state not in STAGE_ORDER:  # cancelled: everything that was done is behind
        return "earlier"
    here = STAGE_ORDER.index(state)
    return "earlier" if all(STAGE_ORDER.index(s) < here for s in section.stages) else "later"


def page_sections(*, review, recs, individual, error_keys, unanswered: int, ballot=None) -> list[dict]:
    """The sections in the order drawn, each with its ``status``, whether it is ``open``, title and summary.

    ``error_keys``: the forms that came back with an error (their section is open, whatever the stage)."""
    titles = _titles(bool(individual))
    summaries = _summaries(recs, unanswered, ballot)
    rows = []
    for section in SECTIONS:
        if section.id == "ballot" and not individual:
            continue
        status = _status(section, review.state)
        is_open = status == "current" or any(_owns(section, key) for key in error_keys)
        rows.append(
            {
                "id": section.id,
                "template": f"review_process/includes/section_{section.id}.html",
                "status": "current" if is_open else status,
                "open": is_open,
                "title": titles[section.id],
                "summary": summaries[section.id],
            }
        )
    rank = {"current": 0, "earlier": 1, "later": 2}
    return sorted(rows, key=lambda row: rank[row["status"]])
