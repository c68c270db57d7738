"""A committee member logs in, opens the dashboard and the queue, and claims a task — in chromium."""

import os
import shutil
from pathlib import Path

import pytest

from tests.factories import make_tree
from workflows import services

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser_page():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Debian's chromium is not at {CHROMIUM}. Install it: apt-get install -y chromium (make test does)")
    # Playwright's sync API runs an event loop in this thread; the live server's ORM runs elsewhere.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
        yield page
        browser.close()


def test_committee_member_claims_a_task_from_the_queue(live_server, browser_page):
    tree = make_tree()
    tree.committee_a.set_password("demo-pass-123")
    tree.committee_a.save()
    services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    page = browser_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "committee_a")
    page.fill("#id_password", "demo-pass-123")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('工作台')")
    assert "李委员" in page.content()
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.click("nav.tabs a:has-text('可认领'), .sidebar a:has-text('可认领')")
    page.wait_for_selector("[data-testid=task-row]")
    assert page.locator("[data-testid=task-row]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)

    page.click("[data-testid=task-row] a:has-text('审核入会申请')")
    page.click("button:has-text('认领')")
    page.wait_for_selector(".messages .success")
    assert "已认领" in page.inner_text(".messages")
    assert page.locator("input[name=decision]").count() == 2  # the review form is now offered
    page.screenshot(path=str(ARTIFACTS / "claimed.png"), full_page=True)

    page.goto(f"{live_server.url}/tasks/box/inbox/")
    assert page.locator("[data-testid=task-row]").count() == 1
    assert page.inner_text("[data-testid=badge-inbox]") == "1"
