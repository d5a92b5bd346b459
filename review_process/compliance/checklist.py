"""The evidence checklist (hồ sơ kiểm điểm, domain-rules.md §6): what an auditor expects, computed from facts.

``checklist_from_facts(facts)`` lists the ten items, each linked to the records that make it up, or marked:

* ``present``: the records are there;
* ``missing``: the item is due at the review's stage and its records are not there;
* ``not_yet_due``: the review has not reached the step that produces it;
* ``not_applicable``: the step does not arise (a remedial plan where no shortcoming was named);
* ``outside``: the item is a paper this system does not hold (the superior's plan, individual
  self-reviews, ballots); it is listed so the auditor asks for it, and never counts as missing.

This module is pure: it reads ``ReviewFacts`` only (``evidence_checklist`` loads them for one review) and
writes nothing. The rule ``evidence_complete`` reads it; the archive writer (``review_process.evidence``)
builds on it. It imports neither of them.

Item titles are translatable (context "evidence file item"); ``title_vi`` and ``title_en`` render them in
each language for the archive's manifest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from review_process.compliance.facts import ReviewFacts, facts_for
from review_process.compliance.messages import choice_label, gettext
from review_process.models import OpinionChannel, Rating, ResponseDecision, Review


class ItemStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    MISSING = "missing", _("Missing")
    NOT_YET_DUE = "not_yet_due", _("Not yet due")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    OUTSIDE = "outside", _("Kept outside this system")


@dataclass
class EvidenceItem:
    number: int
    label: Promise | str  # the item's title, translated when read
    tag: str  # the domain-rules.md tag of the item's source
    status: str
    records: list[dict] = field(default_factory=list)  # {"type", "id", "label"}
    note: str = ""
    files: list[str] = field(default_factory=list)  # paths inside the archive

    @property
    def title(self) -> str:
        return str(self.label)

    @property
    def title_vi(self) -> str:
        with translation.override("vi"):
            return str(self.label)

    @property
    def title_en(self) -> str:
        with translation.override("en"):
            return str(self.label)

    @property
    def status_label(self) -> str:
        return str(ItemStatus(self.status).label)

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "title_vi": self.title_vi,
            "title_en": self.title_en,
            "source_tag": self.tag,
            "status": str(self.status),
            "records": self.records,
            "note": str(self.note),
            "files": self.files,
        }


def _rec(kind: str, obj, label: str = "") -> dict:
    return {"type": kind, "id": obj.pk, "label": str(label)}


def _status(due: bool, complete: bool, anything: bool) -> str:
    if due:
        return ItemStatus.PRESENT if complete else ItemStatus.MISSING
    return ItemStatus.PRESENT if anything else ItemStatus.NOT_YET_DUE


def _outside(note) -> Callable[[ReviewFacts], tuple[str, list, str]]:
    return lambda f: (ItemStatus.OUTSIDE, [], note)


def _comments(f: ReviewFacts):
    circulated = f.first_transition("circulate_draft")
    records = [_rec("audit_event", circulated, gettext("Draft circulated for comments"))] if circulated else []
    records += [_rec("opinion", o, choice_label(OpinionChannel, o.channel)) for o in f.opinions]
    accepted = len(f.accepted_opinions)
    note = gettext("%(n)s opinions received, %(a)s accepted, %(e)s explained.") % {
        "n": len(f.opinions),
        "a": accepted,
        "e": len(f.responses) - accepted,
    }
    status = _status(f.reached("close_opinions"), circulated is not None and bool(f.opinions), bool(records))
    return status, records, note


def _reports(f: ReviewFacts):
    draft, final = f.circulated_draft, f.final_version
    records = [_rec("report_version", v, v.label) for v in f.versions]
    records += [_rec("opinion_response", r, choice_label(ResponseDecision, r.decision)) for r in f.responses.values()]
    complete = (draft is not None or not f.reached("circulate_draft")) and (
        final is not None or not f.reached("submit_assessment")
    )
    due = f.reached("circulate_draft")
    note = ""
    if f.reached("submit_assessment") and final is None:
        note = gettext("No final version.")
    elif due and draft is None:
        note = gettext("No draft version.")
    return _status(due, complete, bool(records)), records, note


def _conference(f: ReviewFacts):
    if f.conference is None:
        return _status(f.reached("close_opinions"), False, False), [], gettext("No conference recorded.")
    records = [_rec("conference", f.conference, f.conference.location)]
    present = sum(1 for a in f.attendance if a.present)
    note = gettext("Attendance list: %(p)s of %(n)s present; %(r)s superior representatives. Minutes generated.") % {
        "p": present,
        "n": len(f.attendance),
        "r": len(f.representatives),
    }
    return _status(f.reached("close_opinions"), bool(f.attendance), True), records, note


def _rating(f: ReviewFacts):
    records = (
        [_rec("self_assessment", f.self_assessment, choice_label(Rating, f.self_assessment.proposed_rating))]
        if (f.self_assessment)
        else []
    )
    note = gettext("The self-rating is kept here; ballots, the vote count and analysis sheets are kept on paper.")
    return _status(f.reached("submit_assessment"), bool(records), bool(records)), records, note


def _decision(f: ReviewFacts):
    records = []
    if f.decision:
        records.append(_rec("decision", f.decision, choice_label(Rating, f.decision.final_rating)))
    if f.notification:
        records.append(_rec("notification", f.notification, f.notification.notified_on.isoformat()))
    due_decision, due_notice = f.reached("approve"), f.reached("close")
    complete = (f.decision is not None or not due_decision) and (f.notification is not None or not due_notice)
    note = gettext("The organisation board's appraisal is kept on paper.")
    return _status(due_decision, complete, bool(records)), records, note


def _remedial(f: ReviewFacts):
    records = [_rec("remedial_plan", f.remedial_plan, len(f.remedial_items))] if f.remedial_plan else []
    if f.reached("close") and not f.shortcomings():
        return (
            (ItemStatus.PRESENT if records else ItemStatus.NOT_APPLICABLE),
            records,
            gettext("No shortcomings named."),
        )
    return _status(f.reached("close"), bool(f.remedial_items), bool(records)), records, ""


def _archive(f: ReviewFacts):
    records = [_rec("audit_event", e, e.action) for e in f.events[-1:]]
    note = gettext("%(n)s audit events, hash-chained; this archive is generated from them.") % {"n": len(f.events)}
    return _status(True, bool(f.events), bool(f.events)), records, note


# (number, title, source tag, how to find it)
CHECKLIST: tuple[tuple[int, Promise, str, Callable], ...] = (
    (
        1,
        pgettext_lazy("evidence file item", "The superior's plan or guidance and the ward's implementing plan"),
        "S",
        _outside(_("Issued on paper by the superior and the ward; ask for them.")),
    ),
    (
        2,
        pgettext_lazy("evidence file item", "The superior's review pointers, if any"),
        "S-sec",
        _outside(_("Only when the superior gives pointers; kept on paper.")),
    ),
    (
        3,
        pgettext_lazy("evidence file item", "Request for comments, the comments received and their summary"),
        "S",
        _comments,
    ),
    (
        4,
        pgettext_lazy("evidence file item", "Draft and final report (Mẫu 01-HD KĐ.ĐG) and what was accepted"),
        "S-sec",
        _reports,
    ),
    (
        5,
        pgettext_lazy("evidence file item", "Individual self-reviews (Mẫu 02/02B; 2A/2B/2C from 2025)"),
        "S-sec",
        _outside(_("Individual reviews are separate files; ask for them.")),
    ),
    (
        6,
        pgettext_lazy("evidence file item", "Invitation, attendance list and minutes of the conference"),
        "I",
        _conference,
    ),
    (
        7,
        pgettext_lazy("evidence file item", "Rating ballots, vote-count record and the self-rating"),
        "S",
        _rating,
    ),
    (
        8,
        pgettext_lazy("evidence file item", "Appraisal, the rating decision and the notification of results"),
        "S-sec",
        _decision,
    ),
    (
        9,
        pgettext_lazy("evidence file item", "Remedial plan"),
        "S-sec",
        _remedial,
    ),
    (
        10,
        pgettext_lazy("evidence file item", "Archive (the verifiable audit trail)"),
        "S-sec",
        _archive,
    ),
)


def checklist_from_facts(f: ReviewFacts) -> list[EvidenceItem]:
    items = []
    for number, label, tag, find in CHECKLIST:
        status, records, note = find(f)
        items.append(EvidenceItem(number, label, tag, status, records, note))
    return items


def evidence_checklist(review: Review | int) -> list[EvidenceItem]:
    return checklist_from_facts(facts_for(review))
