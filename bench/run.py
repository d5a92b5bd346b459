"""``make bench``: every figure of issue 14, measured side by side in one run, into bench/results.json and the
table of bench/README.md (bench/report.py), with the machine they ran on (bench/machine.py).

    python -m bench.run [--reviews 10000] [--rounds 200] [--users 50] [--seconds 60] [--only PART ...]
                        [--db-name review_engine_bench] [--reuse-database]

Each part runs in a process of its own, configured for its database:

* ``transition``: the transition against the floor (``bench/transition.py``, ``measure``) on a SQLite file (WAL,
  ``synchronous=FULL``) and on PostgreSQL (a database created and dropped for it);
* ``pages``: inbox, review list (page and API) and superior overview at ``--reviews`` reviews on PostgreSQL,
  against the profile page (``bench/pages.py``), on ``review_engine_bench`` loaded by ``manage.py seed_load``;
* ``bulk``: the bulk compliance audit over ``--reviews`` reviews on a SQLite file (``bench/bulk.py``);
* ``load``: locust against the scaled mode over ``review_engine_bench``: ``--users`` people log in (reported
  apart), then ``--seconds`` of their work is measured (``bench/load.py``, ``bench/locustfile.py``).

PostgreSQL is the local server of ``scripts/postgres-up.sh`` (installed and started when missing, as root).
Progress goes to stderr. ``--only`` re-runs some parts and keeps the others' figures from results.json.
``--db-name`` loads another database than ``review_engine_bench`` (one per person sharing a server);
``--reuse-database`` skips the reload (minutes) and uses it as an earlier run left it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import machine, report

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
PARTS = ("transition", "pages", "bulk", "load")
BENCH_DB = "review_engine_bench"
YEAR = 2024
CODE = "LOAD"
PREPARE_THRESHOLD = 5  # as scripts/run-scaled.sh sets DB_PREPARE_THRESHOLD


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def postgres(db_name: str = BENCH_DB) -> dict[str, str]:
    """Start the local PostgreSQL (scripts/postgres-up.sh) with the benchmark's database; its variables."""
    done = subprocess.run(
        ["sh", "scripts/postgres-up.sh"],
        cwd=ROOT,
        env={**os.environ, "DB_NAME": db_name},
        capture_output=True,
        text=True,
        check=True,
    )
    found = {}
    for line in done.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        found[name] = value
    return found


def postgres_version(pg: dict[str, str]) -> str:
    done = subprocess.run(
        ["su", "postgres", "-c", f"psql -p {pg['DB_PORT']} -tAc 'SHOW server_version'"],
        capture_output=True,
        text=True,
        check=True,
    )
    return "PostgreSQL " + done.stdout.strip().split()[0]


