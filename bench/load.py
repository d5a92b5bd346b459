"""The load run (issue 14): locust, headless and bounded in time, with ``--users`` people at once against the
scaled mode (``scripts/run-scaled.sh``: haproxy over two gunicorns, PostgreSQL, Redis, one Celery worker with
beat), all on loopback, over the benchmark's ``seed_load`` database.

    python -m bench.load --database-url postgres://owner@…/review_engine_bench --db-name review_engine_bench \
        --scaled-dir DIR --year 2024 --password P --output load.json [--users 50] [--seconds 60] [--spawn-rate 2]

The personas are chosen here from the data set, by role as in real use (``choose_personas``): ward secretaries
(reading; answering opinions; submitting the assessment), district standing committees (returning for
revision), committee members (writing opinions), district boards, the city's users and district auditors; each
with an API token made here. What each does and how often is ``bench/locustfile.py``'s ``MIX``; people log in
once, arriving ``--spawn-rate`` a second, then think 3-10 s between actions.

Reported (``--output``): the steady state (locust's statistics reset once every user has logged in, then
``--seconds`` of work): requests, errors, throughput and p50/p95 over all requests and per kind, and the failures;
the logins apart (every login request of the ramp-up, its p50/p95/max and errors, how long the ramp-up took);
the load average before and after (the machine may be shared).
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
LOGIN_GRACE = 120  # seconds the logins may take beyond the spawning before the run is cut


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ward(review) -> str:
    return review.organization.code.rsplit("W", 1)[1].lstrip("0") or "0"


def _district(review) -> int:
    return int(review.organization.superior.code.rsplit("D", 1)[1])


def choose_personas(*, year: int, code: str, users: int) -> list[dict]:
    """``users`` people of the data set, by role as in real use (bench/locustfile.py's ``MIX`` says what each
    does). Out of 50: 2 city users, 4 auditors (district inspection), 6 district boards, 3 district standing
    committees with 10 of their wards' secretaries whose review is finalizing or submitted (the transition
    pairs), 5 committee members writing opinions and the 5 secretaries answering them on the same reviews, and
    ward secretaries reading for the rest. Every person who writes appears once (no two users act on one
    review's stage)."""
    from review_process.models import Review, ReviewState

    prefix = code.lower()
    reviews = Review.objects.filter(year=year, organization__code__startswith=f"{code}-W").select_related(
        "organization__superior"
    )
    state = ReviewState
    by_district: dict[int, list] = {}
    for review in reviews.order_by("pk"):
        by_district.setdefault(_district(review), []).append(review)
    districts = sorted(by_district)
    chosen: list[dict] = []
    taken: set[str] = set()

    def add(kind: str, username: str, reviews: list, **extra) -> None:
        if username not in taken and len(chosen) < users:
            taken.add(username)
            chosen.append({"kind": kind, "username": username, "reviews": [r.pk for r in reviews], **extra})

    def secretary(review) -> str:
        return f"{prefix}-w{_ward(review)}-secretary"

    # The city: its inspection and its organisation board (every review).
    for role in ("inspection", "organization-board")[: max(1, users // 25)]:
        add("city", f"{prefix}-city-{role}", by_district[districts[0]][:50])
    # Transition pairs: the standing committee of the first districts returns, their wards' secretaries submit.
    pairs = [d for d in districts[: max(1, users // 16)]]
    submitters = []
    for d in pairs:
        acting = [r for r in by_district[d] if r.state in (state.FINALIZING, state.SUBMITTED)]
        submitters.append(acting[: max(1, users // 5) // len(pairs)])
    for d, acting in zip(pairs, submitters, strict=True):
        add("standing", f"{prefix}-d{d}-standing-committee", acting)
        for review in acting:
            add("submitter", secretary(review), [review])
    # Opinions: a ward's committee member writes (dated the day before the conference: the domain refuses an
    # opinion dated after it), the ward's secretary answers.
    collecting = (
        reviews.filter(state=state.COLLECTING_OPINIONS, conference__isnull=False)
        .select_related("conference")
        .order_by("pk")[: max(1, users // 10)]
    )
    for review in collecting:
        day = (review.conference.held_at.date() - datetime.timedelta(days=1)).isoformat()
        add("recorder", f"{prefix}-w{_ward(review)}-committee-member", [review], occurred_on=day)
        add("responder", secretary(review), [review])
    # Auditors: a district's inspection committee, the compliance report of its closed reviews.
    others = [d for d in districts if d not in pairs]
    for d in others[: max(1, users // 12)]:
        add("auditor", f"{prefix}-d{d}-inspection", [r for r in by_district[d] if r.state == state.CLOSED][:20])
    # District boards: their district's reviews.
    for d in others[: max(1, users // 8)]:
        add("board", f"{prefix}-d{d}-organization-board", by_district[d][:50])
    # Ward secretaries reading, for the rest.
    for review in reviews.exclude(state=state.CANCELLED).order_by("pk"):
        if len(chosen) >= users:
            break
        add("secretary", secretary(review), [review])
    return chosen


def people(personas: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """Every persona's full name (shown on each of their pages) and each review's organisation name."""
    from permissions.models import User
    from review_process.models import Review

    names = dict(
        User.objects.filter(username__in=[p["username"] for p in personas]).values_list("username", "full_name")
    )
    ids = {pk for p in personas for pk in p["reviews"]}
    organizations = dict(Review.objects.filter(pk__in=ids).values_list("pk", "organization__name"))
    return names, organizations


def api_tokens(usernames: set[str]) -> dict[str, str]:
    """One API token per person, made here: people who share a login in the run share its token (asking for one
    through the API replaces the previous one, which another simulated user may be holding)."""
    from rest_framework.authtoken.models import Token

    from permissions.models import User

    return {u.username: Token.objects.get_or_create(user=u)[0].key for u in User.objects.filter(username__in=usernames)}


def locust_stats(prefix: Path) -> dict:
    """The steady state: locust's CSV statistics (reset once every user had logged in)."""
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", newline="")))

    def figures(row) -> dict:
        return {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"]) if row["50%"] not in ("", "N/A") else 0.0,
            "p95_ms": float(row["95%"]) if row["95%"] not in ("", "N/A") else 0.0,
        }

    total = next(r for r in rows if r["Name"] == "Aggregated")
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        failures = list(csv.DictReader(open(f"{prefix}_failures.csv", newline="")))
    return {
        "total": figures(total),
        "by_request": {
            f"{r['Type']} {r['Name']}": figures(r)
            for r in rows
            if r["Name"] != "Aggregated" and int(r["Request Count"])  # not the logins, reset to nothing
        },
        "failures": [
            {"request": f["Name"], "error": f["Error"][:300], "count": int(f["Occurrences"])} for f in failures
        ],
    }


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * q // 100) - 1))], 1)


def login_stats(path: Path) -> dict:
    """The ramp-up: every login request (form and POST) of the run, as the locustfile recorded them, and how long
    from the first spawn to the last login's answer (when the steady state began)."""
    recorded = json.loads(path.read_text()) if path.exists() else {"logins": [], "window": {}}
    by_request: dict[str, dict] = {}
    for name in sorted({r["request"] for r in recorded["logins"]}):
        times = [r["ms"] for r in recorded["logins"] if r["request"] == name]
        errors = [r["error"] for r in recorded["logins"] if r["request"] == name and r["error"]]
        by_request[name] = {
            "requests": len(times),
            "errors": len(errors),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "max_ms": round(max(times), 1),
            "first_errors": errors[:5],
        }
    window = recorded["window"]
    ramp = window.get("steady_started", window.get("ended", 0)) - window.get("spawn_started", 0)
    steady = window.get("ended", 0) - window.get("steady_started", window.get("ended", 0))
    return {"by_request": by_request, "ramp_s": round(ramp, 1), "steady_s": round(steady, 1)}


def start_scaled(args, ports: dict) -> subprocess.Popen:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DB", "DATABASE_URL", "CELERY_", "GUNICORN_", "AUDIT_"))
    }
    env.update({k: str(v) for k, v in ports.items()})
    env.update(DB_NAME=args.db_name, SCALED_DIR=str(args.scaled_dir), SCALED_DEMO="false", PYTHON=sys.executable)
    env.update(GUNICORN_WORKERS=str(args.gunicorn_workers), GUNICORN_THREADS=str(args.gunicorn_threads))
    return subprocess.Popen(
        ["bash", "scripts/run-scaled.sh"],
        cwd=ROOT,
        env=env,
        stdout=open(args.scaled_dir / "run-scaled.out", "w"),  # noqa: SIM115 - the child holds it
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def run(*, args, personas_file: Path) -> dict:
    ports = {"PROXY_PORT": free_port(), "BACKEND1_PORT": free_port(), "BACKEND2_PORT": free_port()}
    ports["REDIS_PORT"] = free_port()
    scaled = start_scaled(args, ports)
    try:
        deadline = time.monotonic() + START_WITHIN
        while "run-scaled: ready" not in (args.scaled_dir / "run-scaled.out").read_text():
            if scaled.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the scaled mode did not start: see " + str(args.scaled_dir))
            time.sleep(1)
        host = f"http://127.0.0.1:{ports['PROXY_PORT']}"
        prefix = args.scaled_dir / "locust"
        logins = args.scaled_dir / "logins.json"
        ramp = -(-args.users // args.spawn_rate)
        say(f"{args.users} users (arriving {args.spawn_rate}/s) logging in, then {args.seconds} s measured, on {host}")
        load_before = [round(x, 2) for x in os.getloadavg()]
        subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                # The locustfile stops the run BENCH_SECONDS after the last login; this is only the bound.
                "--run-time",
                f"{ramp + args.seconds + LOGIN_GRACE}s",
                "--reset-stats",
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
            env={
                **os.environ,
                "BENCH_PERSONAS": str(personas_file),
                "BENCH_SECONDS": str(args.seconds),
                "BENCH_LOGINS": str(logins),
            },
            check=True,
            timeout=ramp + args.seconds + LOGIN_GRACE + 120,
            stdout=open(args.scaled_dir / "locust.out", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        stats = locust_stats(prefix)
        stats["logins"] = login_stats(logins)
        stats["load_average"] = {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]}
    finally:
        if scaled.poll() is None:
            os.killpg(scaled.pid, signal.SIGINT)
            try:
                scaled.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(scaled.pid, signal.SIGKILL)
    return stats


def say(message: str) -> None:
    print(f"  load: {message}", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="the owner's URL (to choose the personas)")
    parser.add_argument("--db-name", required=True)
    parser.add_argument("--scaled-dir", type=Path, required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--code", default="LOAD")
    parser.add_argument("--password", required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60, help="the steady state measured, after the logins")
    parser.add_argument("--spawn-rate", type=int, default=2, help="people arriving per second")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--gunicorn-threads", type=int, default=4)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    args.scaled_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="true", DATABASE_URL=args.database_url)
    import django

    django.setup()
    personas = choose_personas(year=args.year, code=args.code, users=args.users)
    tokens = api_tokens({p["username"] for p in personas})
    names, organizations = people(personas)
    for persona in personas:
        persona["name"] = names[persona["username"]]
    personas_file = args.scaled_dir / "personas.json"
    setup = {
        "year": args.year,
        "password": args.password,
        "personas": personas,
        "tokens": tokens,
        "names": organizations,
    }
    personas_file.write_text(json.dumps(setup, ensure_ascii=False))
    from django.db import connections

    connections.close_all()
    result = run(args=args, personas_file=personas_file)
    result.update(
        users=args.users,
        seconds=args.seconds,
        spawn_rate=args.spawn_rate,
        think_time_s=[3, 10],
        gunicorn=f"2 instances x {args.gunicorn_workers} workers x {args.gunicorn_threads} threads",
        personas={kind: sum(p["kind"] == kind for p in personas) for kind in sorted({p["kind"] for p in personas})},
    )
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
