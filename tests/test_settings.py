"""Serving needs a secret key; management commands run without one."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(code: str, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB"))}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", DB_NAME=":memory:", **env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_serving_without_a_secret_key_is_refused():
    result = run("import config.wsgi")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_serving_with_a_secret_key_works_and_commands_need_none():
    assert run("import config.wsgi", DJANGO_SECRET_KEY="k" * 50).returncode == 0
    check = run("import django; django.setup(); from django.core.management import call_command; call_command('check')")
    assert check.returncode == 0, check.stderr
