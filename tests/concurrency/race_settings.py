"""Settings of the race contenders (``tests.concurrency.race_worker``): the test settings, on a database that
several processes share, named by ``RACE_DB``.

PostgreSQL (``DB=postgres``): ``RACE_DB`` is the test database the pytest process created (``test_…``); the
server and the role come from the usual ``DB_*`` variables.
SQLite: ``RACE_DB`` is a database file (never ``:memory:``, which one process alone sees), in WAL mode (readers
never wait for the writer) with ``BEGIN IMMEDIATE`` transactions and a busy timeout, as in production
(``config.settings``): concurrent writers queue for the write lock instead of failing at once.
"""

import os

from tests.settings import *  # noqa: F403

if os.environ.get("DB") == "postgres":
    DATABASES["default"]["NAME"] = os.environ["RACE_DB"]  # noqa: F405
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["RACE_DB"],
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
