"""The scaled mode (``scripts/run-scaled.sh``) started for the tests, and stopped as a person would: Ctrl-C.

``scaled``: one run per module on free loopback ports, a database of its own (``review_engine_scaled_test``, or
``SCALED_TEST_DATABASE`` when several people share the PostgreSQL server; dropped before and after) and a
temporary ``SCALED_DIR`` (generated configuration, keys, logs). The tests marked ``scaled`` need root (Debian
packages, PostgreSQL's ``postgres`` account) and take a minute to start, so they run only when selected
(``make test-scaled``, ``pytest -m scaled``), never in the default run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE = os.environ.get("SCALED_TEST_DATABASE", "review_engine_scaled_test")
START_WITHIN = 900  # seconds: packages, a fresh database migrated, the demo, collectstatic, five processes
STOP_WITHIN = 120


def pytest_collection_modifyitems(config, items):
    selected = "scaled" in config.getoption("markexpr", "") and "not scaled" not in config.getoption("markexpr", "")
    if not selected:
        skip = pytest.mark.skip(reason="the scaled mode runs only when selected: make test-scaled (-m scaled)")
        for item in items:
            if "scaled" in item.keywords:
                item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our loopback server
            return True
    except OSError:
        return False


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def postgres_env() -> dict[str, str]:
    """The variables scripts/postgres-up.sh exports (it starts the server when it is down)."""
    done = subprocess.run(["sh", "scripts/postgres-up.sh"], cwd=ROOT, capture_output=True, text=True, check=True)
    found = {}
    for line in done.stdout.splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            found[name] = value
    return found


def drop_database(pg: dict[str, str]) -> None:
    command = f"dropdb --if-exists --force -p {pg['DB_PORT']} {DATABASE}"
    subprocess.run(["su", "postgres", "-c", command], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the scaled mode installs Debian packages and runs PostgreSQL's tools as root")
    pg = postgres_env()
    drop_database(pg)
    directory = tmp_path_factory.mktemp("scaled")
    ports = SimpleNamespace(proxy=free_port(), backend1=free_port(), backend2=free_port(), redis=free_port())
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DB", "DATABASE_URL", "CELERY_", "GUNICORN_", "AUDIT_", "TEST_DB"))
    }
    env.update(
        PROXY_PORT=str(ports.proxy),
        BACKEND1_PORT=str(ports.backend1),
        BACKEND2_PORT=str(ports.backend2),
        REDIS_PORT=str(ports.redis),
        DB_NAME=DATABASE,
        SCALED_DIR=str(directory),
        PYTHON=sys.executable,
        PYTHONUNBUFFERED="1",
    )
    log = open(directory / "run-scaled.out", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        ["bash", "scripts/run-scaled.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: Ctrl-C is SIGINT to the group
    )
    base = f"http://127.0.0.1:{ports.proxy}"

    def output() -> str:
        if not log.closed:
            log.flush()
        return (directory / "run-scaled.out").read_text()[-6000:]

    def stop() -> int | None:
        """Ctrl-C: SIGINT to the script's process group; the script's trap stops what it started."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=STOP_WITHIN)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        return process.returncode

    def manage(*code: str) -> str:
        """Python run in the scaled mode's environment (as the owner role), for what the tests check."""
        owner = f"postgres://{pg['DB_USER']}:{pg['DB_PASSWORD']}@127.0.0.1:{pg['DB_PORT']}/{DATABASE}"
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", "\n".join(code)],
            cwd=ROOT,
            env={**env, "DATABASE_URL": owner, "DJANGO_DEBUG": "true"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-4000:]
        return done.stdout.strip().splitlines()[-1]  # the snippet prints its answer last

    deadline = time.monotonic() + START_WITHIN
    while "run-scaled: ready" not in output():
        if process.poll() is not None or time.monotonic() > deadline:
            stop()
            pytest.fail("the scaled mode did not start:\n" + output() + "\n" + logs(directory))
        time.sleep(1)
    yield SimpleNamespace(
        base=base, ports=ports, directory=directory, process=process, stop=stop, manage=manage, output=output
    )
    stop()
    log.close()
    drop_database(pg)


def logs(directory: Path) -> str:
    parts = []
    for path in sorted(directory.glob("*.log")):
        parts.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-3000:])
    return "\n".join(parts)
