"""README's walk-through in Chromium, in Vietnamese, one person at a time: the demo's reference review is carried
from ``awaiting_guidance`` to a closed, compliant review at the days README gives, each person starting from
their home page; then the auditor reaches the compliance report and the evidence file from the review page, and a
committee member answers the "give your opinion" task of a review being drafted.

Selectors are URLs, form ids and field names (``#id_<form>-<field>``, the prefixes of web/views/record_forms.py),
``data-testid`` and ``data-action`` attributes, never visible words, so the tests hold whatever the translation.
The pages are saved to docs/screenshots/ on the way when SCREENSHOTS=1 (README's screenshots).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.e2e.test_reference_case_in_browser import expect_success, login, logout, shot, state, submit
from workflows.demo_data import DECISION_VOTE, FINAL_TEXT, GUIDANCE_TEXT, REMEDIAL_ITEMS, SELF_ASSESSMENT_TEXT

pytestmark = pytest.mark.e2e

#: README's days (tests/workflows/test_demo_walkthrough.py walks the same script through the services).
DAYS = {
    "guidance": "2021-11-30",
    "give_guidance": "2021-11-30",
    "final_report": "2021-12-03",
    "submit_assessment": "2021-12-06",
    "decision": "2021-12-14",
    "approve": "2021-12-14",
    "notification": "2021-12-17",
    "remedial_plan": "2021-12-24",
    "close": "2021-12-28",
}


def fill_day(page, selector: str, iso: str) -> None:
    """A day field: ``<input type=date>`` takes yyyy-mm-dd; a text date field takes dd/mm/yyyy."""
    if page.get_attribute(selector, "type") == "date":
        page.fill(selector, iso)
    else:
        year, month, day = iso.split("-")
        page.fill(selector, f"{day}/{month}/{year}")


def run_transition(page, name: str, day: str | None = None) -> None:
    """The transition's form (``#form-t-<name>``): its day, then its button."""
    if day is not None:
        fill_day(page, f"#id_t-{name}-occurred_on", day)
    submit(page, f"[data-testid=transition-{name}]")
    expect_success(page)


def home_task(page, kind: str):
    """The home page's task of ``kind`` (review_process.selectors.tasks: give_opinion, record_notification,
    file_remedial_plan): its link."""
    return page.locator(f'[data-task="{kind}"] a').first


def reference_review(page, server) -> str:
    """The 2021 collective review of Đức Giang, from the home page's list; its URL."""
    row = page.locator("tr[data-review]").filter(has=page.locator("td", has_text=re.compile(r"^\s*2021\s*$"))).first
    row.locator("a").first.click()
    page.wait_for_load_state()
    return page.url.split("#")[0]


