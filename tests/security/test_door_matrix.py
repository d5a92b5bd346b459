"""Every persona x every stage x every door, against a literal table of expected verdicts.

Item 8 of the issue "Evidence that cannot be rewritten …": the verdicts a person gets at every door of the
product — our pages, each action's POST URL, the REST API's reads and writes, the auditors' pages and files,
the report attachment, viewflow's pages and a task action — for the nine personas of the reference case plus
an anonymous visitor and a person whose superior position ended yesterday, at each of the eight stages.

The expectations are ``tests/security/door_matrix_expected.py``: written by hand from the documented rules
(README, docs/architecture.md, docs/web.md, docs/api.md, docs/compliance.md), never computed from
``permissions/roles.py``.  Known leaks are listed there too (``KNOWN_LEAKS``) and checked strictly: if one is
fixed, this test says so.  ``WRITE_MATRIX=1`` rewrites the readable artifact ``docs/permission-matrix.md``;
otherwise the test checks that the artifact is current.

Speed: one walked review per stage is shared by every persona and door; every write runs in a savepoint that
is rolled back, so the review stays exactly at its stage.  Building the evidence archive and the PDF minutes, and
drawing the review page again after a refused action, are stubbed: what they contain is tested elsewhere
(tests/compliance, tests/web); here only who gets through, and the status the view decided.
"""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.http import HttpResponse
from django.test import Client
from fpdf import FPDF
from guardian.models import UserObjectPermission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from viewflow.workflow.status import STATUS

from permissions.models import User
from review_process.models import OpinionResponse, Review, ReviewState
from review_process.services import records
from tests.conftest import WALK_SCHEDULE, Rollback, Walker
from tests.factories import PositionFactory, UserFactory
from tests.security import door_matrix_expected as expected
from web.compliance import views as compliance_views
from web.views import posting
from web.views import records as web_records
from workflows.flows import ReviewStep
from workflows.models import ReviewProcess
from workflows.services import review_open

pytestmark = pytest.mark.django_db

ARTIFACT = Path(settings.BASE_DIR) / "docs" / "permission-matrix.md"
VOTE = {"members": 15, "present": 13, "for": 11, "against": 1, "abstain": 1}


def pdf_bytes() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Bao cao kiem diem")
    return bytes(pdf.output())


class AttachmentWalker(Walker):
    """The reference case's walker; the review also carries a report version with a PDF attachment."""

    def open(self) -> Review:
        review = super().open()
        upload = SimpleUploadedFile("Du thao.pdf", pdf_bytes(), content_type="application/pdf")
        with time_machine.travel(WALK_SCHEDULE["open"], tick=True):  # before the draft's circulation
            records.report_version_add(review=review, by=self.p.secretary, text="Bản có chữ ký", attachment=upload)
        return review


# --- The doors ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Door:
    """One way in: ``method`` on ``url`` (a template filled from the stage's context); ``body(ctx)`` for writes.

    ``listed`` (a template) makes a list page's 200 an "ok" only if the review is on it ("unlisted" if not)."""

    group: str
    method: str
    url: str
    body: Callable[[SimpleNamespace], dict] | None = None
    api: bool = False
    listed: str | None = None

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.url}"


def form(prefix: str, **fields) -> Callable[[SimpleNamespace], dict]:
    """A web form's body: the stage the page was drawn at (``<prefix>-state``) and the prefixed fields."""

    def build(ctx):
        key = prefix.format(**vars(ctx))
        return {f"{key}-state": ctx.state, **{f"{key}-{name}": value for name, value in fields.items()}}

    return build


def fixed(data: dict) -> Callable[[SimpleNamespace], dict]:
    return lambda ctx: data


R = "/reviews/{review}/"
A = "/api/v1/reviews/{review}/"
TRANSITIONS = (
    "circulate_draft",
    "close_opinions",
    "give_guidance",
    "submit_assessment",
    "approve",
    "return_for_revision",
    "close",
    "cancel",
    "withdraw",
)
TODAY = datetime.date.today()
OPINION_DAY = "2021-11-25"
#: The conference form as the secretary posts it: everyone of the ward present, the district's board representing.
CONFERENCE_FIELDS = {
    "held_on": "30/11/2021",
    "held_time": "08:00",
    "location": "Phòng 305",
    "superior_representatives": "vtthan",
    **{f"present_{username}": "on" for username in ("pvhung", "ntlan", "tvminh", "lthoa")},
}

