"""The load run's mix (``make bench``, ``bench/load.py``): people of a ``seed_load`` data set at work, against
the scaled mode on loopback.

    BENCH_PERSONAS=personas.json BENCH_SECONDS=60 locust -f bench/locustfile.py --headless -u 50 -r 2 \
        -t 300s --reset-stats --host http://127.0.0.1:8080

``BENCH_PERSONAS`` names a JSON file written by ``bench/load.py``: ``{"year", "password", "personas": […],
"tokens": {username: key}, "names": {review id: organisation name}}``, one persona per simulated person, handed
out in order (more users than personas reuse them, and two people then act on the same review).

How a person works (the choices, README "Scaled mode" and bench/README.md):

* **Log in once**, with the form, at the start of the session (``on_start``), as a person does in the morning;
  people arrive over time (the spawn rate), not all in the same second.
* **Think time 3-10 s** between actions (``between(3, 10)``): the time to read a page or type a short entry
  before the next click. Real reading is slower (a review's page takes minutes); this is the busy end of the
  year, so the rate per person is on the high side of plausible.
* **The steady state is measured, the logins apart**: locust resets its statistics when the last user is spawned
  (``--reset-stats``), and this file resets them again when the last login has answered (during a login storm the
  logins outlast the spawning), then stops the run ``BENCH_SECONDS`` later. Every login (form and POST) is
  recorded here too, with its time and error, and written to ``BENCH_LOGINS`` (JSON) when locust quits, so the
  login figures are reported beside the steady state, not hidden by the reset.
* **Writes through the API** with the token ``bench/load.py`` made ahead for each person (asking for a token
  replaces the previous one, which another simulated user may hold). Transitions go in pairs that keep each
  other going: a ward's secretary submits the assessment of a review that is ``finalizing``
  (``submit_assessment``) and the district's standing committee returns a ``submitted`` one
  (``return_for_revision``, with a reason). Each reads the review first (API detail) and acts only when its
  stage allows, as a client that shows the available steps does; only the secretary moves a review out of
  ``finalizing`` and only the standing committee out of ``submitted``, so the two never race.

Every answer is checked for its status and a piece of its content (the person's name on a page, the review's
organisation, the JSON's ``id``/``state``), so a login page served instead of a page, or an error page with
status 200, counts as an error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

SETUP = json.loads(Path(os.environ["BENCH_PERSONAS"]).read_text())
YEAR = SETUP["year"]
PASSWORD = SETUP["password"]
NAMES = {int(k): v for k, v in SETUP.get("names", {}).items()}
SECONDS = int(os.environ.get("BENCH_SECONDS", "0"))  # the steady state's length; 0: until --run-time
LOGINS_FILE = os.environ.get("BENCH_LOGINS")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGIN_REQUESTS = ("login form", "login")
# Written into every response's note: a response identical to the one recorded is refused as someone else's
# (409 someone_else_acted), and the database may keep the notes of an earlier run.
RUN = f"{random.getrandbits(32):08x}"

_next = itertools.count()
_logins: list[dict] = []  # every login request of the run: {"request", "ms", "error"}
_window: dict[str, float] = {"spawn_started": time.time()}
_logged_in = 0


@events.request.add_listener
def _record_login(request_type, name, response_time, exception, **kwargs):
    if name in LOGIN_REQUESTS:
        _logins.append({"request": f"{request_type} {name}", "ms": response_time, "error": str(exception or "")})


@events.quitting.add_listener
def _write_logins(environment, **kwargs):
    _window["ended"] = time.time()
    if LOGINS_FILE:
        Path(LOGINS_FILE).write_text(json.dumps({"logins": _logins, "window": _window}))


def _all_logged_in(environment) -> None:
    """The steady state starts: statistics reset (what --reset-stats does at the end of spawning), stop later."""
    _window["steady_started"] = time.time()
    environment.stats.reset_all()
    if SECONDS:
        gevent.spawn_later(SECONDS, environment.runner.quit)


class Person(HttpUser):
    wait_time = between(3, 10)

    def on_start(self):
        global _logged_in
        self.persona = SETUP["personas"][next(_next) % len(SETUP["personas"])]
        self.kind = self.persona["kind"]
        self.name = self.persona["name"]
        self.token = SETUP["tokens"][self.persona["username"]]
        self.sent = 0
        try:
            self.login()
        finally:  # a failed login counts too (as an error): the steady state starts when everyone has tried
            _logged_in += 1
            if _logged_in == self.environment.runner.target_user_count:
                _all_logged_in(self.environment)

    # --- checked requests ---------------------------------------------------------------------------------------

    def page(self, path: str, name: str, *markers: str) -> bool:
        """A page of this person: 200, their name in the header, and each marker."""
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            missing = [m for m in (self.name, *markers) if m not in response.text]
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif missing:
                response.failure(f"missing {missing[0]!r}")
            return response.status_code == 200 and not missing

    def api(self, method: str, path: str, name: str, *, expect: int = 200, check=None, payload=None):
        """An API call with the person's token: the expected status and ``check(json)``; the JSON or None."""
        with self.client.request(
            method,
            f"/api/v1/{path}",
            json=payload,
            headers={"Authorization": f"Token {self.token}"},
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code != expect:
                response.failure(f"status {response.status_code}: {response.text[:200]}")
                return None
            try:
                data = response.json()
            except ValueError:
                response.failure("not JSON")
                return None
            if check is not None and not check(data):
                response.failure(f"unexpected answer: {response.text[:200]}")
                return None
            return data

    def login(self) -> None:
        with self.client.get("/accounts/login/", name="login form", catch_response=True) as page:
            found = CSRF.search(page.text)
            if page.status_code != 200 or not found:
                page.failure(f"no login form (status {page.status_code})")
                return
        with self.client.post(
            "/accounts/login/",
            data={"username": self.persona["username"], "password": PASSWORD, "csrfmiddlewaretoken": found.group(1)},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
            catch_response=True,
            allow_redirects=False,  # the login itself (the password check), not the home page it leads to
        ) as response:
            if response.status_code != 302 or response.headers.get("Location") != "/":
                response.failure(f"login refused for {self.persona['username']} (status {response.status_code})")

    # --- what people look at ------------------------------------------------------------------------------------

    def home(self):
        self.page("/", "home", 'id="my-tasks"')

    def inbox(self):
        self.page("/tasks/", "inbox (tasks)", 'id="inbox"')

    def overview(self):
        self.page(f"/overview/{YEAR}/", "overview", str(YEAR))

    def review_page(self):
        review = random.choice(self.persona["reviews"])
        self.page(f"/reviews/{review}/", "review page", NAMES[review])

    def review_detail(self, review: int):
        return self.api("GET", f"reviews/{review}/", "API review detail", check=lambda d: d.get("id") == review)

    def api_list(self):
        self.api("GET", f"reviews/?year={YEAR}", "API review list", check=lambda d: "results" in d)

    def compliance(self):
        review = random.choice(self.persona["reviews"])
        self.page(f"/compliance/reviews/{review}/", "compliance report", 'data-testid="verdict"', NAMES[review])

    # --- what people write --------------------------------------------------------------------------------------

    def transition(self, review: int, name: str, source: str, **payload):
        """Read the review; take step ``name`` when it is at stage ``source``."""
        detail = self.review_detail(review)
        if detail is None or detail.get("state") != source:
            return
        self.api(
            "POST",
            f"reviews/{review}/transitions/{name}/",
            f"API transition: {name}",
            payload=payload,
            check=lambda d: d.get("transition") == name and d.get("state") != source,
        )

    def submit(self):
        self.transition(self.persona["reviews"][0], "submit_assessment", "finalizing")

    def return_one(self):
        reason = "Đề nghị bổ sung phần tự phê bình (tải thử)"
        self.transition(random.choice(self.persona["reviews"]), "return_for_revision", "submitted", reason=reason)

    def respond(self):
        """Answer an opinion (an unanswered one first), with a note of its own: a new response or a change."""
        review = self.persona["reviews"][0]
        if self.kind == "submitter":  # responses are written up to finalizing, not once submitted
            detail = self.review_detail(review)
            if detail is None or detail.get("state") != "finalizing":
                return
        opinions = self.api("GET", f"reviews/{review}/opinions/", "API opinions", check=lambda d: isinstance(d, list))
        if not opinions:
            return
        opinion = next((o for o in opinions if o["response"] is None), random.choice(opinions))
        self.sent += 1
        self.api(
            "POST",
            f"reviews/{review}/opinions/{opinion['id']}/response/",
            "API record: response",
            payload={"decision": "explained", "note": f"Giải trình (tải thử) {RUN} {self.sent}"},
            check=lambda d: d.get("id") == opinion["id"] and d.get("response") is not None,
        )

    def opinion(self):
        review = self.persona["reviews"][0]
        self.api(
            "POST",
            f"reviews/{review}/opinions/",
            "API record: opinion",
            expect=201,
            payload={"text": "Góp ý (tải thử)", "channel": "written", "occurred_on": self.persona["occurred_on"]},
            check=lambda d: "id" in d,
        )

    # --- the mix: what each kind of person does, and how often (weights) ----------------------------------------

    MIX = {
        # A ward's secretary whose review is finalizing or submitted: submits, answers opinions while finalizing.
        "submitter": {"home": 3, "review_page": 3, "respond": 1, "submit": 2},
        # The district's standing committee: returns the submitted reviews of its wards for revision.
        "standing": {"home": 2, "inbox": 1, "review_page": 2, "return_one": 3},
        # A ward's secretary while opinions are collected: answers them.
        "responder": {"home": 3, "review_page": 3, "inbox": 1, "respond": 2},
        # A ward's committee member: writes an opinion on the review collecting them.
        "recorder": {"home": 2, "review_page": 3, "opinion": 2},
        # A ward's secretary at any other stage: reads.
        "secretary": {"home": 3, "review_page": 3, "inbox": 1, "api_detail": 1},
        # A district's organisation board: its district's reviews.
        "board": {"home": 3, "overview": 2, "review_page": 3, "inbox": 1, "api_list": 1},
        # The city's users (inspection, organisation board): every review.
        "city": {"home": 2, "overview": 2, "inbox": 1},
        # A district's inspection committee: the compliance report of its closed reviews.
        "auditor": {"home": 1, "compliance": 4},
    }

    def api_detail(self):
        self.review_detail(random.choice(self.persona["reviews"]))

    @task
    def act(self):
        actions = self.MIX[self.kind]
        getattr(self, random.choices(list(actions), weights=list(actions.values()))[0])()
