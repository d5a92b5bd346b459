"""The Đức Giang 2021 reference case, carried from `awaiting_guidance` (where the demo leaves it) to `closed`
by clicking, each person doing their own steps; a committee member who may only read; the auditor reading
the audit trail; an outsider who sees none of it; and the switch to English.

Selectors are ids and data attributes, never visible words, so the tests hold whatever the translation.
The main pages are saved to docs/screenshots/ on the way when SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.e2e.conftest import PASSWORD, SCREENSHOTS

pytestmark = pytest.mark.e2e


def login(page, server, username: str) -> None:
    page.goto(server + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(server + "/")


def logout(page, server) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))


def open_review(page) -> str:
    """From the home page, follow the (only) review the person can see; return its URL."""
    link = page.locator("tr[data-review] a").first
    link.click()
    page.wait_for_load_state()
    return page.url.split("#")[0]


def state(page) -> str:
    return page.get_attribute("[data-testid=review-state]", "data-state")


def submit(page, selector: str) -> None:
    """Click a submit button and wait for the page that answers (a redirect to the review page)."""
    with page.expect_navigation():
        page.click(selector)


def expect_success(page) -> None:
    assert page.locator(".message-success").count() >= 1, page.content()[:3000]


def shot(page, name: str) -> None:
    """Refresh the README's screenshots with `SCREENSHOTS=1 make test`; otherwise only render them."""
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    else:
        assert page.screenshot()


UNLABELLED_FIELDS = """() => Array.from(document.querySelectorAll('main input, main select, main textarea'))
    .filter(el => el.type !== 'hidden')
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map(el => el.name || el.id)"""