DOORS: list[Door] = [
    # Pages.
    Door("pages", "get", "/", listed=R),
    Door("pages", "get", "/overview/{year}/?org=LB", listed=R),  # the district's level: its wards (docs/web.md)
    Door("pages", "get", R),
    Door("pages", "get", R + "report/compare/"),
    Door("pages", "get", R + "audit-trail/"),
    Door("pages", "get", R + "report-versions/{version}/attachment"),
    # The pages' actions: every transition and every record form, with a body the form accepts.
    *[Door("page actions", "post", R + f"transitions/{n}/", form(f"t-{n}", reason="Lý do")) for n in TRANSITIONS],
    Door("page actions", "post", R + "report/", form("report", text="Bản sửa")),
    # A written opinion is dated between the circulation (20/11/2021) and the conference (30/11/2021).
    Door(
        "page actions",
        "post",
        R + "opinions/",
        form("opinion", channel="written", text="Góp ý", occurred_on=OPINION_DAY),
    ),
    Door("page actions", "post", R + "opinions/spoken/", form("spoken", author="ntkdinh", text="Phát biểu")),
    Door(
        "page actions",
        "post",
        R + "opinions/{opinion}/response/",
        form("respond-{opinion}", decision="explained", note="Giải trình"),
    ),
    Door("page actions", "post", R + "conference/", form("conference", **CONFERENCE_FIELDS)),
    Door("page actions", "post", R + "guidance/", form("guidance", text="Chỉ đạo")),
    Door("page actions", "post", R + "self-assessment/", form("assessment", proposed_rating="good", justification="…")),
    Door(
        "page actions",
        "post",
        R + "decision/",
        form("decision", final_rating="good", **{f"vote_{k}": v for k, v in VOTE.items()}),
    ),
    Door("page actions", "post", R + "notification/", form("notification", notified_on=TODAY.strftime("%d/%m/%Y"))),
    Door(
        "page actions",
        "post",
        R + "remedial-plan/",
        form("plan", item_0_description="Khắc phục", item_0_owner="Đảng ủy", item_0_due_date="30/06/2022"),
    ),
    Door("page actions", "post", R + "participants/", form("invite", username="invitee")),
    # The REST API: reads (the review, a list, two one-to-one records, and the two reads limited by role).
    *[
        Door("API reads", "get", A + suffix, api=True)
        for suffix in ("", "report-versions/", "opinions/", "conference/", "decision/", "audit-trail/", "compliance/")
    ],
    # The REST API: writes, with a body the serializer accepts.
    *[Door("API writes", "post", A + f"transitions/{n}/", fixed({"reason": "Lý do"}), api=True) for n in TRANSITIONS],
    Door("API writes", "post", A + "report-versions/", fixed({"text": "Bản sửa"}), api=True),
    Door(
        "API writes",
        "post",
        A + "opinions/",
        fixed({"text": "Góp ý", "channel": "written", "occurred_on": OPINION_DAY}),
        api=True,
    ),
    Door(
        "API writes",
        "post",
        A + "opinions/{opinion}/response/",
        fixed({"decision": "explained", "note": "Giải trình"}),
        api=True,
    ),
    Door("API writes", "post", A + "participants/", fixed({"person": "invitee"}), api=True),
    Door(
        "API writes",
        "put",
        A + "conference/",
        fixed(
            {
                "held_at": "2021-11-30T08:00:00+07:00",
                "location": "Phòng 305",
                "chair": "pvhung",
                "attendees": [{"person": "pvhung", "present": True}],
                "superior_representatives": ["vtthan"],
            }
        ),
        api=True,
    ),
    Door("API writes", "post", A + "guidance/", fixed({"text": "Chỉ đạo"}), api=True),
    Door(
        "API writes", "put", A + "self-assessment/", fixed({"proposed_rating": "good", "justification": "…"}), api=True
    ),
    Door("API writes", "put", A + "decision/", fixed({"final_rating": "good", "vote": VOTE}), api=True),
    Door("API writes", "put", A + "notification/", fixed({"notified_on": TODAY.isoformat()}), api=True),
    Door(
        "API writes",
        "put",
        A + "remedial-plan/",
        fixed({"items": [{"description": "Khắc phục", "owner": "Đảng ủy", "due_date": "2022-06-30"}]}),
        api=True,
    ),
    # The auditors' pages and files.
    Door("compliance", "get", "/compliance/reviews/{review}/"),
    Door("compliance", "get", "/compliance/reviews/{review}/evidence.zip"),
    Door("compliance", "get", "/compliance/reviews/{review}/minutes.pdf"),
    Door("compliance", "get", "/compliance/?year={year}&organization=LB-DG", listed="/compliance/reviews/{review}/"),
    Door("compliance", "get", "/compliance/export.csv?year={year}&organization=LB-DG", listed=",LB-DG,"),
    # The task pages (viewflow's own pages are not mounted).
    Door("tasks", "get", "/tasks/", listed="/tasks/{task}/"),
    Door("tasks", "get", "/tasks/{task}/"),
    Door("tasks", "get", "/reviews/{review}/procedure/"),
]


