"""Benchmarks: the bulk compliance audit over 10,000 reviews, and the latency of one transition.

    python -m bench.run [--reviews 10000] [--transitions 200] [--keep]

Everything runs in a temporary SQLite file database (migrated here, deleted afterwards unless ``--keep``).
The reviews are bulk-created with realistic records (bench/data.py). Reported:

* the audit (``manage.py audit_compliance``) in each format over the whole city and over one district:
  wall time, queries, and peak Python memory (tracemalloc, separate run), plus the process's peak RSS;
* the transitions (``workflows.services.review_transition``) walked through the real services:
  p50 / p95 latency, over all transitions and for ``close_opinions`` (which evaluates the blocking rule).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path


def _configure(directory: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "false"  # no query log kept in memory
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-not-for-production")
    os.environ["DB"] = "sqlite"
    os.environ["DB_NAME"] = str(directory / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(directory / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(directory / "private-media")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()


@contextmanager
def counting_queries():
    from django.db import connection

    count = [0]

    def wrapper(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield count


def _audit(organization: str, fmt: str, output: Path, *, memory: bool = False) -> dict:
    from django.core.management import call_command

    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    with counting_queries() as queries:
        call_command(
            "audit_compliance",
            year=2021,
            organization=organization,
            format=fmt,
            output=str(output),
            no_progress=True,
            stderr=open(os.devnull, "w"),  # noqa: SIM115 - closed with the process
        )
    elapsed = time.perf_counter() - started
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"seconds": elapsed, "queries": queries[0], "peak": peak, "bytes": output.stat().st_size}


def _transitions(count: int) -> dict[str, list[float]]:
    """Walk reviews through every transition with the real services; time each ``review_transition``."""
    from django.utils import timezone

    from permissions.models import Organization, User
    from permissions.services import organization_save, position_start
    from review_process.services import records
    from workflows.services import review_open, review_transition

    start = datetime.date(2020, 1, 1)
    reviews = -(-count // 6)
    city = Organization.objects.get(code="BENCH")
    district = organization_save(
        organization=Organization(code="BT", name="Quận ủy Bench", kind="district", superior=city)
    )
    board = User.objects.create(username="bt-board", full_name="Ban Tổ chức Bench")
    standing = User.objects.create(username="bt-standing", full_name="Thường vụ Bench")
    members = [User.objects.create(username=f"bt-m{i}", full_name=f"Đảng viên {i}") for i in range(3)]
    position_start(person=board, organization=district, role="organization_board", start=start)
    position_start(person=standing, organization=district, role="standing_committee", start=start)
    timings: dict[str, list[float]] = {}

    def timed(review, name, by, **kwargs):
        started = time.perf_counter()
        review = review_transition(review=review, name=name, by=by, **kwargs)
        timings.setdefault(name, []).append(time.perf_counter() - started)
        return review

    for i in range(reviews):
        ward = organization_save(
            organization=Organization(code=f"BT-W{i}", name=f"Đảng ủy phường Bench {i}", kind="ward", superior=district)
        )
        secretary = User.objects.create(username=f"bt-sec{i}", full_name=f"Bí thư {i}")
        position_start(person=secretary, organization=ward, role="secretary", start=start)
        review = review_open(organization_code=ward.code, year=2024, kind="collective", by=secretary)
        records.report_version_add(review=review, by=secretary, text="Dự thảo báo cáo kiểm điểm")
        review = timed(review, "circulate_draft", secretary)
        records.conference_record(
            review=review,
            by=secretary,
            held_at=timezone.now() - datetime.timedelta(hours=1),
            location="Hội trường",
            chair_username=secretary.username,
            attendees=[{"person": m.username, "present": True} for m in members],
            superior_representatives=[board.username],
        )
        for m in members:
            records.opinion_add(
                review=review, by=secretary, text="Góp ý", channel="conference", author_username=m.username
            )
        review = timed(review, "close_opinions", secretary)
        records.guidance_add(review=review, by=board, text="Ý kiến chỉ đạo")
        review = timed(review, "give_guidance", board)
        for opinion in review.opinions.all():
            records.opinion_respond(review=review, by=secretary, opinion_id=opinion.pk, decision="accepted")
        records.report_version_add(review=review, by=secretary, text="Báo cáo hoàn chỉnh", is_final=True)
        records.self_assessment_set(review=review, by=secretary, proposed_rating="good")
        review = timed(review, "submit_assessment", secretary)
        records.decision_set(
            review=review,
            by=standing,
            final_rating="good",
            vote={"members": 15, "present": 13, "for": 11, "against": 1, "abstain": 1},
        )
        review = timed(review, "approve", standing)
        records.notification_record(review=review, by=board, notified_on=timezone.localdate())
        records.remedial_plan_set(
            review=review,
            by=secretary,
            items=[{"description": "Khắc phục", "owner": "Đảng ủy", "due_date": datetime.date(2025, 6, 30)}],
        )
        timed(review, "close", board)
    return timings


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def _table(headers: list[str], rows: list[list]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join(f"{{:>{w}}}" for w in widths)
    return "\n".join([line.format(*headers), line.format(*("-" * w for w in widths))] + [line.format(*r) for r in rows])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--transitions", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args(argv)

    directory = Path(tempfile.mkdtemp(prefix="review-bench-"))
    try:
        _configure(directory)
        from django.core.management import call_command

        from bench.data import build_dataset

        print(
            f"Machine: {platform.machine()}, {os.cpu_count()} CPU(s), Python {platform.python_version()}, SQLite file"
        )
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"Migrated in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        data = build_dataset(reviews=args.reviews, root_code="BENCH", wards_per_district=100)
        print(
            f"Built {data.reviews} reviews ({data.broken} without remedial plan, {data.late} with late draft) "
            f"in {time.perf_counter() - started:.1f} s"
        )

        rows = []
        district = "BENCH-D000"
        for organization, label, scope in (("BENCH", "city", data.reviews), (district, "district", 100)):
            for fmt in ("json", "csv", "xlsx"):
                run = _audit(organization, fmt, directory / f"audit-{label}.{fmt}")
                rows.append(
                    [
                        label,
                        scope,
                        fmt,
                        f"{run['seconds']:.1f}",
                        f"{1000 * run['seconds'] / scope:.2f}",
                        run["queries"],
                        f"{run['bytes'] / 1e6:.1f}",
                    ]
                )
        headers = ["scope", "reviews", "format", "wall s", "ms/review", "queries", "output MB"]
        print("\nBulk audit (manage.py audit_compliance)")
        print(_table(headers, rows))

        memory_rows = []
        for organization, label, scope in (("BENCH", "city", data.reviews), (district, "district", 100)):
            run = _audit(organization, "csv", directory / f"memory-{label}.csv", memory=True)
            memory_rows.append([label, scope, "csv", f"{run['peak'] / 1e6:.1f}", f"{run['seconds']:.1f}"])
        print("\nPeak Python memory during the audit (tracemalloc; separate run, slower)")
        print(_table(["scope", "reviews", "format", "peak MB", "wall s (traced)"], memory_rows))

        timings = _transitions(args.transitions)
        every = [t for values in timings.values() for t in values]
        transition_rows = [
            [
                name,
                len(values),
                f"{1000 * _percentile(values, 50):.1f}",
                f"{1000 * _percentile(values, 95):.1f}",
            ]
            for name, values in [("all", every), *timings.items()]
        ]
        print("\nTransition latency (workflows.services.review_transition, real services)")
        print(_table(["transition", "n", "p50 ms", "p95 ms"], transition_rows))
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\nPeak RSS of the whole benchmark process: {maxrss:.0f} MB")
    finally:
        if args.keep:
            print(f"Database kept in {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
