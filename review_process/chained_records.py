"""The records a review's audit trail vouches for: what of each record is fingerprinted, declared once.

Every service that writes one of these records (or changes the review itself) appends an audit event whose
payload carries ``{"records": [{"type": "review_process.Decision", "id": 7, "sha256": "…"}]}``
(``review_process.audit.audit_record(records=[...])``). The fingerprint is the SHA-256 of the canonical JSON of
the record's *snapshot*: the fields declared in ``KINDS`` and, for a conference and a remedial plan, the rows
that belong to it (attendance, superior representatives, plan items). ``audit.verify_records`` re-derives the
fingerprint of every row and compares it with the latest event that fingerprinted the record.

Invariants:

* A fingerprint is computed from rows read back from the database (``fingerprints`` reloads the instances it
  is given), so the value written into an event is exactly what verification re-derives.  The one exception is
  ``fingerprints(..., in_memory=True)``, for an instance the caller read under its row lock in this
  transaction and has just saved (the transition service's review): its snapshot is taken from the instance,
  each value as the database gives it back (``stored_values.as_stored``; anything it cannot vouch for is read back
  instead), and ``tests/review_process/test_fingerprint_in_memory.py`` holds it equal to the database's for
  every field type of the kind, on SQLite and PostgreSQL.
* Loading is in bulk: ``snapshots_for_reviews`` costs ``SNAPSHOT_QUERIES`` queries whatever the number of
  reviews (one per kind and one per part).
* The snapshot of a kind is part of the evidence: changing a kind's fields changes every fingerprint of that
  kind, so existing events would no longer match. Add a field only together with a way to re-fingerprint.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import F

from review_process.models import (
    Attendance,
    Ballot,
    Conference,
    Decision,
    Guidance,
    Notification,
    Opinion,
    OpinionResponse,
    RemedialItem,
    RemedialPlan,
    ReportVersion,
    Review,
    ReviewParticipant,
    SelfAssessment,
)
from review_process.stored_values import NotAsStored, as_stored


@dataclass(frozen=True)
class Part:
    """Rows that belong to a record and are fingerprinted with it (order does not count)."""

    name: str
    model: type[models.Model]
    parent: str  # the field pointing at the record
    review: str  # lookup from a row to its review's id
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Kind:
    """One kind of chained record: its model, the fields of its snapshot, and where its review is."""

    model: type[models.Model]
    evidence_type: str  # the compliance report's evidence link type
    review: str  # lookup from a row to its review's id ("pk" for the review itself)
    fields: tuple[str, ...]
    parts: tuple[Part, ...] = ()

    @property
    def label(self) -> str:
        return self.model._meta.label


KINDS: tuple[Kind, ...] = (
    Kind(
        Review,
        "review",
        "pk",
        (
            "organization",
            "year",
            "kind",
            "subject",
            "regime_code",
            "state",
            "opened_by",
            "opened_at",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "closed_at",
            "cancel_reason",
        ),
    ),
    Kind(
        ReportVersion,
        "report_version",
        "review",
        ("review", "number", "text", "is_final", "attachment_sha256", "created_by", "created_at"),
    ),
    Kind(ReviewParticipant, "participant", "review", ("review", "person", "invited_by", "invited_at")),
    Kind(Opinion, "opinion", "review", ("review", "author", "recorded_by", "channel", "text", "created_at")),
    Kind(
        OpinionResponse,
        "opinion_response",
        "opinion__review",
        ("opinion", "decision", "note", "responded_by", "responded_at"),
    ),
    Kind(
        Conference,
        "conference",
        "review",
        (
            "review",
            "held_at",
            "location",
            "chair",
            "minutes_secretary",
            "minutes_approved",
            "minutes_approval",
            "recorded_by",
        ),
        parts=(
            Part("attendance", Attendance, "conference", "conference__review", ("person", "present", "reason")),
            Part(
                "superior_representatives",
                Conference.superior_representatives.through,
                "conference",
                "conference__review",
                ("user",),
            ),
        ),
    ),
    Kind(Guidance, "guidance", "review", ("review", "given_by", "text", "created_at")),
    Kind(
        SelfAssessment,
        "self_assessment",
        "review",
        ("review", "proposed_rating", "score", "triggers", "justification", "set_by", "updated_at"),
    ),
    Kind(
        Decision,
        "decision",
        "review",
        (
            "review",
            "final_rating",
            "score",
            "triggers",
            "reason",
            "vote",
            "decided_by",
            "decided_at",
            "rating_round",
        ),
    ),
    Kind(Notification, "notification", "review", ("review", "notified_on", "note", "recorded_by", "recorded_at")),
    Kind(
        RemedialPlan,
        "remedial_plan",
        "review",
        ("review", "filed_by", "updated_at"),
        parts=(Part("items", RemedialItem, "plan", "plan__review", ("description", "owner", "due_date")),),
    ),
    Kind(
        Ballot,
        "ballot",
        "review",
        (
            "review",
            "eligible",
            "cast",
            "excellent",
            "good",
            "complete",
            "not_complete",
            "invalid",
            "counting_board",
            "recorded_by",
            "recorded_at",
        ),
    ),
)
KIND_BY_MODEL: dict[type, Kind] = {kind.model: kind for kind in KINDS}
KIND_BY_LABEL: dict[str, Kind] = {kind.label: kind for kind in KINDS}
# Queries to load the snapshots of every record of a batch of reviews.
SNAPSHOT_QUERIES = len(KINDS) + sum(len(kind.parts) for kind in KINDS)

Key = tuple[str, int]  # (model label, primary key)


def _plain(value):
    """JSON-able and the same whatever the backend or the instance's time zone."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