# --- Personas, clients, verdicts ----------------------------------------------------------------------------


@pytest.fixture
def ended(org):
    """A person whose district standing-committee position ended yesterday; they never acted on the review."""
    person = UserFactory(username="ndhai", full_name="Nguyễn Đức Hải")
    PositionFactory(
        person=person,
        organization=org.lb,
        role="standing_committee",
        start=datetime.date(2020, 1, 1),
        end=TODAY - datetime.timedelta(days=1),
    )
    return person


def grants_from_before_the_end(ended, *, like, review) -> None:
    """Give ``ended`` the grants ``like`` (same organisation, same role) holds on the review, as if derived two
    days ago while the position still held, and the daily ``sync_grants`` had not run since: an ended position
    must authorise nothing all the same."""
    for grant in UserObjectPermission.objects.filter(user=like, object_pk=str(review.pk)):
        UserObjectPermission.objects.get_or_create(
            user=ended, permission=grant.permission, content_type=grant.content_type, object_pk=grant.object_pk
        )
    User.objects.filter(pk=ended.pk).update(grants_synced_on=TODAY - datetime.timedelta(days=2))
    assert UserObjectPermission.objects.filter(user=ended).exists()  # else the scenario proves nothing


@pytest.fixture
def everyone(people, ended):
    """Persona name -> user (None: anonymous); also the person the invitation doors invite."""
    UserFactory(username="invitee", full_name="Người được mời")
    users = {name: getattr(people, name, None) for name in expected.PERSONAS}
    users["ended"] = ended
    return users


def clients(users) -> dict[str, tuple[Client, APIClient]]:
    """A page client (session) and an API client (token) per persona."""
    made = {}
    for name, user in users.items():
        page, api = Client(), APIClient()
        if user is not None:
            page.force_login(user)
            api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        made[name] = (page, api)
    return made


def context(review: Review) -> SimpleNamespace:
    process = ReviewProcess.objects.get(review=review)
    # The step waiting now; once none is (closed, cancelled), the last step a person took or could take.
    steps = [t for t in process.task_set.order_by("-pk") if isinstance(t.flow_task, ReviewStep)]
    task = next((t for t in steps if t.status == STATUS.NEW), steps[0])
    opinions = review.opinions.order_by("pk")
    opinion = opinions.filter(response__isnull=True).first() or opinions.first()  # an unanswered one first
    version = review.report_versions.exclude(attachment="").order_by("pk").first()
    return SimpleNamespace(
        review=review.pk,
        year=review.year,
        state=review.state,
        process=process.pk,
        task=task.pk,
        task_name=task.flow_task.name,
        opinion=opinion.pk if opinion else 999999,  # at the draft stage there is no opinion to answer
        version=version.pk if version else 999999,
    )


def classify(door: Door, response, ctx: SimpleNamespace) -> str:
    """The response as a verdict of ``expected.VERDICTS``."""
    status = response.status_code
    code = response.json().get("code") if door.api and status >= 400 else None
    if status in (301, 302):
        return "login" if "/accounts/login/" in response["Location"] else "ok"
    if status == 401 or code in ("not_authenticated", "authentication_failed"):
        return "login"
    if status == 404 and door.api and code != "not_found":
        return "none"  # visible, and nothing of that kind is recorded yet (e.g. `no_conference`)
    if status in (200, 201):
        if door.listed:
            streamed = getattr(response, "streaming", False)
            body = b"".join(response.streaming_content) if streamed else response.content
            return "ok" if door.listed.format(**vars(ctx)) in body.decode() else "unlisted"
        return "ok"
    return str(status)


