"""Backup and restore of the whole database as one JSON file (``manage.py backup`` / ``manage.py restore``).

The file is Django's JSON fixture format (a list of ``{"model", "pk", "fields"}``; ``loaddata`` can read it),
covering every installed app: the reviews and their records, the audit trail (events, seals, the heads of the
global and the directory chains), the directory,
guardian's object permissions, viewflow's processes and tasks, tokens, sessions. docs/operations.md says when
to use it and when ``pg_dump -Fc`` / ``pg_restore`` instead.

Invariants:

* **Consistent.** ``write_backup`` reads every table in one transaction (REPEATABLE READ, READ ONLY on
  PostgreSQL; on SQLite the transaction keeps writers from committing until it ends): the head of the global
  chain matches the last seal, each chain's last event is there, and every record matches its fingerprint,
  whatever was being written or sealed meanwhile. Events not yet sealed go into the file unsealed; the
  restored database's sealer (``seal_pending``) seals them.
* **Lossless.** Datetimes and times keep their microseconds (Django's own JSON encoder cuts them to
  milliseconds, which would break every audit hash covering a timestamp); JSON payloads are kept as they are.
* **Content types and permissions are not in the file**: ``migrate`` creates them; rows refer to them (and to
  users) by natural key, so their ids may differ between the two databases.
* **Restore bypasses nothing.** ``restore_backup`` loads only into an empty, fully migrated database (the only
  rows allowed are those ``migrate`` creates: content types, permissions and guardian's anonymous user, which
  the backup's own replaces), in one transaction, with plain INSERTs: the append-only triggers stay armed and
  accept them, and the head rows (global and directory), absent from an empty database, are inserted with
  their final values (their triggers guard UPDATE and DELETE only). The number of rows of every model must then
  equal the file's, or nothing is kept. The chain and the records are verified afterwards (``verify_restored``).
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from guardian.conf import settings as guardian_settings

from review_process.audit import verify_chain, verify_records
from review_process.models import AuditChainHead, AuditEvent

# Created by migrate (post_migrate) in every database: never in the file, referred to by natural key.
CREATED_BY_MIGRATE = ("contenttypes.contenttype", "auth.permission")
CHUNK = 2000


class RestoreRefused(Exception):
    """The target database cannot take the backup (not migrated, not empty, or the file does not fit)."""


class LosslessEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but datetimes and times keep their microseconds (the audit hashes cover them)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _open(path: Path, mode: str, *, compressed: bool):
    if compressed:
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def backed_up_models() -> list:
    """Every model whose rows go into the file, parents and natural-key targets first."""
    app_list = [(config, None) for config in apps.get_app_configs() if config.models_module is not None]
    ordered = serializers.sort_dependencies(app_list, allow_cycles=True)
    return [
        model
        for model in ordered
        if not model._meta.proxy
        and model._meta.managed
        and model._meta.label_lower not in CREATED_BY_MIGRATE
        and router.allow_migrate_model(DEFAULT_DB_ALIAS, model)
    ]


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _serialized(models: list) -> Iterator[dict]:
    for model in models:
        many = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
        queryset = model._base_manager.order_by(model._meta.pk.name).prefetch_related(*many)  # no query per row
        for chunk in _chunks(queryset.iterator(chunk_size=CHUNK), CHUNK):
            yield from serializers.serialize("python", chunk, use_natural_foreign_keys=True)


@dataclass
class BackupSummary:
    """What a backup holds: rows per model (``app_label.model``) and the head of the audit chain."""

    counts: dict[str, int]
    head_sequence: int
    head_hash: str

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def write_backup(path: str | Path) -> BackupSummary:
    """Write a consistent snapshot of the whole database to ``path`` (gzip when it ends with ``.gz``).

    Written to a temporary file beside it and renamed at the end: a failed backup leaves no partial file."""
    path = Path(path)
    connection = connections[DEFAULT_DB_ALIAS]
    outermost = not connection.in_atomic_block
    partial = path.with_name(f".{path.name}.partial")
    counts: Counter[str] = Counter()
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            head = AuditChainHead.objects.filter(pk=1).values_list("global_sequence", "chain_hash")
            head_sequence, head_hash = head.first() or (0, "")
            with _open(partial, "w", compressed=path.suffix == ".gz") as out:
                out.write("[")
                for number, item in enumerate(_serialized(backed_up_models())):
                    out.write(",\n" if number else "\n")
                    out.write(json.dumps(item, cls=LosslessEncoder, ensure_ascii=False))
                    counts[item["model"]] += 1
                out.write("\n]\n")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(dict(counts), head_sequence, head_hash)


def _anonymous_users():
    """guardian's anonymous user, which ``migrate`` creates (the backup holds the source database's)."""
    user_model = get_user_model()
    return user_model._base_manager.filter(**{user_model.USERNAME_FIELD: guardian_settings.ANONYMOUS_USER_NAME})


def occupied_tables() -> dict[str, int]:
    """Rows the database holds beyond what ``migrate`` creates, per model (empty: the database is empty)."""
    occupied = {}
    user_model = get_user_model()
    for model in backed_up_models():
        queryset = model._base_manager.all()
        if model is user_model:
            queryset = queryset.exclude(pk__in=_anonymous_users().values("pk"))
        count = queryset.count()
        if count:
            occupied[model._meta.label_lower] = count
    return occupied


def unapplied_migrations() -> list[str]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def read_backup(path: str | Path) -> list[dict]:
    """The objects of a backup file; RestoreRefused when it is not one."""
    try:
        with _open(Path(path), "r", compressed=Path(path).suffix == ".gz") as source:
            objects = json.load(source)
    except (OSError, ValueError) as exc:
        raise RestoreRefused(_("%(path)s is not a backup file: %(error)s") % {"path": path, "error": exc}) from exc
    if not isinstance(objects, list) or not all(isinstance(o, dict) and "model" in o for o in objects):
        raise RestoreRefused(_("%(path)s is not a backup file: %(error)s") % {"path": path, "error": "[{model: …}]"})
    return objects


def restore_backup(path: str | Path) -> dict[str, int]:
    """Load the backup at ``path`` into the empty, migrated database; the rows per model, as in the file.

    RestoreRefused (nothing written) when the database is not migrated or not empty, or when the rows loaded
    differ from the file's."""
    unapplied = unapplied_migrations()
    if unapplied:
        raise RestoreRefused(
            _("The database is not fully migrated (%(migrations)s): run manage.py migrate first.")
            % {"migrations": ", ".join(unapplied[:5]) + (" …" if len(unapplied) > 5 else "")}
        )
    occupied = occupied_tables()
    if occupied:
        raise RestoreRefused(
            _("The database is not empty (%(tables)s): restore loads only into an empty, migrated database.")
            % {"tables": ", ".join(f"{label}: {n}" for label, n in sorted(occupied.items()))}
        )
    objects = read_backup(path)
    expected = Counter(item["model"].lower() for item in objects)
    models = backed_up_models()
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic():
        if expected.get(get_user_model()._meta.label_lower):
            _anonymous_users().delete()  # migrate's anonymous user gives way to the backup's (maybe another id)
        _load(objects)
        connection.check_constraints(table_names=[model._meta.db_table for model in models])
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        loaded = {
            model._meta.label_lower: model._base_manager.count()
            for model in models
            if expected.get(model._meta.label_lower) or model._base_manager.exists()
        }
        if loaded != dict(expected):
            raise RestoreRefused(
                _("The rows loaded differ from the backup's (%(diff)s): nothing was restored.")
                % {"diff": _difference(expected, loaded)}
            )
    return loaded


