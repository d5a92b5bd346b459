"""The load run (issue 14): locust, headless and bounded in time, with ``--users`` people at once against the
scaled mode (``scripts/run-scaled.sh``: haproxy over two gunicorns, PostgreSQL, Redis, one Celery worker with
beat), all on loopback, over the benchmark's ``seed_load`` database.

    python -m bench.load --database-url postgres://owner@…/review_engine_bench --db-name review_engine_bench \
        --scaled-dir DIR --year 2024 --password P --output load.json [--users 50] [--seconds 60]

The personas (``bench/locustfile.py``) are chosen from the data set: ward secretaries reading their review,
district organisation boards and the city's inspection reading lists and the overview, committee members
recording written opinions on reviews that collect them (no transitions: seed_load's reviews have no viewflow
process); each with an API token made here. Reported: requests, errors, throughput and p50/p95 over all requests
and per kind (locust's CSV statistics).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_WITHIN = 600


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def choose_personas(*, year: int, code: str, users: int) -> list[dict]:
    from review_process.models import Review, ReviewState

    prefix = code.lower()
    reviews = Review.objects.filter(year=year, organization__code__startswith=f"{code}-W").select_related(
        "organization__superior"
    )

    def ward(review) -> str:
        return review.organization.code.rsplit("W", 1)[1].lstrip("0") or "0"

    def district_number(review) -> int:
        return int(review.organization.superior.code.rsplit("D", 1)[1])

    def secretary(review) -> str:
        return f"{prefix}-w{ward(review)}-secretary"

    # Writers: a ward's committee member records a written opinion on a review that collects them, dated the day
    # before its conference (the domain refuses an opinion dated after it). No transitions: the reviews of
    # seed_load have no viewflow process (review_process.bulk_load writes none), so every transition is a 404.
    recorders = [
        {
            "kind": "recorder",
            "username": f"{prefix}-w{ward(r)}-committee-member",
            "reviews": [r.pk],
            "occurred_on": (r.conference.held_at.date() - datetime.timedelta(days=1)).isoformat(),
        }
        for r in reviews.filter(state=ReviewState.COLLECTING_OPINIONS, conference__isnull=False)
        .select_related("conference")
        .order_by("pk")[: max(1, users // 5)]
    ]
    district_reviews: dict[int, list[int]] = {}
    for pk, superior_code in reviews.values_list("pk", "organization__superior__code").order_by("pk"):
        district_reviews.setdefault(int(superior_code.rsplit("D", 1)[1]), []).append(pk)
    boards = [
        {"kind": "board", "username": f"{prefix}-d{d}-organization-board", "reviews": district_reviews[d][:50]}
        for d in sorted(district_reviews)[: max(1, users // 6)]
    ]
    every = list(district_reviews.get(0, []))[:50]
    inspection = [{"kind": "inspection", "username": f"{prefix}-city-inspection", "reviews": every}]
    busy = {p["username"] for p in recorders}
    readers = [
        {"kind": "secretary", "username": secretary(r), "reviews": [r.pk]}
        for r in reviews.exclude(state=ReviewState.CANCELLED).order_by("pk")[:users]
        if secretary(r) not in busy
    ]
    chosen = recorders + boards + inspection
    return chosen + readers[: max(0, users - len(chosen))]


def api_tokens(usernames: set[str]) -> dict[str, str]:
    """One API token per person, made here: people who share a login in the run share its token (asking for one
    through the API replaces the previous one, which another simulated user may be holding)."""
    from rest_framework.authtoken.models import Token

    from permissions.models import User

    return {u.username: Token.objects.get_or_create(user=u)[0].key for u in User.objects.filter(username__in=usernames)}


def locust_stats(prefix: Path) -> dict:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", newline="")))

    def figures(row) -> dict:
        return {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
        }

    total = next(r for r in rows if r["Name"] == "Aggregated")
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        failures = list(csv.DictReader(open(f"{prefix}_failures.csv", newline="")))
    return {
        "total": figures(total),
        "by_request": {f"{r['Type']} {r['Name']}": figures(r) for r in rows if r["Name"] != "Aggregated"},
        "failures": [
            {"request": f["Name"], "error": f["Error"][:300], "count": int(f["Occurrences"])} for f in failures
        ],
    }


def run(*, args, personas_file: Path) -> dict:
    ports = {"PROXY_PORT": free_port(), "BACKEND1_PORT": free_port(), "BACKEND2_PORT": free_port()}
    ports["REDIS_PORT"] = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DB", "DATABASE_URL", "CELERY_", "GUNICORN_", "AUDIT_"))
    }
    env.update({k: str(v) for k, v in ports.items()})
    env.update(DB_NAME=args.db_name, SCALED_DIR=str(args.scaled_dir), SCALED_DEMO="false", PYTHON=sys.executable)
    env.update(GUNICORN_WORKERS=str(args.gunicorn_workers))
    out = open(args.scaled_dir / "run-scaled.out", "w")  # noqa: SIM115 - closed below
    scaled = subprocess.Popen(
        ["bash", "scripts/run-scaled.sh"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_WITHIN
        while "run-scaled: ready" not in (args.scaled_dir / "run-scaled.out").read_text():
            if scaled.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the scaled mode did not start: see " + str(args.scaled_dir))
            time.sleep(1)
        host = f"http://127.0.0.1:{ports['PROXY_PORT']}"
        prefix = args.scaled_dir / "locust"
        print(f"  load: {args.users} users for {args.seconds} s against {host}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(max(1, args.users // 5)),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env={**os.environ, "BENCH_PERSONAS": str(personas_file)},
            check=True,
            timeout=args.seconds + 180,
            stdout=open(args.scaled_dir / "locust.out", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        stats = locust_stats(prefix)
        stats["wall_s"] = round(time.perf_counter() - started, 1)
    finally:
        if scaled.poll() is None:
            os.killpg(scaled.pid, signal.SIGINT)
            try:
                scaled.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(scaled.pid, signal.SIGKILL)
        out.close()
    return stats


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="the owner's URL (to choose the personas)")
    parser.add_argument("--db-name", required=True)
    parser.add_argument("--scaled-dir", type=Path, required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--code", default="LOAD")
    parser.add_argument("--password", required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="true", DATABASE_URL=args.database_url)
    import django

    django.setup()
    personas = choose_personas(year=args.year, code=args.code, users=args.users)
    tokens = api_tokens({p["username"] for p in personas})
    personas_file = args.scaled_dir / "personas.json"
    setup = {"year": args.year, "password": args.password, "personas": personas, "tokens": tokens}
    personas_file.write_text(json.dumps(setup))
    from django.db import connections

    connections.close_all()
    result = run(args=args, personas_file=personas_file)
    result.update(
        users=args.users,
        seconds=args.seconds,
        gunicorn=f"2 instances x {args.gunicorn_workers} workers",
        personas={kind: sum(p["kind"] == kind for p in personas) for kind in {p["kind"] for p in personas}},
    )
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
