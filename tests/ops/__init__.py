"""Operations tests (backup, restore, crash recovery) and their helpers.

They run ``manage.py`` in subprocesses against file-based SQLite databases: ``copy_database`` copies the test
database (migrated by the test run, append-only triggers included) into a file, ``manage`` runs a command
against such a file with the real settings (``config.settings``) and the tests' audit key.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def server_env(database: Path) -> dict[str, str]:
    """The environment of a ``manage.py`` subprocess working on the SQLite file ``database``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DB_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="true",
        DJANGO_SECRET_KEY="ops-tests-secret-key",
        DB="sqlite",
        DB_NAME=str(database),
        AUDIT_HMAC_KEY=settings.AUDIT_HMAC_KEY,  # the chain written by the tests verifies with the tests' key
        AUDIT_ANCHOR_FILE="",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(*args: str, database: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``manage.py *args`` on ``database``, its output in English (the source language the tests assert);
    killed when it outlives ``timeout`` seconds."""
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        cwd=settings.BASE_DIR,
        env={**server_env(database), "DJANGO_LANGUAGE_CODE": "en"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def copy_database(target: Path) -> Path:
    """Copy the test database, as committed now, into the SQLite file ``target`` (SQLite's backup API)."""
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()
    return target


def table_counts(database: Path, tables: list[str]) -> dict[str, int]:
    """Rows per table in the SQLite file ``database``."""
    with sqlite3.connect(database) as db:
        return {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
