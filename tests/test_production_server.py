"""The production server (issue "Scale"): ``/healthz``, the database chosen by DATABASE_URL, SQLite's WAL mode,
and gunicorn serving the application and, through WhiteNoise, the collected static files.

Settings are read in fresh processes (``config.settings`` as the environment makes them); the end-to-end test
migrates a temporary SQLite file, collects the static files into a temporary STATIC_ROOT and starts gunicorn
on a free loopback port. Every subprocess has a timeout; the server is killed in a ``finally`` block.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from config import health
from config.staticfiles import StaticFilesStorage
from review_process.management.commands.verify_audit_trail import TRIGGERS

ROOT = Path(__file__).resolve().parent.parent


def settings_env(**env: str) -> dict[str, str]:
    """A clean environment for config.settings: none of the caller's DJANGO_*, DB*, DATABASE_URL or STATIC_ROOT."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DB", "DATABASE_URL", "STATIC_ROOT", "GUNICORN_"))
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1", **env)
    return environment


def python(code: str, timeout: float = 60, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=settings_env(**env), capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


DUMP_DATABASE = "import json, config.settings as s; print(json.dumps(s.DATABASES['default'], default=str))"


# --- /healthz ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "audit_triggers": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_answers_503_when_an_audit_trigger_is_missing(client):
    dropped = TRIGGERS[connection.vendor][-1]
    with transaction.atomic():  # a savepoint: the trigger is back after the rollback
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # names its table; Django's deferred key checks fire first
                cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s", [dropped])
                table = cursor.fetchone()[0]
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"DROP TRIGGER {dropped} ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER {dropped}")
        response = client.get("/healthz")
        transaction.set_rollback(True)
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "audit_triggers": "missing",
        "missing_triggers": [dropped],
    }
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client, monkeypatch, caplog):
    def broken():
        raise DatabaseError("connection refused by db.internal:5432")

    monkeypatch.setattr(health, "missing_triggers", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "audit_triggers": "unknown"}
    assert "db.internal" not in response.content.decode()  # logged, never shown
    assert "connection refused" in caplog.text


# --- The database: DATABASE_URL, DB_*, SQLite's pragmas ---------------------------------------------------------


def test_database_url_selects_postgresql():
    config = json.loads(
        python(DUMP_DATABASE, DATABASE_URL="postgres://kd:s%40cret@db.example.org:5433/review", DB_CONN_MAX_AGE="60")
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"]) == ("review", "db.example.org", 5433)
    assert (config["USER"], config["PASSWORD"], config["CONN_MAX_AGE"]) == ("kd", "s@cret", 60)
    assert "OPTIONS" not in config or "init_command" not in config["OPTIONS"]


def test_database_url_selects_sqlite_with_the_same_options(tmp_path):
    config = json.loads(python(DUMP_DATABASE, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3"))
    assert config["ENGINE"] == "django.db.backends.sqlite3" and config["NAME"] == f"{tmp_path}/db.sqlite3"
    assert config["OPTIONS"] == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }


def test_without_database_url_the_db_variables_still_decide():
    default = json.loads(python(DUMP_DATABASE))
    assert default["ENGINE"] == "django.db.backends.sqlite3" and default["NAME"] == str(ROOT / "db.sqlite3")
    assert default["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    postgres = json.loads(python(DUMP_DATABASE, DB="postgres", DB_NAME="kd", DB_HOST="db"))
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["NAME"], postgres["HOST"], postgres["USER"]) == ("kd", "db", "review_engine")


PRAGMAS = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA synchronous")
    print(mode, cursor.fetchone()[0])
"""


@pytest.mark.parametrize("by_url", [False, True], ids=["DB_NAME", "DATABASE_URL"])
def test_a_sqlite_file_is_opened_in_wal_mode_with_full_sync(tmp_path, by_url):
    database = tmp_path / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}"} if by_url else {"DB_NAME": str(database)}
    assert python(PRAGMAS, **env).split() == ["wal", "2"]  # synchronous: 2 is FULL


def test_a_stylesheet_reference_to_a_missing_file_does_not_fail_collectstatic(tmp_path):
    storage = StaticFilesStorage(location=tmp_path)
    assert storage.hashed_name("fonts/missing.woff2") == "fonts/missing.woff2"
    (tmp_path / "app.css").write_text("body { color: black }")
    assert storage.hashed_name("app.css").startswith("app.") and storage.hashed_name("app.css") != "app.css"


# --- gunicorn, end to end ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.mark.slow
def test_gunicorn_serves_healthz_and_the_static_files(tmp_path):
    static_root = tmp_path / "static"
    port = free_port()
    env = settings_env(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="production-server-test-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(static_root),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    manage = [sys.executable, "manage.py"]
    migrate = subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=180)  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr
    # The site's own files only (the packages' are many megabytes): enough for the pages' links and this test.
    ignore = [arg for app in ("admin", "drf_spectacular_sidecar", "rest_framework", "viewflow", "guardian")
              for arg in ("-i", app)]  # fmt: skip
    collect = subprocess.run([*manage, "collectstatic", "--no-input", "-v", "0", *ignore], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert collect.returncode == 0, collect.stderr
    hashed_css = json.loads((static_root / "staticfiles.json").read_text())["paths"]["css/app.css"]

    log = tmp_path / "gunicorn.log"
    server = None
    try:
        with open(log, "wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 45
        while True:
            assert server.poll() is None, f"gunicorn exited:\n{log.read_text(errors='replace')[-3000:]}"
            try:
                status, _, body = get(port, "/healthz")  # plain http: exempt from the HTTPS redirect
                break
            except OSError:
                assert time.monotonic() < deadline, f"no answer in 45 s:\n{log.read_text(errors='replace')[-3000:]}"
                time.sleep(0.3)
        assert status == 200, body
        assert json.loads(body) == {"status": "ok", "database": "ok", "audit_triggers": "ok"}

        # Everything else is https only (behind the proxy, which says so in X-Forwarded-Proto).
        assert get(port, f"/static/{hashed_css}")[0] == 301
        https = {"X-Forwarded-Proto": "https"}
        status, headers, body = get(port, f"/static/{hashed_css}", **https, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-type"].startswith("text/css")
        assert "immutable" in headers["cache-control"]  # a hashed name: cached for good
        assert headers.get("content-encoding") == "gzip"
        status, _, body = get(port, "/accounts/login/", **https)
        assert status == 200 and f"/static/{hashed_css}".encode() in body
        assert b'"GET /healthz HTTP/1.1" 200' in log.read_bytes()  # the access log, on stdout
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
