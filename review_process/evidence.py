"""The evidence file (hồ sơ kiểm điểm): the checklist of domain-rules.md §6 and the downloadable archive.

``evidence_checklist(review)`` lists the ten items an auditor expects, each linked to the records that
make it up, or marked:

* ``present``: the records are there;
* ``missing``: the item is due at the review's stage and its records are not there;
* ``not_yet_due``: the review has not reached the step that produces it;
* ``not_applicable``: the step does not arise (a remedial plan where no shortcoming was named);
* ``outside``: the item is a paper this system does not hold (the superior's plan, individual
  self-reviews, ballots); it is listed so the auditor asks for it, and never counts as missing.

``evidence_archive(review)`` builds one ZIP with an ``index.html``, a ``manifest.json`` (SHA-256 and size
of every other file), the report versions (text and attachments), the opinions, the conference minutes and
the final report as .docx and PDF, the compliance report, and the audit trail as CSV and JSON with the
chain verdict.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from review_process.compliance.facts import ReviewFacts, facts_for
from review_process.models import AuditEvent, Review


class ItemStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    MISSING = "missing", _("Missing")
    NOT_YET_DUE = "not_yet_due", _("Not yet due")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    OUTSIDE = "outside", _("Kept outside this system")


@dataclass
class EvidenceItem:
    number: int
    title_vi: str
    title_en: str
    tag: str  # the domain-rules.md tag of the item's source
    status: str
    records: list[dict] = field(default_factory=list)  # {"type", "id", "label"}
    note: str = ""
    files: list[str] = field(default_factory=list)  # paths inside the archive

    @property
    def title(self) -> str:
        return self.title_vi if (translation.get_language() or "vi").startswith("vi") else self.title_en

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
    records = [_rec("audit_event", circulated, _("Draft circulated for comments"))] if circulated else []
    records += [_rec("opinion", o, o.get_channel_display()) for o in f.opinions]
    accepted = len(f.accepted_opinions)
    note = _("%(n)s opinions received, %(a)s accepted, %(e)s explained.") % {
        "n": len(f.opinions),
        "a": accepted,
        "e": len(f.responses) - accepted,
    }
    status = _status(f.reached("close_opinions"), circulated is not None and bool(f.opinions), bool(records))
    return status, records, note


def _reports(f: ReviewFacts):
    draft, final = f.circulated_draft, f.final_version
    records = [_rec("report_version", v, v.label) for v in f.versions]
    records += [_rec("opinion_response", r, r.get_decision_display()) for r in f.responses.values()]
    complete = (draft is not None or not f.reached("circulate_draft")) and (
        final is not None or not f.reached("submit_assessment")
    )
    due = f.reached("circulate_draft")
    note = ""
    if f.reached("submit_assessment") and final is None:
        note = _("No final version.")
    elif due and draft is None:
        note = _("No draft version.")
    return _status(due, complete, bool(records)), records, note


def _conference(f: ReviewFacts):
    if f.conference is None:
        return _status(f.reached("close_opinions"), False, False), [], _("No conference recorded.")
    records = [_rec("conference", f.conference, f.conference.location)]
    present = sum(1 for a in f.attendance if a.present)
    note = _("Attendance list: %(p)s of %(n)s present; %(r)s superior representatives. Minutes generated.") % {
        "p": present,
        "n": len(f.attendance),
        "r": len(f.representatives),
    }
    return _status(f.reached("close_opinions"), bool(f.attendance), True), records, note


def _rating(f: ReviewFacts):
    records = (
        [_rec("self_assessment", f.self_assessment, f.self_assessment.get_proposed_rating_display())]
        if (f.self_assessment)
        else []
    )
    note = _("The self-rating is kept here; ballots, the vote count and analysis sheets are kept on paper.")
    return _status(f.reached("submit_assessment"), bool(records), bool(records)), records, note


def _decision(f: ReviewFacts):
    records = []
    if f.decision:
        records.append(_rec("decision", f.decision, f.decision.get_final_rating_display()))
    if f.notification:
        records.append(_rec("notification", f.notification, f.notification.notified_on.isoformat()))
    due_decision, due_notice = f.reached("approve"), f.reached("close")
    complete = (f.decision is not None or not due_decision) and (f.notification is not None or not due_notice)
    note = _("The organisation board's appraisal is kept on paper.")
    return _status(due_decision, complete, bool(records)), records, note


def _remedial(f: ReviewFacts):
    records = [_rec("remedial_plan", f.remedial_plan, len(f.remedial_items))] if f.remedial_plan else []
    if f.reached("close") and not f.shortcomings():
        return (ItemStatus.PRESENT if records else ItemStatus.NOT_APPLICABLE), records, _("No shortcomings named.")
    return _status(f.reached("close"), bool(f.remedial_items), bool(records)), records, ""


def _archive(f: ReviewFacts):
    records = [_rec("audit_event", e, e.action) for e in f.events[-1:]]
    note = _("%(n)s audit events, hash-chained; this archive is generated from them.") % {"n": len(f.events)}
    return _status(True, bool(f.events), bool(f.events)), records, note


# (number, title_vi, title_en, source tag, how to find it)
CHECKLIST: tuple[tuple[int, str, str, str, Callable], ...] = (
    (
        1,
        "Kế hoạch, hướng dẫn của cấp trên và kế hoạch thực hiện của đảng ủy phường",
        "The superior's plan or guidance and the ward's implementing plan",
        "S",
        _outside(_("Issued on paper by the superior and the ward; ask for them.")),
    ),
    (
        2,
        "Văn bản gợi ý kiểm điểm của cấp trên (nếu có)",
        "The superior's review pointers, if any",
        "S-sec",
        _outside(_("Only when the superior gives pointers; kept on paper.")),
    ),
    (
        3,
        "Văn bản xin ý kiến, các ý kiến góp ý và bản tổng hợp",
        "Request for comments, the comments received and their summary",
        "S",
        _comments,
    ),
    (
        4,
        "Dự thảo báo cáo và báo cáo hoàn chỉnh (Mẫu 01-HD KĐ.ĐG), nội dung tiếp thu",
        "Draft and final report (Mẫu 01-HD KĐ.ĐG) and what was accepted",
        "S-sec",
        _reports,
    ),
    (
        5,
        "Bản tự kiểm điểm cá nhân (Mẫu 02/02B; 2A/2B/2C từ 2025)",
        "Individual self-reviews (Mẫu 02/02B; 2A/2B/2C from 2025)",
        "S-sec",
        _outside(_("Individual reviews are separate files; ask for them.")),
    ),
    (
        6,
        "Giấy mời, danh sách dự, biên bản hội nghị",
        "Invitation, attendance list and minutes of the conference",
        "I",
        _conference,
    ),
    (
        7,
        "Phiếu đánh giá, biên bản kiểm phiếu, tự đánh giá xếp loại",
        "Rating ballots, vote-count record and the self-rating",
        "S",
        _rating,
    ),
    (
        8,
        "Thẩm định, quyết định xếp loại và thông báo kết quả",
        "Appraisal, the rating decision and the notification of results",
        "S-sec",
        _decision,
    ),
    (
        9,
        "Kế hoạch khắc phục hạn chế, khuyết điểm",
        "Remedial plan",
        "S-sec",
        _remedial,
    ),
    (
        10,
        "Lưu trữ hồ sơ (nhật ký kiểm tra được)",
        "Archive (the verifiable audit trail)",
        "S-sec",
        _archive,
    ),
)


def checklist_from_facts(f: ReviewFacts) -> list[EvidenceItem]:
    items = []
    for number, title_vi, title_en, tag, find in CHECKLIST:
        status, records, note = find(f)
        items.append(EvidenceItem(number, title_vi, title_en, tag, status, records, note))
    return items


def evidence_checklist(review: Review | int) -> list[EvidenceItem]:
    return checklist_from_facts(facts_for(review))


# --- The archive ------------------------------------------------------------------------------------

AUDIT_COLUMNS = (
    "id",
    "sequence",
    "global_sequence",
    "occurred_at",
    "action",
    "actor",
    "actor_role",
    "from_state",
    "to_state",
    "payload",
    "prev_hash",
    "hash",
    "chain_prev_hash",
    "chain_hash",
)


def _audit_rows(review: Review) -> list[dict]:
    rows = []
    for e in AuditEvent.objects.filter(review=review).select_related("actor").order_by("sequence"):
        rows.append(
            {
                "id": e.pk,
                "sequence": e.sequence,
                "global_sequence": e.global_sequence,
                "occurred_at": e.occurred_at.isoformat(),
                "action": e.action,
                "actor": e.actor.username if e.actor else "",
                "actor_role": e.actor_role,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "payload": e.payload,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
                "chain_prev_hash": e.chain_prev_hash,
                "chain_hash": e.chain_hash,
            }
        )
    return rows


def _csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheet programs then read UTF-8


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _safe_name(name: str) -> str:
    base = os.path.basename(name or "attachment")
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in base) or "attachment"


def evidence_archive(review: Review | int) -> bytes:
    """The whole evidence file of ``review`` as one ZIP (see the module docstring)."""
    from review_process import documents
    from review_process.audit import verify_chain
    from review_process.compliance.report import report_from_facts

    facts = facts_for(review)
    review = facts.review
    items = checklist_from_facts(facts)
    by_number = {i.number: i for i in items}
    files: dict[str, bytes] = {}
    notes: dict[str, str] = {}

    def add(path: str, data: bytes, item: int | None, note: str = "") -> None:
        files[path] = data
        if note:
            notes[path] = note
        if item is not None:
            by_number[item].files.append(path)

    for version in facts.versions:
        kind = "final" if version.is_final else ("draft" if version.number == 1 else "revision")
        add(f"reports/v{version.number}-{kind}.txt", version.text.encode("utf-8"), 4)
        if version.attachment:
            try:
                with version.attachment.open("rb") as fh:
                    data = fh.read()
            except OSError:
                notes[f"reports/v{version.number}-attachment"] = str(_("The attachment file is missing."))
            else:
                ok = not version.attachment_sha256 or hashlib.sha256(data).hexdigest() == version.attachment_sha256
                add(
                    f"reports/v{version.number}-attachment-{_safe_name(version.attachment.name)}",
                    data,
                    4,
                    "" if ok else str(_("The attachment does not match the SHA-256 recorded when it was uploaded.")),
                )
    opinion_rows = []
    for o in facts.opinions:
        r = facts.response(o)
        opinion_rows.append(
            [
                o.pk,
                o.created_at.isoformat(),
                o.channel,
                o.author.get_full_name(),
                o.text,
                r.decision if r else "",
                r.note if r else "",
                r.responded_at.isoformat() if r else "",
            ]
        )
    add(
        "opinions.csv",
        _csv(["id", "created_at", "channel", "author", "text", "decision", "note", "responded_at"], opinion_rows),
        3,
    )
    if facts.conference is not None:
        minutes = documents.conference_minutes(review)
        add("conference/bien-ban-hoi-nghi.docx", documents.render_docx(minutes), 6)
        add("conference/bien-ban-hoi-nghi.pdf", documents.render_pdf(minutes), 6)
    if facts.final_version is not None:
        report = documents.final_report(review)
        add("final-report/bao-cao-hoan-chinh.docx", documents.render_docx(report), 4)
        add("final-report/bao-cao-hoan-chinh.pdf", documents.render_pdf(report), 4)
    audit_rows = _audit_rows(review)
    add(
        "audit/audit-trail.csv",
        _csv(
            AUDIT_COLUMNS,
            [
                [json.dumps(r[c], ensure_ascii=False) if c == "payload" else r[c] for c in AUDIT_COLUMNS]
                for r in audit_rows
            ],
        ),
        10,
    )
    add("audit/audit-trail.json", _json(audit_rows), 10)
    verdict = verify_chain(reviews=[review])
    add("audit/chain-verdict.json", _json({**verdict.__dict__, "describe": verdict.describe()}), 10)
    compliance = report_from_facts(facts)
    add("compliance.json", _json(compliance.as_dict(detail=True)), None)

    generated_at = timezone.now()
    summary = {
        "review": {
            "id": review.pk,
            "organization": review.organization.code,
            "organization_name": review.organization.name,
            "year": review.year,
            "state": review.state,
        },
        "generated_at": generated_at.isoformat(),
        "compliant": compliance.compliant,
        "chain_intact": verdict.intact,
    }
    index = render_to_string(
        "compliance/evidence_index.html",
        {
            "review": review,
            "items": items,
            "files": [(p, hashlib.sha256(d).hexdigest(), len(d), notes.get(p, "")) for p, d in files.items()],
            "report": compliance,
            "verdict": verdict,
            "generated_at": generated_at,
        },
    ).encode("utf-8")
    files["index.html"] = index
    manifest = {
        **summary,
        "checklist": [i.as_dict() for i in items],
        "notes": notes,
        "files": [
            {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for path, data in sorted(files.items())
        ],
    }
    buffer = io.BytesIO()
    stamp = timezone.localtime(generated_at).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in ["index.html", *sorted(p for p in files if p != "index.html")]:
            archive.writestr(zipfile.ZipInfo(path, date_time=stamp), files[path], compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(
            zipfile.ZipInfo("manifest.json", date_time=stamp), _json(manifest), compress_type=zipfile.ZIP_DEFLATED
        )
    return buffer.getvalue()
