"""The evidence archive: the whole evidence file (hồ sơ kiểm điểm) of one review as one ZIP.

``evidence_archive(review)`` builds one ZIP with an ``index.html``, a ``manifest.json`` (SHA-256 and size
of every other file), the report versions (text and attachments), the opinions, the conference minutes and
the final report as .docx and PDF, the compliance report, and the audit trail as CSV and JSON with the
chain verdict.

This is the writer only. What the file must contain is the checklist
(``review_process.compliance.checklist``), which the compliance rules read; the rules never import this
module, so the archive may build on the compliance report without a cycle.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import zipfile

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from review_process import documents
from review_process.audit import verify_chain
from review_process.compliance.checklist import checklist_from_facts
from review_process.compliance.facts import facts_for
from review_process.compliance.report import report_from_facts
from review_process.models import AuditEvent, Review

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