def test_each_role_walks_readme_to_a_compliant_closed_review(new_page, server):
    page = new_page()

    # --- 1. The district organisation board: the guidance given at the conference, then confirm it.
    login(page, server, "vtthan")
    shot(page, "home")
    page.goto(server + "/overview/2021/")
    assert page.locator("[data-testid=overview-table] tbody tr").count() == 2  # Đức Giang and Thượng Thanh
    shot(page, "overview")
    page.goto(server + "/")
    page.click("[data-testid=task-list] a >> nth=0")  # "give the superior's guidance" waits for them
    page.wait_for_load_state()
    review_url = page.url.split("#")[0]
    assert state(page) == "awaiting_guidance"
    page.fill("#id_guidance-text", GUIDANCE_TEXT)
    fill_day(page, "#id_guidance-occurred_on", DAYS["guidance"])
    submit(page, "[data-testid=guidance-submit]")
    expect_success(page)
    run_transition(page, "give_guidance", DAYS["give_guidance"])
    assert state(page) == "finalizing"
    logout(page, server)

    # --- 2. The secretary: accept every opinion at once, the final report, the self-assessment, submit.
    login(page, server, "pvhung")
    assert reference_review(page, server) == review_url
    assert page.locator('form[data-action="respond_opinion"][data-answered="no"]').count() == 9
    submit(page, "#form-acceptall button[type=submit]")
    expect_success(page)
    assert page.locator('form[data-action="respond_opinion"][data-answered="no"]').count() == 0
    page.fill("#id_report-text", FINAL_TEXT)
    fill_day(page, "#id_report-occurred_on", DAYS["final_report"])
    assert page.is_checked("#id_report-is_final")
    submit(page, "[data-testid=report-submit]")
    expect_success(page)
    assert page.locator("[data-testid=report-versions] > li").count() == 2
    page.check("#form-assessment input[value=good]")
    page.fill("#id_assessment-justification", SELF_ASSESSMENT_TEXT)
    submit(page, "[data-testid=assessment-submit]")
    expect_success(page)
    page.goto(review_url)
    shot(page, "review")
    run_transition(page, "submit_assessment", DAYS["submit_assessment"])
    assert state(page) == "submitted"
    logout(page, server)

    # --- 3. The district standing committee: the rating by its vote, then approve.
    login(page, server, "lqvinh")
    reference_review(page, server)
    page.check("#form-decision input[value=good]")
    for name in ("members", "present", "for", "against", "abstain"):
        page.fill(f"#id_decision-vote_{name}", str(DECISION_VOTE[name]))
    fill_day(page, "#id_decision-occurred_on", DAYS["decision"])
    submit(page, "[data-testid=decision-submit]")
    expect_success(page)
    run_transition(page, "approve", DAYS["approve"])
    assert state(page) == "approved"
    logout(page, server)

    # --- 4. The organisation board: the notification of results, from the task on the home page.
    login(page, server, "vtthan")
    task = home_task(page, "record_notification")
    assert task.count() == 1, "the home page shows no notification task"
    task.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0] == review_url
    fill_day(page, "#id_notification-notified_on", DAYS["notification"])
    submit(page, "[data-testid=notification-submit]")
    expect_success(page)
    # Closing waits for the remedial plan: the button is disabled and says why.
    assert page.locator("[data-testid=transition-close]").count() == 0
    assert page.locator("#form-t-close button[disabled]").count() == 1
    logout(page, server)

    # --- 5. The secretary: the remedial plan, FROM THE HOME PAGE's task.
    login(page, server, "pvhung")
    task = home_task(page, "file_remedial_plan")
    assert task.count() == 1, "the home page shows no remedial-plan task"
    shot(page, "home-remedial-plan")
    task.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0] == review_url
    for i, item in enumerate(REMEDIAL_ITEMS):
        page.fill(f"#id_plan-item_{i}_description", item["description"])
        page.fill(f"#id_plan-item_{i}_owner", item["owner"])
        fill_day(page, f"#id_plan-item_{i}_due_date", item["due_date"].isoformat())
    fill_day(page, "#id_plan-occurred_on", DAYS["remedial_plan"])
    submit(page, "[data-testid=plan-submit]")
    expect_success(page)
    assert page.locator("[data-testid=remedial-plan] tbody tr").count() == len(REMEDIAL_ITEMS)
    page.goto(server + "/")
    assert home_task(page, "file_remedial_plan").count() == 0  # done: no longer asked
    logout(page, server)

    # --- 6. The organisation board closes.
    login(page, server, "vtthan")
    page.goto(review_url)
    run_transition(page, "close", DAYS["close"])
    assert state(page) == "closed"
    logout(page, server)

    # --- 7. The city's inspection committee (the auditor): from the review page to the compliance report (compliant),
    # the audit trail, and the evidence file.
    login(page, server, "tmduc")
    assert reference_review(page, server) == review_url
    assert page.locator("form.action-form").count() == 0  # read-only
    page.click("[data-testid=auditor-link-report]")
    page.wait_for_load_state()
    verdict = page.locator("[data-testid=verdict]")
    assert verdict.get_attribute("class") == "pass", verdict.inner_text()
    assert page.locator(".fail").count() == 0, page.inner_text("main")[:3000]
    shot(page, "compliance")
    page.goto(review_url)
    with page.expect_download() as download:
        page.click("[data-testid=auditor-link-evidence]")
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    assert archive.testzip() is None and len(archive.namelist()) > 3
    page.goto(review_url)
    page.click("[data-testid=auditor-link-audit-trail]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=audit-timeline] > li.tl-transition").count() == 6  # every stage, in order
    shot(page, "audit-trail")
    logout(page, server)


def test_a_committee_member_is_asked_for_an_opinion_and_gives_it(new_page, server):
    """A review being drafted (opened here, test data: 2022): once the secretary circulates the draft, a committee
    member finds "give your opinion by <date>" on the home page, gives it, and is no longer asked."""
    page = new_page()
    login(page, server, "pvhung")
    page.select_option("form[data-action=open_review] select[name=organization]", "LB-DG")
    page.fill("form[data-action=open_review] input[name=year]", "2022")
    submit(page, "form[data-action=open_review] button[type=submit]")
    expect_success(page)
    assert state(page) == "draft"
    review_url = page.url.split("#")[0]
    page.fill("#id_report-text", "Dự thảo báo cáo kiểm điểm năm 2022 (dữ liệu kiểm thử, không phải văn bản thật).")
    submit(page, "[data-testid=report-submit]")
    expect_success(page)
    run_transition(page, "circulate_draft")
    assert state(page) == "collecting_opinions"
    logout(page, server)

    login(page, server, "tvminh")  # a committee member (invented)
    task = home_task(page, "give_opinion")
    assert task.count() == 1, "the home page shows no opinion task"
    task.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0] == review_url
    page.fill("#id_opinion-text", "Đề nghị bổ sung số liệu cụ thể (ý kiến kiểm thử).")
    submit(page, "#form-opinion button[type=submit]")
    expect_success(page)
    page.goto(server + "/")
    assert home_task(page, "give_opinion").count() == 0  # given: no longer asked
    logout(page, server)
