"""The demo's pages for everyone: labels, phone widths and the skip link; an outsider who sees none of the
reference case; and the switch to English. (The walk of the reference case to `closed`, each person doing their
own steps, is test_walkthrough_by_role.py, with the helpers below.)

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
