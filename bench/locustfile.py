"""The load run's mix (``make bench``, ``bench/load.py``): people of a ``seed_load`` data set at work, against
the scaled mode on loopback.

    locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8080

``BENCH_PERSONAS`` names a JSON file written by ``bench/load.py``: ``{"year": …, "password": …, "personas":
[…]}``, one persona per simulated person, handed out in order. Each persona logs in with the form (pages) and
uses the API token ``bench/load.py`` made for it; readers open their home page, the task list, a review's page, the
review list (API), a review's detail (API) and, for the superiors, the overview; writers also record (a ward's
committee member adds a written opinion to a review collecting opinions). No transitions: seed_load's reviews
have no viewflow process (bench/README.md). Every answer other than 2xx/3xx counts as an error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

SETUP = json.loads(Path(os.environ["BENCH_PERSONAS"]).read_text())
YEAR = SETUP["year"]
PASSWORD = SETUP["password"]
_next = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Person(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.persona = SETUP["personas"][next(_next) % len(SETUP["personas"])]
        self.login(self.persona["username"])
        self.me = SETUP["tokens"][self.persona["username"]]

    def login(self, username: str) -> None:
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
            catch_response=True,
        ) as response:
            if response.url.rstrip("/") != self.host.rstrip("/"):
                response.failure(f"login refused for {username}")

    def headers(self) -> dict:
        return {"Authorization": f"Token {self.me}"}

    @task(4)
    def home(self):
        self.client.get("/", name="home")

    @task(1)
    def inbox(self):
        self.client.get("/tasks/", name="inbox (tasks)")

    @task(3)
    def review_page(self):
        self.client.get(f"/reviews/{random.choice(self.persona['reviews'])}/", name="review page")

    @task(2)
    def api_list(self):
        self.client.get(f"/api/v1/reviews/?year={YEAR}", headers=self.headers(), name="API review list")

    @task(2)
    def api_detail(self):
        review = random.choice(self.persona["reviews"])
        self.client.get(f"/api/v1/reviews/{review}/", headers=self.headers(), name="API review detail")

    @task(1)
    def overview(self):
        if self.persona["kind"] in ("board", "inspection"):
            self.client.get(f"/overview/{YEAR}/", name="overview")

    @task(2)
    def write(self):
        if self.persona["kind"] == "recorder":
            self.client.post(
                f"/api/v1/reviews/{self.persona['reviews'][0]}/opinions/",
                json={"text": "Góp ý (tải thử)", "channel": "written", "occurred_on": self.persona["occurred_on"]},
                headers=self.headers(),
                name="API record: opinion",
            )