#: The canonical JSON of a snapshot (what ``json.dumps`` with these options writes; one encoder, built once).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def canonical_hash(snapshot: dict) -> str:
    return hashlib.sha256(_CANONICAL.encode(snapshot).encode("utf-8")).hexdigest()


def _attnames(model: type[models.Model], fields: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(name, model._meta.get_field(name).attname) for name in fields]


def _converters(model: type[models.Model], fields: tuple[str, ...]) -> list[tuple[int, object]]:
    """``(index, _plain)`` for the fields whose values ``_plain`` changes (dates and datetimes): the other values
    of a row go into the snapshot as the database gives them back."""
    return [
        (index, _plain)
        for index, name in enumerate(fields)
        if isinstance(model._meta.get_field(name), models.DateField)  # DateTimeField is a DateField
    ]


def _snapshots(rows, names: tuple[str, ...], converters) -> Iterable[tuple[tuple, dict]]:
    """``(row, snapshot)`` for value rows whose last ``len(names)`` values are the snapshot's, in that order."""
    width = len(names)
    for row in rows:
        values = list(row[-width:])
        for index, convert in converters:
            values[index] = convert(values[index])
        yield row, dict(zip(names, values, strict=True))


def _load(kind: Kind, *, pks: Iterable[int] | None = None, review_ids: Iterable[int] | None = None) -> dict:
    """``{pk: (review_id, snapshot)}`` for the rows of ``kind`` picked by primary key or by review (value rows,
    not model instances: the snapshot only reads the declared columns)."""
    attnames = [attname for _name, attname in _attnames(kind.model, kind.fields)]
    qs = kind.model._default_manager.all()
    qs = qs.filter(pk__in=list(pks)) if pks is not None else qs.filter(**{f"{kind.review}__in": list(review_ids)})
    rows = {}
    found = qs.values_list("pk", F(kind.review), *attnames)
    for row, snapshot in _snapshots(found, kind.fields, _converters(kind.model, kind.fields)):
        rows[row[0]] = (row[1], snapshot)
    for part in kind.parts:
        parent = part.model._meta.get_field(part.parent).attname
        part_attnames = [attname for _name, attname in _attnames(part.model, part.fields)]
        children = defaultdict(list)
        pqs = part.model._default_manager.all()
        if pks is not None:
            pqs = pqs.filter(**{f"{parent}__in": list(rows)})
        else:
            pqs = pqs.filter(**{f"{part.review}__in": list(review_ids)})
        found = pqs.values_list(parent, *part_attnames)
        for row, child in _snapshots(found, part.fields, _converters(part.model, part.fields)):
            children[row[0]].append(child)
        for pk, (_review, snapshot) in rows.items():
            snapshot[part.name] = sorted(children.get(pk, []), key=canonical_hash)
    return rows


def _snapshot_in_memory(kind: Kind, instance: models.Model) -> dict | None:
    """The snapshot of a saved instance taken from its attributes, or None when one of them cannot be vouched
    for (or the kind has parts, which live in other rows)."""
    if kind.parts or instance._state.adding or instance.pk is None:
        return None
    snapshot, values = {}, instance.__dict__
    try:
        for name in kind.fields:
            field = instance._meta.get_field(name)
            if field.attname not in values:  # deferred: not loaded
                return None
            snapshot[name] = _plain(as_stored(field, values[field.attname]))
    except NotAsStored:
        return None
    return snapshot


def fingerprints(instances: Iterable[models.Model], *, in_memory: bool = False) -> list[dict]:
    """``[{"type", "id", "sha256"}]`` of ``instances``, each re-read from the database (in the caller's
    transaction, after the write). An instance of a kind not declared here, or not saved, is an error.

    ``in_memory``: the instances were read under their row lock in this transaction and have just been saved
    whole or with every changed field (the transition service's review): their snapshots are taken from them
    when every value is one whose stored form is known (``stored_values.as_stored``), else read back as usual."""
    instances = list(instances)
    wanted: dict[Kind, list[int]] = defaultdict(list)
    known: dict[int, dict] = {}
    for instance in instances:
        kind = KIND_BY_MODEL.get(type(instance))
        if kind is None:
            raise TypeError(f"{type(instance).__name__} is not a chained record (review_process.chained_records)")
        snapshot = _snapshot_in_memory(kind, instance) if in_memory else None
        if snapshot is not None:
            known[id(instance)] = snapshot
        else:
            wanted[kind].append(instance.pk)
    loaded = {kind: _load(kind, pks=pks) for kind, pks in wanted.items()}
    result = []
    for instance in instances:
        kind = KIND_BY_MODEL[type(instance)]
        if id(instance) in known:
            result.append({"type": kind.label, "id": instance.pk, "sha256": canonical_hash(known[id(instance)])})
            continue
        if instance.pk not in loaded[kind]:
            raise ValueError(f"{kind.label} {instance.pk} is not in the database: save it before auditing")
        _review, snapshot = loaded[kind][instance.pk]
        result.append({"type": kind.label, "id": instance.pk, "sha256": canonical_hash(snapshot)})
    return result


def snapshots_for_reviews(review_ids: list[int]) -> dict[Key, tuple[int, str]]:
    """``{(label, pk): (review_id, sha256)}`` of every chained record of these reviews (``SNAPSHOT_QUERIES``)."""
    found = {}
    for kind in KINDS:
        for pk, (review_id, snapshot) in _load(kind, review_ids=review_ids).items():
            found[(kind.label, pk)] = (review_id, canonical_hash(snapshot))
    return found