def python(*args: str, env: dict | None = None, timeout: int = 7200) -> subprocess.CompletedProcess:
    """A part in a process of its own; its progress on stderr passes through."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB", "DATABASE_URL", "CELERY_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **(env or {})},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=timeout,
    )


def part_transition(args, pg) -> dict:
    results = {}
    # PostgreSQL twice: as configured by default, and with server-side prepared statements (DB_PREPARE_THRESHOLD,
    # which the scaled mode sets with its persistent connections).
    runs = (
        ("sqlite", []),
        ("postgresql", ["--database-url", pg["DATABASE_URL"]]),
        ("postgresql_prepared", ["--database-url", pg["DATABASE_URL"], "--prepare-threshold", str(PREPARE_THRESHOLD)]),
    )
    for database, options in runs:
        say(f"transition against the floor on {database} ({args.rounds} rounds)")
        done = python("-m", "bench.transition", "--rounds", str(args.rounds), *options)
        results[database] = json.loads(done.stdout[done.stdout.index("{") :])
    return results


def load_database(args, pg, scaled_dir: Path) -> str:
    """``--db-name`` (``review_engine_bench``) afresh: migrated as the owner (granting the application role) and
    seed_load; with ``--reuse-database``, the one loaded by an earlier run as it is (after a load run, with the
    transitions and records that run wrote)."""
    scaled_dir.mkdir(parents=True, exist_ok=True)
    key = scaled_dir / "audit-hmac-key"
    key.write_text(secrets.token_hex(32))  # the scaled mode's key (run-scaled.sh keeps an existing one)
    if args.reuse_database:
        say(f"reusing {args.db_name} as loaded before")
        return postgres(args.db_name)["DATABASE_URL"]
    say(
        f"loading {args.db_name}: seed_load --organizations {organizations_for(args.reviews)} "
        f"(about {args.reviews} reviews)"
    )
    command = f"dropdb --if-exists --force -p {pg['DB_PORT']} {args.db_name}"
    subprocess.run(["su", "postgres", "-c", command], check=True)
    pg = postgres(args.db_name)  # creates it again, owned by the owner role
    owner = pg["DATABASE_URL"]
    env = {"DATABASE_URL": owner, "DB_APP_ROLE": pg["DB_APP_ROLE"], "AUDIT_HMAC_KEY_FILE": str(key)}
    started = time.perf_counter()
    python("manage.py", "migrate", "--no-input", "-v", "0", env={**env, "DJANGO_DEBUG": "true"})
    python(
        "manage.py", "seed_load", "--organizations", str(organizations_for(args.reviews)), "--year", str(YEAR),
        "--password", args.password, "--code", CODE, env={**env, "DJANGO_DEBUG": "true"},
    )  # fmt: skip
    say(f"loaded in {time.perf_counter() - started:.0f} s")
    return owner


def organizations_for(reviews: int, wards_per_district: int = 100) -> int:
    """seed_load's --organizations for ``reviews`` wards (one review each): the city, the districts, the wards."""
    return 1 + -(-reviews // wards_per_district) + reviews


def part_pages(args, owner: str, directory: Path) -> dict:
    say(f"pages at {args.reviews} reviews on PostgreSQL")
    output = directory / "pages.json"
    python("-m", "bench.pages", "--database-url", owner, "--year", str(YEAR), "--code", CODE, "--output", str(output))
    return json.loads(output.read_text())


def part_bulk(args, directory: Path) -> dict:
    say(f"bulk compliance audit over {args.reviews} reviews on SQLite")
    output = directory / "bulk.json"
    python("-m", "bench.bulk", "--reviews", str(args.reviews), "--output", str(output))
    return json.loads(output.read_text())


def part_load(args, owner: str, scaled_dir: Path, directory: Path) -> dict:
    say(f"load run: {args.users} users log in, then {args.seconds} s of work measured, against the scaled mode")
    output = directory / "load.json"
    python(
        "-m", "bench.load", "--database-url", owner, "--db-name", args.db_name, "--scaled-dir", str(scaled_dir),
        "--year", str(YEAR), "--code", CODE, "--password", args.password, "--users", str(args.users),
        "--seconds", str(args.seconds), "--output", str(output),
    )  # fmt: skip
    return json.loads(output.read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--password", default="bench-load-password")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--db-name", default=BENCH_DB, help="the PostgreSQL database seed_load fills (pages, load)")
    parser.add_argument(
        "--reuse-database", action="store_true", help="use --db-name as an earlier run loaded it (no reload)"
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() and set(args.only) != set(PARTS) else {}
    pg = postgres(args.db_name)
    results["machine"] = machine.describe(postgres_version(pg))
    results["run"] = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "reviews": args.reviews,
        "rounds": args.rounds,
        "users": args.users,
        "seconds": args.seconds,
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
    }

    def done(part: str, figures: dict) -> None:  # saved after each part: a failed part keeps the others
        results[part] = figures
        results.setdefault("measured", {})[part] = f"{results['run']['date']} at commit {results['run']['git']}"
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")

    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        directory = Path(tmp)
        scaled_dir = directory / "scaled"
        if "transition" in args.only:
            done("transition", part_transition(args, pg))
        if "bulk" in args.only:
            done("bulk", part_bulk(args, directory))
        if {"pages", "load"} & set(args.only):
            owner = load_database(args, pg, scaled_dir)
            if "pages" in args.only:
                done("pages", part_pages(args, owner, directory))
            if "load" in args.only:
                done("load", part_load(args, owner, scaled_dir, directory))
    results["run"]["wall_s"] = round(time.perf_counter() - started)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    report.write(results)
    print(report.table(results))
    say(f"done in {results['run']['wall_s']} s: bench/results.json and bench/README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