def _load(objects: list[dict]) -> None:
    deferred = []
    with connections[DEFAULT_DB_ALIAS].constraint_checks_disabled():
        for obj in serializers.deserialize("python", objects, handle_forward_references=True):
            obj.save(force_insert=True)  # INSERT only, which the audit tables' triggers allow
            if obj.deferred_fields:
                deferred.append(obj)
        for obj in deferred:
            obj.save_deferred_fields()


def _difference(expected: Counter, loaded: dict[str, int]) -> str:
    labels = sorted(set(expected) | set(loaded))
    return ", ".join(
        f"{label}: {expected.get(label, 0)} → {loaded.get(label, 0)}"
        for label in labels
        if expected.get(label, 0) != loaded.get(label, 0)
    )


@dataclass
class RestoreVerdict:
    """The verification of a restored database: the hash chains and the records against them."""

    verdicts: list = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return all(verdict.intact for verdict in self.verdicts)

    def describe(self) -> str:
        return "\n".join(verdict.describe() for verdict in self.verdicts)


def verify_restored() -> RestoreVerdict:
    """``verify_chain`` and ``verify_records`` over the whole (restored) database."""
    return RestoreVerdict([verify_chain(), verify_records()])


def audit_summary() -> tuple[int, int]:
    """(events, the sealed head's global sequence): what the operator compares with the backup's summary."""
    head = AuditChainHead.objects.filter(pk=1).values_list("global_sequence", flat=True).first()
    return AuditEvent.objects.count(), head or 0