def knock(door: Door, page: Client, api: APIClient, ctx: SimpleNamespace) -> str:
    """Try ``door`` once and roll back whatever it wrote."""
    client = api if door.api else page
    url = door.url.format(**vars(ctx))
    if door.method == "get":
        response = client.get(url)
        verdict = classify(door, response, ctx)
        # Closed as Django's test client closes it: without request_finished's close_old_connections, which would
        # close the test's PostgreSQL connection in the middle of its transaction.
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
        return verdict
    body = door.body(ctx) if door.body else {}
    kwargs = {"format": "json"} if door.api else {}
    try:
        with transaction.atomic():
            response = getattr(client, door.method)(url, body, **kwargs)
            verdict = classify(door, response, ctx)
            raise Rollback()
    except Rollback:
        pass
    return verdict


# --- The tests ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", expected.STAGES)
def test_every_persona_at_every_door(stage, people, everyone, settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # Who gets the auditors' files is tested here; what is in them, in tests/compliance (building them is slow).
    monkeypatch.setattr(compliance_views, "evidence_archive_file", lambda review: io.BytesIO(b"PK\x05\x06"))
    monkeypatch.setitem(compliance_views.RENDERERS, "pdf", lambda document: b"%PDF-1.4")
    # A refused action draws the review page again (tested in tests/web); here only its status counts.
    for module in (posting, web_records):
        monkeypatch.setattr(
            module, "render_review", lambda request, review, bound=None, status=200: HttpResponse(status=status)
        )
    review = AttachmentWalker(people).ready_at(stage)
    grants_from_before_the_end(everyone["ended"], like=people.standing, review=review)
    ctx = context(review)
    table = expected.expected()
    leaks = expected.KNOWN_LEAKS
    mismatches, fixed_leaks = [], []
    for persona, (page, api) in clients(everyone).items():
        for door in DOORS:
            got = knock(door, page, api, ctx)
            key = (door.name, persona, stage)
            if key in leaks:
                if got != leaks[key][0]:
                    fixed_leaks.append(f"{key}: the known leak is gone (now {got!r}): update KNOWN_LEAKS")
                continue
            want = table[key]
            if got != want:
                mismatches.append(f"{door.name:70} {persona:10} got {got:8} expected {want}")
    assert Review.objects.get(pk=review.pk).state == stage  # every write was rolled back
    assert not mismatches and not fixed_leaks, "\n" + "\n".join(mismatches + fixed_leaks)


def test_the_artifact_is_current():
    text = expected.render_markdown([(door.group, door.name) for door in DOORS])
    if os.environ.get("WRITE_MATRIX") == "1":
        ARTIFACT.write_text(text, encoding="utf-8")
    assert ARTIFACT.exists() and ARTIFACT.read_text(encoding="utf-8") == text, (
        "docs/permission-matrix.md is out of date: WRITE_MATRIX=1 pytest tests/security/test_door_matrix.py"
    )


def test_the_table_covers_every_door_persona_and_stage():
    assert set(expected.STAGES) == set(ReviewState.values)
    names = {d.name for d in DOORS}
    assert set(expected.TABLES) == names, set(expected.TABLES) ^ names
    for door, rows in expected.TABLES.items():
        assert set(rows) == set(expected.PERSONAS), door
        assert all(len(cells) == len(expected.STAGES) for cells in rows.values()), door
        assert {c for cells in rows.values() for c in cells} <= set(expected.VERDICTS), door


def test_objects_of_another_review_are_not_reachable_through_ones_own(people, client, settings, tmp_path):
    """The outsider addresses Đức Giang's attachment, opinion and task through their own ward's review."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    theirs = context(AttachmentWalker(people).ready_at("collecting_opinions"))
    own = context(review_open(organization_code="LB-TT", year=2021, kind="collective", by=people.outsider))
    client.force_login(people.outsider)
    api = APIClient()
    api.force_authenticate(people.outsider)
    pages = [
        f"/reviews/{own.review}/report-versions/{theirs.version}/attachment",
        f"/tasks/{theirs.task}/",
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
    answered = OpinionResponse.objects.count()
    body = {f"respond-{theirs.opinion}-state": own.state, f"respond-{theirs.opinion}-decision": "accepted"}
    assert client.post(f"/reviews/{own.review}/opinions/{theirs.opinion}/response/", body).status_code == 404
    response = api.post(f"/api/v1/reviews/{own.review}/opinions/{theirs.opinion}/response/", {"decision": "accepted"})
    assert response.status_code in (404, 409), response.content  # the ward's own review is still a draft
    assert OpinionResponse.objects.count() == answered
