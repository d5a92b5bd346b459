"""The transition against the floor, side by side in one run (issue 14: at most 5x on SQLite and PostgreSQL).

    python -m bench.transition [--database-url URL] [--rounds 200] [--sql] [--prepare-threshold N]

``measure(rounds=...)`` runs inside an already configured Django (the caller picks the database, migrated):
it loads the demo (``workflows.demo``), carries the reference review to ``finalizing`` with everything
``submit_assessment`` needs, then alternates ``submit_assessment`` (the secretary) and ``return_for_revision``
(the district's standing committee) through ``workflows.services.review_transition``, and before each
transition runs *the floor*: one ORM UPDATE plus one ORM INSERT of a small table (Django's sessions) in one
atomic block on the same database.  Both are timed around the whole call (the commit, and whatever runs on
commit in the caller's thread, included); each transition gets a fresh instance of the person, as a request
does.  Notifications go through the outbox as in the scaled mode: without a configured broker they are handed
to an in-memory one instead of being delivered inline in the timed call, and the audit events are sealed into
the global chain by the scheduled job's code after the run, not after each commit (``_scaled_mode``).  The
statements of one transition of each kind are recorded (``CaptureQueriesContext``).

The CLI configures Django itself: a temporary SQLite file (WAL, ``synchronous=FULL``, as ``config.settings``
sets it) by default, or the database of ``--database-url`` (PostgreSQL: a fresh ``bench_transition_<pid>``
database is created there, migrated and dropped afterwards, so the named database is never written);
``--prepare-threshold`` turns on PostgreSQL's server-side prepared statements (``DB_PREPARE_THRESHOLD``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

TRANSITIONS = ("submit_assessment", "return_for_revision")
RETURN_REASON = "Bổ sung số liệu (benchmark)"


def _finalizing_review():
    """The demo's reference review at ``finalizing``, ready for ``submit_assessment``; and the two actors."""
    from review_process.models import Review, ReviewState
    from review_process.services import records
    from workflows import demo
    from workflows.services import review_transition

    review, _created = demo.seed_demo()
    than, hung, vinh = demo.person("vtthan"), demo.person("pvhung"), demo.person("lqvinh")
    if review.state == ReviewState.SUBMITTED:
        review = review_transition(review=review, name="return_for_revision", by=vinh, reason=RETURN_REASON)
    if review.state == ReviewState.AWAITING_GUIDANCE:
        records.guidance_add(review=review, by=than, text=demo.GUIDANCE_TEXT)
        review = review_transition(review=review, name="give_guidance", by=than)
        for opinion in review.opinions.filter(response__isnull=True).order_by("pk"):
            records.opinion_respond(review=review, by=hung, opinion_id=opinion.pk, decision="accepted")
        records.report_version_add(review=review, by=hung, text=demo.DRAFT_TEXT, is_final=True)
        records.self_assessment_set(review=review, by=hung, proposed_rating="good", justification="(benchmark)")
    if review.state != ReviewState.FINALIZING:
        raise RuntimeError(f"the demo review is at {review.state}, not finalizing: run on a fresh database")
    return Review.objects.get(pk=review.pk), hung, vinh


def _floor(session_key: str):
    """One UPDATE and one INSERT of a small table in one transaction: the least a transition can cost."""
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone

    with transaction.atomic():
        Session.objects.filter(session_key=session_key).update(expire_date=timezone.now())
        Session.objects.create(
            session_key=uuid.uuid4().hex, session_data="bench", expire_date=timezone.now() + datetime.timedelta(1)
        )


def _database() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[
                cursor.execute("PRAGMA synchronous").fetchone()[0]
            ]
        return f"SQLite {connection.Database.sqlite_version} (journal {journal}, synchronous {synchronous})"
    major, minor = divmod(connection.pg_version, 10000) if connection.vendor == "postgresql" else (0, 0)
    options = connection.settings_dict.get("OPTIONS", {})
    prepared = " (server-side prepared statements)" if options.get("prepare_threshold") is not None else ""
    return f"PostgreSQL {major}.{minor}{prepared}" if connection.vendor == "postgresql" else connection.vendor


