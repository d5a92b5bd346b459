"""A database other processes can share, and a race between processes on it.

``race_db``: the test writes the case through the ordinary fixtures (``walker``, ``people``) in a transactional
test (its writes are committed), then calls ``race_db.publish()``.  On PostgreSQL the contenders connect to the
same test database and publishing does nothing.  On SQLite the test database lives in this process's memory,
which no other process can open: publishing copies it (SQLite's online backup) into a database file in WAL
mode, and the race and ``race_db.check`` work on that file.  Either way the test database is flushed afterwards
as for any transactional test.

``race(spec)``: runs ``python -m tests.concurrency.race_worker race --spec ...`` (a fresh interpreter that forks
the contenders, see that module) and returns its report; ``race_db.check(...)`` what the race left.  Bounded:
the program is killed and the test fails after ``WITHIN`` seconds.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection

WITHIN = 90  # seconds for one program (interpreter start on a busy 2-core machine, then the race, <= 35 s)


def _run(env: dict, *args: str) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.concurrency.race_worker", *args],
            cwd=settings.BASE_DIR,
            env=env,
            text=True,
            capture_output=True,
            timeout=WITHIN,
        )
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"race_worker {args[0]} did not finish in {WITHIN} s: {expired.stderr}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and lines, done.stderr[-4000:]
    return json.loads(lines[-1])


@pytest.fixture
def race_db(transactional_db, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_FILE")}
    env["DJANGO_SETTINGS_MODULE"] = "tests.concurrency.race_settings"
    if connection.vendor == "postgresql":
        env["RACE_DB"] = connection.settings_dict["NAME"]

        def publish() -> None:
            pass

    else:
        path = tmp_path / "race.sqlite3"
        env["RACE_DB"] = str(path)

        def publish() -> None:
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
            finally:
                target.close()

    def check(*, review: int, opinion: int | None = None) -> dict:
        left = _run(env, "check", "--review", str(review), *(["--opinion", str(opinion)] if opinion else []))
        assert left["vendor"] == connection.vendor  # the race ran on the test's own kind of database
        return left

    return SimpleNamespace(env=env, publish=publish, check=check)


@pytest.fixture
def race(race_db):
    def run(spec: dict) -> dict:
        return _run(race_db.env, "race", "--spec", json.dumps(spec))

    return run
