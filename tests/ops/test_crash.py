"""Crash and restore: the server is killed (SIGKILL) in the middle of a load run and restarted; the audit trail
still verifies and every review's state is the state its last transition event recorded.

A real ``manage.py runserver --noreload`` on a file-based SQLite database (the migrated test database, copied
with the people, organisations and tokens the load needs). A few threads drive the API on loopback (open a
review, add a draft, circulate it, record opinions, cancel it; again), bounded in count and time. Every
subprocess has a timeout and is killed in a ``finally`` block.
"""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.client import HTTPException
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.factories import OrganizationFactory, PositionFactory, UserFactory
from tests.ops import MANAGE, copy_database, manage, server_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="runs the server on a SQLite file"),
]

WORKERS = 3
MAX_ROUNDS = 40  # per worker: a bound on the load whatever happens
LOAD_SECONDS = 45  # a bound on the load's duration
KILL_AFTER_WRITES = 36  # successful writes (all workers) before the server is killed
REQUEST_TIMEOUT = 25  # above SQLite's busy timeout (20 s), below the test's patience


class ServerGone(Exception):
    """The connection failed: the server is not there (any more)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Accept-Language", "en")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (urllib.error.URLError, HTTPException, ConnectionError, TimeoutError, json.JSONDecodeError) as exc:
        raise ServerGone(str(exc)) from exc


def start_server(database: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with open(log, "ab") as out:
        server = subprocess.Popen(
            [sys.executable, str(MANAGE), "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
            env=server_env(database),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return server, f"http://127.0.0.1:{port}"


def wait_until_serving(server: subprocess.Popen, base: str, token: str, log: Path, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server exited:\n{log.read_text(errors='replace')[-3000:]}"
        try:
            if call(base, "GET", "/api/v1/reviews/", token)[0] == 200:
                return
        except ServerGone:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the server did not answer within {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(server: subprocess.Popen | None) -> None:
    if server is not None and server.poll() is None:
        server.kill()
        server.wait(timeout=10)


class Load:
    """Worker threads carrying reviews of their own ward round and round until stopped or bounded."""

    def __init__(self, base: str, wards: list[tuple[str, str, str]], cancel_token: str):
        self.base, self.wards, self.cancel_token = base, wards, cancel_token
        self.writes = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.deadline = time.monotonic() + LOAD_SECONDS

    def expect(self, status: int, expected: int, what: str, body: dict) -> None:
        with self.lock:
            if status == expected:
                self.writes += 1
            else:
                self.errors.append(f"{what}: {status} {body}")
                self.stop.set()

    def round(self, ward: str, token: str, member_token: str) -> None:
        status, body = call(
            self.base, "POST", "/api/v1/reviews/", token, {"organization": ward, "year": 2021, "kind": "collective"}
        )
        self.expect(status, 201, f"open {ward}", body)
        review = f"/api/v1/reviews/{body.get('id')}/"
        steps = [
            (token, "report-versions/", {"text": "Dự thảo báo cáo", "is_final": False}, 201),
            (token, "transitions/circulate_draft/", {}, 200),
            (member_token, "opinions/", {"text": "Góp ý bằng văn bản", "channel": "written"}, 201),
            (member_token, "opinions/", {"text": "Góp ý thứ hai", "channel": "written"}, 201),
            (self.cancel_token, "transitions/cancel/", {"reason": "Thử tải"}, 200),
        ]
        for step_token, path, payload, expected in steps:
            if self.stop.is_set():
                return
            status, body = call(self.base, "POST", review + path, step_token, payload)
            self.expect(status, expected, f"{path} {ward}", body)

    def work(self, ward: str, token: str, member_token: str) -> None:
        try:
            for _round in range(MAX_ROUNDS):
                if self.stop.is_set() or time.monotonic() > self.deadline:
                    return
                self.round(ward, token, member_token)
        except ServerGone:
            return  # killed under our feet: that is the point

    def run(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.work, args=ward, daemon=True) for ward in self.wards]
        for thread in threads:
            thread.start()
        return threads


@pytest.fixture
def loaded_database(org, people, tmp_path):
    """The test database as a file, with three wards whose secretary and committee member (and the district's
    standing committee, who cancels) have API tokens, and a spare ward for the check after the restart."""
    wards = []
    for code in ("LB-W1", "LB-W2", "LB-W3", "LB-SPARE"):
        ward = OrganizationFactory(code=code, name=f"Đảng ủy phường {code}", kind="ward", superior=org.lb)
        tokens = []
        for role in ("secretary", "committee_member"):
            person = UserFactory(username=f"{role}-{code.lower()}")
            PositionFactory(person=person, organization=ward, role=role)
            tokens.append(Token.objects.create(user=person).key)
        wards.append((code, *tokens))
    cancel_token = Token.objects.create(user=people.standing).key
    return copy_database(tmp_path / "crash.sqlite3"), wards, cancel_token


def reviews_and_last_states(database: Path) -> list[tuple[int, str, str | None, int]]:
    """(review, state, to_state of its last event that has one, processes) for every review."""
    with sqlite3.connect(database) as db:
        return db.execute(
            """
            SELECT r.id, r.state,
                   (SELECT e.to_state FROM review_process_auditevent e
                     WHERE e.review_id = r.id AND e.to_state <> '' ORDER BY e.sequence DESC LIMIT 1),
                   (SELECT COUNT(*) FROM workflows_reviewprocess p WHERE p.review_id = r.id)
              FROM review_process_review r ORDER BY r.id
            """
        ).fetchall()


def test_a_server_killed_under_load_restarts_with_an_intact_trail_and_consistent_states(loaded_database, tmp_path):
    database, wards, cancel_token = loaded_database
    log = tmp_path / "server.log"
    server = None
    load = None
    try:
        server, base = start_server(database, log)
        wait_until_serving(server, base, wards[0][1], log)

        load = Load(base, wards[:WORKERS], cancel_token)
        threads = load.run()
        deadline = time.monotonic() + LOAD_SECONDS
        while load.writes < KILL_AFTER_WRITES and not load.stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not load.errors, load.errors
        assert load.writes >= KILL_AFTER_WRITES, f"only {load.writes} writes in {LOAD_SECONDS} s"
        server.send_signal(signal.SIGKILL)  # in the middle of the load: requests are in flight
        server.wait(timeout=10)
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
        assert not any(thread.is_alive() for thread in threads)
        assert not load.errors, load.errors
        written_before_kill = load.writes

        server, base = start_server(database, log)
        spare = wards[-1]
        wait_until_serving(server, base, spare[1], log)
        after = Load(base, [spare], cancel_token)
        after.round(*spare)  # the restarted server takes writes again
        assert not after.errors and after.writes == 6, after.errors
    finally:
        if load is not None:
            load.stop.set()
        stop(server)

    verified = manage("verify_audit_trail", database=database, timeout=90)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    rows = reviews_and_last_states(database)
    assert len(rows) >= written_before_kill // 6
    mismatched = [row for row in rows if row[1] != row[2] or row[3] != 1]
    assert not mismatched, f"(review, state, last event's to_state, processes): {mismatched}"
