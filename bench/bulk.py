"""The bulk compliance audit (``manage.py audit_compliance``) over 10,000 reviews, on a SQLite file.

    python -m bench.bulk --reviews 10000 --output bulk.json

The reviews are bulk-created with realistic records (``bench/data.py``: closed reviews, every 10th without its
remedial plan, every 25th with a late draft). Reported, for the whole city and for one district of 100 reviews:
wall time, the process's CPU time, reviews per second and statements for each format; and the peak Python memory (tracemalloc, a
separate run) and the process's peak RSS: memory that does not grow with the number of reviews is the same
peak for 100 reviews and for 10,000.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path


def configure(directory: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",  # no query log kept in memory
        DATABASE_URL=f"sqlite:///{directory / 'bench.sqlite3'}",
        MEDIA_ROOT=str(directory / "media"),
        PRIVATE_MEDIA_ROOT=str(directory / "private-media"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        AUDIT_ANCHOR_FILE=str(directory / "anchors.jsonl"),
    )
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-not-for-production")
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


def audit(organization: str, fmt: str, output: Path, *, memory: bool = False) -> dict:
    from django.core.management import call_command

    if memory:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    with counting_queries() as queries, open(os.devnull, "w") as quiet:
        call_command(
            "audit_compliance",
            year=2021,
            organization=organization,
            format=fmt,
            output=str(output),
            no_progress=True,
            stderr=quiet,
        )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "queries": queries[0],
        "peak_bytes": peak,
        "bytes": output.stat().st_size,
    }


def measure(*, reviews: int, directory: Path, formats=("csv", "json", "xlsx")) -> dict:
    from django.core.management import call_command

    from bench.data import build_dataset

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    data = build_dataset(reviews=reviews, root_code="BENCH", wards_per_district=100)
    print(f"  bulk: built {data.reviews} reviews in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    rows = []
    for organization, scope, count in (("BENCH", "city", data.reviews), ("BENCH-D000", "district", 100)):
        for fmt in formats:
            print(f"  bulk: {scope} ({count} reviews), {fmt}", file=sys.stderr, flush=True)
            run = audit(organization, fmt, directory / f"audit-{scope}.{fmt}")
            rows.append(
                {
                    "scope": scope,
                    "reviews": count,
                    "format": fmt,
                    "seconds": round(run["seconds"], 2),
                    # The process's own CPU time: on a shared machine, what the audit cost without the waiting.
                    "cpu_seconds": round(run["cpu_seconds"], 2),
                    "reviews_per_s": round(count / run["seconds"]),
                    "queries": run["queries"],
                    "output_mb": round(run["bytes"] / 1e6, 2),
                }
            )
    memory = []
    for organization, scope, count in (("BENCH-D000", "district", 100), ("BENCH", "city", data.reviews)):
        print(f"  bulk: peak memory, {scope}", file=sys.stderr, flush=True)
        run = audit(organization, "csv", directory / f"memory-{scope}.csv", memory=True)
        memory.append({"scope": scope, "reviews": count, "format": "csv", "peak_mb": round(run["peak_bytes"] / 1e6, 1)})
    return {
        "reviews": data.reviews,
        "failures_planted": {"without_remedial_plan": data.broken, "late_draft": data.late},
        "runs": rows,
        "memory": memory,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="review-bench-bulk-"))
    try:
        configure(directory)
        result = measure(reviews=args.reviews, directory=directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    args.output.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
