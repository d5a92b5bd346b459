"""A race between processes on a shared database: ``python -m tests.concurrency.race_worker <command> ...``.

Settings: ``DJANGO_SETTINGS_MODULE=tests.concurrency.race_settings`` (a database every contender shares).

``race --spec JSON``: this interpreter sets Django up once, then forks the contenders (``contenders``, 20 by
default): separate processes, each with its own database connection (none is open at the fork), so twenty
interpreters need not start on a 2-core machine.  Each contender reads the review as the person would see it on
the page and asks the same verdict the page asks (so its first query in the race is not slower than the
others'), waits at a barrier until every contender is ready, then tries the action once.  The spec names the
action: ``{"action": "transition", "review": 1, "by": "lqvinh", "name": "approve"}`` or ``{"action":
"respond", "review": 1, "by": "pvhung", "opinion": 2, "answers": [["accepted", ""], ...], "seen":
"unanswered" | "unsaid"}`` (contender ``i`` gives answer ``i`` modulo their number).  Prints one JSON line:
``{"results": [...], "seconds": ...}`` with, per contender, ``{"outcome": "ok"}``, ``{"outcome": "refused",
"code", "status", "type"}`` for a ``ReviewError``, or ``{"outcome": "error" | "timeout" | ...}``; ``seconds``
from the release to the last contender done.  Bounded: a contender's own watchdog ends it after ``timeout``
seconds (30 by default), the barrier waits at most as long.

``check --review ID [--opinion ID]`` prints what the race left: the database's vendor, the review's stage, its
audit events by action, the responses of the opinion, and whether the audit trail is intact (``verify_chain``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import signal
import sys
import time
import traceback

import django

# Django is set up before the project is imported (this module is a program, never imported by the tests).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.concurrency.race_settings")
django.setup()

from django.db import connections  # noqa: E402
from django.db.models import Count  # noqa: E402

from permissions.models import User  # noqa: E402
from review_process.audit import verify_chain  # noqa: E402
from review_process.availability import record_verdict, transition_verdict  # noqa: E402
from review_process.errors import ReviewError  # noqa: E402
from review_process.models import AuditEvent, OpinionResponse, Review  # noqa: E402
from review_process.services import records  # noqa: E402
from workflows.services import review_transition  # noqa: E402

CORRECTION = {"unanswered": False, "unsaid": None}  # what a responding contender tells the service it saw


def say(**result) -> None:
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def prepare(spec: dict, index: int):
    """Read what the person sees and ask the page's verdict; return the action to try (no argument)."""
    user = User.objects.get(username=spec["by"])
    seen = Review.objects.select_related("organization").get(pk=spec["review"])
    if spec["action"] == "transition":
        transition_verdict(user, seen, spec["name"])
        return lambda: review_transition(review=seen.pk, name=spec["name"], by=user, seen_state=seen.state)
    record_verdict(user, seen, "respond_opinion")
    decision, note = spec["answers"][index % len(spec["answers"])]
    return lambda: records.opinion_respond(
        review=seen.pk,
        by=user,
        opinion_id=spec["opinion"],
        decision=decision,
        note=note,
        correction=CORRECTION[spec.get("seen", "unanswered")],
    )


def contend(spec: dict, index: int, barrier, results) -> None:
    """One contender (a forked process): get ready, wait for the others, act once, report."""

    def expire(signum, frame):
        results.put({"index": index, "outcome": "timeout"})
        results.close()
        results.join_thread()  # the report is written before the process ends
        os._exit(3)

    signal.signal(signal.SIGALRM, expire)
    signal.alarm(spec["timeout"])
    report = {"index": index}
    try:
        action = prepare(spec, index)
        barrier.wait()
        report["released"] = time.monotonic()
        action()
    except ReviewError as error:
        report |= {"outcome": "refused", "code": error.code, "status": error.status, "type": type(error).__name__}
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
        report |= {"outcome": "error", "type": type(error).__name__, "message": str(error)}
        report["trace"] = traceback.format_exc()
    else:
        report["outcome"] = "ok"
    report["done"] = time.monotonic()
    connections.close_all()
    results.put(report)


def race(spec: dict) -> None:
    spec = {"contenders": 20, "timeout": 30} | spec
    prepare(spec, 0)  # loads what every contender needs, once, before the fork
    connections.close_all()  # no connection crosses the fork: each contender opens its own
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(spec["contenders"], timeout=spec["timeout"])
    results = context.Queue()
    processes = [
        context.Process(target=contend, args=(spec, index, barrier, results)) for index in range(spec["contenders"])
    ]
    for process in processes:
        process.start()
    deadline = time.monotonic() + spec["timeout"] + 5
    reports = []
    try:
        while len(reports) < len(processes):
            reports.append(results.get(timeout=max(0.1, deadline - time.monotonic())))
    except queue.Empty:
        pass
    finally:
        for process in processes:
            process.join(timeout=max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
    reports.sort(key=lambda report: report["index"])
    released = [r["released"] for r in reports if "released" in r]
    done = [r["done"] for r in reports if "done" in r]
    seconds = max(done) - min(released) if released and done else None
    outcomes = [{k: v for k, v in r.items() if k not in ("index", "released", "done")} for r in reports]
    outcomes += [{"outcome": "no report"}] * (len(processes) - len(reports))
    say(results=outcomes, seconds=seconds)


def check(*, review_id: int, opinion_id: int | None) -> None:
    review = Review.objects.get(pk=review_id)
    events = dict(
        AuditEvent.objects.filter(review=review).values_list("action").annotate(n=Count("pk")).order_by("action")
    )
    responses = OpinionResponse.objects.filter(opinion_id=opinion_id) if opinion_id else OpinionResponse.objects.none()
    verdict = verify_chain()
    say(
        vendor=connections["default"].vendor,
        state=review.state,
        events=events,
        responses=list(responses.values_list("decision", flat=True)),
        intact=verdict.intact,
        chain=verdict.describe(),
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="race_worker")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("race").add_argument("--spec", required=True, help="the race, as JSON (see the module)")
    checking = sub.add_parser("check")
    checking.add_argument("--review", type=int, required=True)
    checking.add_argument("--opinion", type=int)
    args = parser.parse_args(argv)
    if args.command == "race":
        race(json.loads(args.spec))
    else:
        check(review_id=args.review, opinion_id=args.opinion)


if __name__ == "__main__":
    main()
