"""The evidence archive: the whole evidence file (hồ sơ kiểm điểm) of one review as one ZIP.

``evidence_archive(review)`` builds one ZIP with an ``index.html``, a ``manifest.json`` (SHA-256 and size
of every other file), the report versions (text and attachments), the opinions, the conference minutes and
the final report as .docx and PDF (and an individual review's ballot minutes), the compliance report, and the
audit trail as CSV and JSON with the chain verdict.

The archive is written to a spooled temporary file (``evidence_archive_file``; memory only up to
``SPOOL_MEMORY_BYTES``) and streamed from there; attachments are copied in chunks, never held whole in memory.
Text cells of the CSV files are neutralised for spreadsheets (``compliance.export.spreadsheet_safe``).

This is the writer only. What the file must contain is the checklist
(``review_process.compliance.checklist``), which the compliance rules read; the rules never import this
module, so the archive may build on the compliance report without a cycle.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from typing import IO, BinaryIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from review_process import documents
from review_process.attachments import safe_name
from review_process.audit import verify_chain
from review_process.compliance.checklist import checklist_from_facts
from review_process.compliance.export import spreadsheet_row
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
    for e in AuditEvent.objects.filter(review=review).select_related("actor", "seal").order_by("sequence"):
        seal = getattr(e, "seal", None)  # its place in the global chain; None until sealed (review_process.audit)
        rows.append(
            {
                "id": e.pk,
                "sequence": e.sequence,
                "global_sequence": seal.global_sequence if seal else None,
                "occurred_at": e.occurred_at.isoformat(),
                "action": e.action,
                "actor": e.actor.username if e.actor else "",
                "actor_role": e.actor_role,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "payload": e.payload,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
                "chain_prev_hash": seal.chain_prev_hash if seal else "",
                "chain_hash": seal.chain_hash if seal else "",
            }
        )
    return rows


def _csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spreadsheet_row(header))
    writer.writerows(spreadsheet_row(row) for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheet programs then read UTF-8


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


CHUNK_BYTES = 64 * 1024
SPOOL_MEMORY_BYTES = 1024 * 1024


@dataclass
class _Member:
    """One file of the archive: its bytes, or a spooled copy (an attachment); its SHA-256 and size."""

    data: bytes | None
    spool: IO[bytes] | None
    sha256: str
    size: int

    @classmethod
    def of_bytes(cls, data: bytes) -> _Member:
        return cls(data=data, spool=None, sha256=hashlib.sha256(data).hexdigest(), size=len(data))

    @classmethod
    def of_file(cls, fh: IO[bytes]) -> _Member:
        """A copy of ``fh`` read in chunks (hashed on the way): what is hashed is what is archived."""
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)
        sha = hashlib.sha256()
        size = 0
        while chunk := fh.read(CHUNK_BYTES):
            sha.update(chunk)
            spool.write(chunk)
            size += len(chunk)
        spool.seek(0)
        return cls(data=None, spool=spool, sha256=sha.hexdigest(), size=size)

    def write_to(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        info.compress_type = zipfile.ZIP_DEFLATED
        if self.data is not None:
            archive.writestr(info, self.data)
            return
        with archive.open(info, "w") as out:
            shutil.copyfileobj(self.spool, out, CHUNK_BYTES)

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()


def write_evidence_archive(review: Review | int, out: BinaryIO) -> None:
    """Write the whole evidence file of ``review`` as one ZIP to ``out`` (see the module docstring)."""
    files: dict[str, _Member] = {}
    try:
        _write(review, out, files)
    finally:
        for member in files.values():
            member.close()


def evidence_archive_file(review: Review | int) -> IO[bytes]:
    """The evidence archive in a temporary file, positioned at its start (the caller closes it)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES, suffix=".zip")
    try:
        write_evidence_archive(review, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def evidence_archive(review: Review | int) -> bytes:
    """The evidence archive as bytes (tests and small uses; pages stream ``evidence_archive_file``)."""
    with evidence_archive_file(review) as fh:
        return fh.read()


def _write(review: Review | int, out: BinaryIO, files: dict[str, _Member]) -> None:
    facts = facts_for(review)
    review = facts.review
    items = checklist_from_facts(facts)
    by_number = {i.number: i for i in items}
    notes: dict[str, str] = {}

    def add(path: str, data: bytes | _Member, item: int | None, note: str = "") -> _Member:
        member = data if isinstance(data, _Member) else _Member.of_bytes(data)
        files[path] = member
        if note:
            notes[path] = note
        if item is not None:
            by_number[item].files.append(path)
        return member

    for version in facts.versions:
        kind = "final" if version.is_final else ("draft" if version.number == 1 else "revision")
        add(f"reports/v{version.number}-{kind}.txt", version.text.encode("utf-8"), 4)
        if version.attachment:
            try:
                with version.attachment.storage.open(version.attachment.name, "rb") as fh:
                    member = _Member.of_file(fh)
            except OSError:
                notes[f"reports/v{version.number}-attachment"] = str(_("The attachment file is missing."))
            else:
                ok = not version.attachment_sha256 or member.sha256 == version.attachment_sha256
                add(
                    f"reports/v{version.number}-attachment-{safe_name(version.attachment.name)}",
                    member,
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
    if facts.ballot is not None:  # an individual review's secret ballot: the ballot minutes (item 7)
        ballot = documents.ballot_minutes(review)
        add("ballot/bien-ban-kiem-phieu.docx", documents.render_docx(ballot), 7)
        add("ballot/bien-ban-kiem-phieu.pdf", documents.render_pdf(ballot), 7)
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
            "files": [(p, m.sha256, m.size, notes.get(p, "")) for p, m in files.items()],
            "report": compliance,
            "verdict": verdict,
            "generated_at": generated_at,
        },
    ).encode("utf-8")
    files["index.html"] = _Member.of_bytes(index)
    manifest = {
        **summary,
        "checklist": [i.as_dict() for i in items],
        "notes": notes,
        "files": [{"path": path, "sha256": m.sha256, "size": m.size} for path, m in sorted(files.items())],
    }
    stamp = timezone.localtime(generated_at).timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in ["index.html", *sorted(p for p in files if p != "index.html")]:
            files[path].write_to(archive, zipfile.ZipInfo(path, date_time=stamp))
        _Member.of_bytes(_json(manifest)).write_to(archive, zipfile.ZipInfo("manifest.json", date_time=stamp))
