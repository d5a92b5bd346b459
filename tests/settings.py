"""Test settings: the real settings, with a fast password hasher and in-memory e-mail."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "test-results" / "media"  # noqa: F405
PRIVATE_MEDIA_ROOT = BASE_DIR / "test-results" / "private-media"  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405 (SQLite however it was chosen)
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
AUDIT_HMAC_KEY = "test-audit-hmac-key"  # fixed: the tests recompute hashes with and without it
AUDIT_ANCHOR_FILE = ""  # no default anchor file; the anchor tests give their own
# The PostgreSQL run (make test-postgres) may name its test database, so that runs on one server do not collide.
if os.environ.get("TEST_DB_NAME") and not DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}  # noqa: F405