def statements_of_one(review_id: int, name: str, by, **kwargs) -> list[str]:
    """The SQL of one ``review_transition`` by a fresh instance of ``by`` (what runs on commit in the caller's
    thread included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from permissions.models import User
    from workflows.services import review_transition

    by = User.objects.get(pk=by.pk)
    with CaptureQueriesContext(connection) as captured:
        review_transition(review=review_id, name=name, by=by, **kwargs)
    return [query["sql"] for query in captured.captured_queries]


@contextmanager
def _scaled_mode():
    """The scaled mode's request path.  Without a configured broker the outbox would deliver each notification
    inline after the commit, and the audit trail would seal the step's event into the global chain after the
    commit, both in the timed call; here the notifications go to an in-memory broker (no worker) and sealing is
    left to the scheduled job, as in the scaled mode (``_after_the_run`` then does the worker's work).  With a
    broker configured, nothing changes."""
    from celery import current_app
    from django.conf import settings
    from django.test.utils import override_settings

    if settings.CELERY_BROKER_URL:
        yield "broker"
        return
    previous = current_app.conf.broker_url
    current_app.conf.broker_url = "memory://"
    try:
        with override_settings(CELERY_BROKER_URL="memory://", AUDIT_SEAL_AFTER_COMMIT=False):
            yield "queued (in-memory broker; delivered and sealed after the run)"
    finally:
        current_app.conf.broker_url = previous


def _after_the_run(after_id: int) -> None:
    """The worker's work, untimed: deliver the notifications the run queued, seal the events it wrote."""
    from review_process import audit
    from workflows import outbox
    from workflows.models import OutboxMessage, OutboxStatus

    pending = OutboxMessage.objects.filter(pk__gt=after_id, status=OutboxStatus.PENDING).values_list("pk", flat=True)
    for pk in list(pending):
        outbox.deliver(pk)
    audit.seal_pending()


def measure(*, rounds: int = 200, with_sql: bool = False) -> dict:
    """Time ``rounds`` transitions (alternating) and as many floors, interleaved; see the module docstring.

    Returns ``floor_ms_p50``, ``transition_ms_p50``, ``ratio`` (of the medians), ``statements_per_transition``
    (the larger of the two transitions), ``floor_statements``, ``database``, and the details (p95, the
    statement counts of each transition, how the background work was done; with ``with_sql``, the SQL of one
    transition of each kind under ``sql``)."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from permissions.models import User
    from workflows.models import OutboxMessage
    from workflows.services import review_transition

    review, secretary, standing = _finalizing_review()
    actors = {"submit_assessment": (secretary, {}), "return_for_revision": (standing, {"reason": RETURN_REASON})}
    key = uuid.uuid4().hex
    Session.objects.create(session_key=key, session_data="bench", expire_date=timezone.now())
    first_message = OutboxMessage.objects.aggregate(last=Max("pk"))["last"] or 0

    with _scaled_mode() as notifications:
        statements = {}
        for name in TRANSITIONS:  # warm-up and the statements of one of each
            by, kwargs = actors[name]
            statements[name] = statements_of_one(review.pk, name, by, **kwargs)
        with CaptureQueriesContext(connection) as captured:
            _floor(key)
        floor_statements = len(captured.captured_queries)

        floors: list[float] = []
        transitions: list[float] = []
        for i in range(rounds):
            started = time.perf_counter()
            _floor(key)
            floors.append(time.perf_counter() - started)
            name = TRANSITIONS[i % 2]
            by, kwargs = actors[name]
            by = User.objects.get(pk=by.pk)  # as a request has it: a fresh instance, nothing cached on it
            started = time.perf_counter()
            review_transition(review=review.pk, name=name, by=by, **kwargs)
            transitions.append(time.perf_counter() - started)
        if rounds % 2:  # leave the review where it started
            review_transition(review=review.pk, name="return_for_revision", by=standing, reason=RETURN_REASON)
    _after_the_run(first_message)
    Session.objects.filter(session_data="bench").delete()

    floor_p50 = statistics.median(floors) * 1000
    transition_p50 = statistics.median(transitions) * 1000
    result = {
        "floor_ms_p50": round(floor_p50, 3),
        "transition_ms_p50": round(transition_p50, 3),
        "ratio": round(transition_p50 / floor_p50, 2),
        "statements_per_transition": max(len(sql) for sql in statements.values()),
        "floor_statements": floor_statements,
        "database": _database(),
        "rounds": rounds,
        "floor_ms_p95": round(_p95(floors) * 1000, 3),
        "transition_ms_p95": round(_p95(transitions) * 1000, 3),
        "statements": {name: len(sql) for name, sql in statements.items()},
        "background_work": notifications,
    }
    if with_sql:
        result["sql"] = statements
    return result


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def _configure(database_url: str | None, directory: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-not-for-production")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(directory / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(directory / "private-media")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["AUDIT_ANCHOR_FILE"] = str(directory / "anchors.jsonl")
    import django

    django.setup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="postgres://… (a test_ database is created there); default SQLite")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--sql", action="store_true", help="print the statements of one transition of each kind")
    parser.add_argument(
        "--prepare-threshold",
        type=int,
        help="PostgreSQL: server-side prepared statements after N runs (sets DB_PREPARE_THRESHOLD, config/settings.py)",
    )
    args = parser.parse_args(argv)
    if args.prepare_threshold is not None:
        os.environ["DB_PREPARE_THRESHOLD"] = str(args.prepare_threshold)
    with tempfile.TemporaryDirectory(prefix="transition-bench-") as directory:
        _configure(args.database_url, Path(directory))
        from django.core.management import call_command
        from django.db import connection

        created = None
        if connection.vendor == "sqlite":
            call_command("migrate", verbosity=0)
        else:
            # A database of its own (never the test suite's test_<name>, which another run may be using).
            connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_transition_{os.getpid()}"
            created = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            result = measure(rounds=args.rounds, with_sql=args.sql)
        finally:
            if created is not None:
                connection.creation.destroy_test_db(created, verbosity=0)
    sql = result.pop("sql", {})
    if sql:
        for name, lines in sql.items():
            print(f"-- {name}: {len(lines)} statements")
            for number, line in enumerate(lines, start=1):
                print(f"{number:3} {line[:300]}")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
