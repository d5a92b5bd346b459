"""The scaled mode end to end: haproxy over two gunicorns, PostgreSQL, Redis and one Celery worker with beat.

Through the proxy a person logs in with the form, and a program walks a transition with an API token (the
organisation board records the guidance of the demo's 2021 review and confirms it); the e-mail to whoever acts
next is an outbox row, which the worker (not the request) sends. Both backends and the proxy answer /healthz; the
servers run threaded workers behind haproxy's queue (the settings of scripts/run-scaled.sh);
Ctrl-C stops every process the script started (the script exits, no port still listens).
"""

from __future__ import annotations

import json
import re
import time

import pytest
import requests

pytestmark = pytest.mark.scaled

PASSWORD = "demo12345"  # noqa: S105 - the demo's logins (workflows/demo.py)
OUTBOX = """
import json
from workflows.models import OutboxMessage
print(json.dumps([
    {"id": m.pk, "kind": m.kind, "status": m.status, "attempts": m.attempts,
     "sent_to": sorted(d.address for d in m.deliveries.all() if d.sent_at)}
    for m in OutboxMessage.objects.prefetch_related("deliveries")
]))
"""


def test_health_on_both_backends_and_the_proxy(scaled):
    for port in (scaled.ports.backend1, scaled.ports.backend2, scaled.ports.proxy):
        response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert response.status_code == 200, (port, response.text)
        assert response.json() == {"status": "ok", "database": "ok", "audit_triggers": "ok"}


def test_login_through_the_proxy(scaled):
    session = requests.Session()
    page = session.get(f"{scaled.base}/accounts/login/", timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    home = session.post(
        f"{scaled.base}/accounts/login/",
        data={"username": "pvhung", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{scaled.base}/accounts/login/"},
        timeout=10,
    )
    assert home.status_code == 200 and home.url == f"{scaled.base}/", home.url
    assert "Phan Việt Hưng" in home.text
    # The session lives in the database: the next requests, spread over both backends, are the same person.
    for _ in range(4):
        again = session.get(f"{scaled.base}/profile/", timeout=10)
        assert again.status_code == 200 and "Phan Việt Hưng" in again.text


def test_a_transition_by_api_token_is_notified_by_the_worker(scaled):
    api = f"{scaled.base}/api/v1"
    issued = requests.post(f"{api}/auth/token/", json={"username": "vtthan", "password": PASSWORD}, timeout=10)
    assert issued.status_code == 201, issued.text
    headers = {"Authorization": f"Token {issued.json()['token']}"}
    listed = requests.get(f"{api}/reviews/", params={"year": 2021}, headers=headers, timeout=10).json()
    review = next(r for r in listed["results"] if r["state"] == "awaiting_guidance")
    before = json.loads(scaled.manage(OUTBOX))

    guidance = requests.post(
        f"{api}/reviews/{review['id']}/guidance/", json={"text": "Ý kiến chỉ đạo"}, headers=headers, timeout=10
    )
    assert guidance.status_code == 201, guidance.text
    done = requests.post(
        f"{api}/reviews/{review['id']}/transitions/give_guidance/", json={}, headers=headers, timeout=30
    )
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "finalizing"

    deadline = time.monotonic() + 150  # the worker gets it on commit; beat's sweep, every minute, otherwise
    seen = {row["id"] for row in before}
    while True:
        new = [row for row in json.loads(scaled.manage(OUTBOX)) if row["id"] not in seen]
        if new and all(row["status"] == "delivered" for row in new):
            break
        assert time.monotonic() < deadline, f"not delivered by the worker: {new}"
        time.sleep(3)
    assert all(row["sent_to"] for row in new), new  # each message reached at least one address
    # The worker, not the request, sent it: the console e-mail backend printed it in the worker's log only.
    assert "Subject:" in (scaled.directory / "celery.log").read_text(errors="replace")
    for server_log in scaled.directory.glob("gunicorn-*.log"):
        assert "Subject:" not in server_log.read_text(errors="replace")


def test_servers_are_set_for_a_small_machine(scaled):
    """Threads per worker (gthread), and haproxy gives each backend what it serves at once, queueing the rest."""
    config = (scaled.directory / "haproxy.cfg").read_text()
    assert config.count("maxconn 8\n") == 2, config  # 2 workers x 4 threads, on each server line
    assert "timeout queue 30s" in config
    for port in (scaled.ports.backend1, scaled.ports.backend2):
        log = (scaled.directory / f"gunicorn-{port}.log").read_text(errors="replace")
        assert "Using worker: gthread" in log, log[-2000:]


def test_ctrl_c_stops_everything(scaled):
    assert scaled.process.poll() is None
    assert scaled.stop() == 130, scaled.output()
    ports = scaled.ports
    for port in (ports.proxy, ports.backend1, ports.backend2, ports.redis):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/", timeout=5)
    assert "run-scaled: stopped" in scaled.output()