def test_pages_fit_a_phone_have_labels_and_a_skip_link(browser, server):
    """WCAG basics on the pages with the most forms: every field labelled, the page language set, a skip link
    first in the tab order, and nothing wider than a phone's screen (read-only: runs before the walk)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        page = context.new_page()
        for username in ("pvhung", "vtthan"):
            login(page, server, username)
            for url in [
                "/",
                open_review(page).removeprefix(server),
                *(["/overview/2021/"] if username == "vtthan" else []),
            ]:
                page.goto(server + url)
                assert page.get_attribute("html", "lang") == "vi"
                assert page.evaluate(UNLABELLED_FIELDS) == [], url
                width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                assert width[0] <= width[1], (url, width)
                page.keyboard.press("Tab")
                assert page.evaluate("document.activeElement.className") == "skip-link", url
            logout(page, server)
    finally:
        context.close()


def test_each_role_carries_the_reference_case_to_closed(new_page, server):
    page = new_page()

    # --- The district organisation board: record the guidance given at the conference, then confirm it.
    login(page, server, "vtthan")
    assert page.inner_text("[data-testid=queue-count]") == "1"  # "give the superior's guidance" waits for them
    shot(page, "home")
    page.goto(server + "/overview/2021/")
    assert page.locator("[data-testid=overview-table] tbody tr").count() == 2  # Đức Giang and Thượng Thanh
    shot(page, "overview")
    page.goto(server + "/")
    page.click("[data-testid=task-list] a >> nth=0")
    page.wait_for_load_state()
    review_url = page.url.split("#")[0]
    assert state(page) == "awaiting_guidance"
    assert page.locator("[data-testid=next-blockers] li").count() == 1  # "no guidance recorded yet", in words
    page.fill("#id_guidance-text", "Đảng ủy phường cần bổ sung số liệu cụ thể và nêu rõ nguyên nhân chủ quan.")
    submit(page, "[data-testid=guidance-submit]")
    expect_success(page)
    submit(page, "[data-testid=transition-give_guidance]")
    expect_success(page)
    assert state(page) == "finalizing"
    logout(page, server)

    # --- The secretary: respond to the nine opinions, add the final report and the self-assessment, submit.
    login(page, server, "pvhung")
    assert open_review(page) == review_url
    unanswered = 'form[data-action="respond_opinion"][data-answered="no"]'
    assert page.locator(unanswered).count() == 9
    first = True
    while page.locator(unanswered).count():
        form = page.locator(unanswered).first
        if first:  # one explained, the others accepted
            form.locator("input[value=explained]").check()
            form.locator("textarea").fill("Đã có trong phần đánh giá công tác kiểm tra, giám sát.")
            first = False
        else:
            form.locator("input[value=accepted]").check()
        with page.expect_navigation():
            form.locator("[data-testid=respond-submit]").click()
        expect_success(page)
    text = page.input_value("#id_report-text")
    page.fill("#id_report-text", text.replace("(nêu cụ thể)", "đã tiếp thu ý kiến chỉ đạo của Quận ủy"))
    assert page.is_checked("#id_report-is_final")
    submit(page, "[data-testid=report-save-draft]")
    expect_success(page)
    assert page.locator(".draft-note").count() == 1  # saved for them only: no version recorded yet
    assert page.locator("[data-testid=report-versions] > li").count() == 1
    submit(page, "[data-testid=report-submit]")
    expect_success(page)
    assert page.locator("[data-testid=report-versions] > li").count() == 2
    page.check("#form-assessment input[value=good]")
    page.fill("#id_assessment-justification", "Hoàn thành tốt các chỉ tiêu năm 2021; phòng, chống dịch hiệu quả.")
    submit(page, "[data-testid=assessment-save-draft]")
    expect_success(page)
    submit(page, "[data-testid=assessment-submit]")
    expect_success(page)
    page.goto(review_url)
    shot(page, "review")
    submit(page, "[data-testid=transition-submit_assessment]")
    expect_success(page)
    assert state(page) == "submitted"
    logout(page, server)

    # --- A committee member sees the review, but has nothing to do at this stage.
    login(page, server, "tvminh")
    open_review(page)
    assert state(page) == "submitted"
    assert page.locator("form.action-form").count() == 0
    assert page.locator("[data-testid=no-actions]").is_visible()
    logout(page, server)

    # --- The district standing committee: decide the rating and approve.
    login(page, server, "lqvinh")
    open_review(page)
    page.check("#form-decision input[value=good]")
    # The standing committee's vote: valid with more than half of its members for the decision.
    for name, value in (("members", "9"), ("present", "8"), ("for", "7"), ("against", "0"), ("abstain", "1")):
        page.fill(f"#id_decision-vote_{name}", value)
    submit(page, "[data-testid=decision-submit]")
    expect_success(page)
    tally = page.inner_text("[data-testid=decision-vote]")  # the recorded tally, in the page's language
    assert all(number in tally for number in ("9", "8", "7", "1"))
    submit(page, "[data-testid=transition-approve]")
    expect_success(page)
    assert state(page) == "approved"
    logout(page, server)

    # --- The secretary: the remedial plan, before the review is closed.
    login(page, server, "pvhung")
    open_review(page)
    page.fill("#id_plan-item_0_description", "Bổ sung giải pháp cải cách hành chính, có mốc thời gian.")
    page.fill("#id_plan-item_0_owner", "Văn phòng Đảng ủy phường")
    page.fill("#id_plan-item_0_due_date", "30/06/2022")
    page.fill("#id_plan-item_1_description", "Tăng cường tự kiểm tra của các chi bộ trực thuộc.")
    page.fill("#id_plan-item_1_owner", "Ủy ban Kiểm tra Đảng ủy phường")
    page.fill("#id_plan-item_1_due_date", "31/12/2022")
    submit(page, "[data-testid=plan-submit]")
    expect_success(page)
    assert page.locator("[data-testid=remedial-plan] tbody tr").count() == 2
    logout(page, server)

    # --- The organisation board: record the notification of results (today), close; then the overview.
    login(page, server, "vtthan")
    open_review(page)
    assert page.input_value("#id_notification-notified_on")  # today, already filled in
    submit(page, "[data-testid=notification-submit]")
    expect_success(page)
    submit(page, "[data-testid=transition-close]")
    expect_success(page)
    assert state(page) == "closed"
    logout(page, server)

    # --- The city's inspection committee (the auditor) reads the whole audit trail; it may change nothing.
    login(page, server, "tmduc")
    open_review(page)
    assert page.locator("form.action-form").count() == 0
    page.click("[data-testid=audit-link]")
    page.wait_for_load_state()
    events = page.locator("[data-testid=audit-timeline] > li")
    assert events.count() >= 30
    assert page.locator("[data-testid=audit-timeline] > li.tl-transition").count() == 6  # every stage, in order
    shot(page, "audit-trail")
    logout(page, server)


def test_an_outsider_sees_none_of_it(new_page, server):
    page = new_page()
    login(page, server, "vtthan")  # find the review's address as someone who may see it
    review_url = page.locator("tr[data-review] a").first.get_attribute("href")
    logout(page, server)

    login(page, server, "nvthanh")
    assert page.locator("tr[data-review]").count() == 0
    assert "Đức Giang" not in page.content()
    for url in [review_url, review_url + "audit-trail/", review_url + "report/compare/"]:
        response = page.goto(server + url)
        assert response.status == 404, url
        assert "Đức Giang" not in page.content()
    response = page.goto(server + "/tasks/review/flows/")
    assert "Đức Giang" not in page.content()


def test_the_english_switch_shows_english(new_page, server):
    page = new_page()
    login(page, server, "ntkdinh")
    assert page.get_attribute("html", "lang") == "vi"
    with page.expect_navigation():
        page.click("[data-testid=language-switch]")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h2#reviews-heading").inner_text() == "Reviews I can see"
    open_review(page)
    assert page.locator("#next-heading").inner_text() == "Next step"
    with page.expect_navigation():
        page.click("[data-testid=language-switch]")
    assert page.get_attribute("html", "lang") == "vi"
