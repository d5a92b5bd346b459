"""Lists at scale (issue 14): the inbox, the review list (page and API) and the superior's overview, timed
in-process on the benchmark's PostgreSQL database loaded by ``manage.py seed_load`` (10,000 reviews), against a
trivial authenticated page (``/profile/``) on the same server, for three people: the city's inspection (sees
every review), a district's organisation board (its district's reviews) and a ward's secretary (one review).

    python -m bench.pages --database-url postgres://… --year 2024 --code LOAD --output pages.json

Each page is requested ``--requests`` times after ``--warmup`` (a slow page fewer times: at least 5, as many as
fit in 30 s) through Django's test client with the person logged in (the whole middleware stack, the templates,
the session and the queries; no network); its statements are counted on one request (an execute wrapper). A constant
number of queries means the same count for one review and for 10,000 (the tests in ``tests/web/test_home_lists.py``,
``test_overview_levels.py`` and ``test_tasks_at_scale.py`` pin it). Each page is its first page as a person opens
it: home (25 reviews, the counts per stage, the first overdue), the overview's first level (the city: its districts
with their figures; a district: its wards) and the task list (25 steps a list).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

BUDGET_S = 30  # a page this slow is timed fewer times: at least MIN_REQUESTS, as many as fit in BUDGET_S seconds
MIN_REQUESTS = 5


def configure(database_url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DATABASE_URL=database_url,
        DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-not-for-production")
    import django

    django.setup()


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def time_page(client, url: str, *, warmup: int, requests: int) -> dict:
    from django.db import connection

    response = client.get(url)
    for _ in range(warmup - 1 if response.status_code == 200 else 0):
        response = client.get(url)
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    timings = []
    budget = time.perf_counter() + BUDGET_S
    while len(timings) < requests and (len(timings) < MIN_REQUESTS or time.perf_counter() < budget):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "url": url,
        "status": response.status_code,
        "queries": len(statements),
        "p50_ms": round(percentile(timings, 50), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "requests": len(timings),
    }


def measure(*, year: int, code: str, warmup: int, requests: int) -> dict:
    from django.test import Client

    from permissions.models import User
    from review_process.models import Review

    prefix = code.lower()
    people = {
        "city inspection": f"{prefix}-city-inspection",
        "district board": f"{prefix}-d0-organization-board",
        "ward secretary": f"{prefix}-w0-secretary",
    }
    own_review = Review.objects.filter(organization__code=f"{code}-W00000", year=year).values_list("pk", flat=True)[0]
    pages = {
        "trivial (profile)": "/profile/",
        "home": "/",
        "inbox (tasks)": "/tasks/",
        "review list (API)": f"/api/v1/reviews/?year={year}",
        "overview": f"/overview/{year}/",
        "review page": f"/reviews/{own_review}/",
    }
    results = []
    for person, username in people.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for page, url in pages.items():
            if page == "overview" and person == "ward secretary":
                continue  # the overview is the superiors' page (a ward's secretary gets 404)
            print(f"  pages: {person}: {page}", file=sys.stderr, flush=True)
            row = time_page(client, url, warmup=warmup, requests=requests)
            results.append({"person": person, "page": page, **row})
    return {"reviews": Review.objects.filter(year=year).count(), "rows": results}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--code", default="LOAD")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    configure(args.database_url)
    result = measure(year=args.year, code=args.code, warmup=args.warmup, requests=args.requests)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
