"""A committee member logs in, opens the dashboard and the queue, and claims a task — in chromium."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import global_settings

from tests.factories import make_tree
from tests.integration.conftest import database_url_for_worker
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
def server_url(tmp_path):
    """The real web server (``manage.py runserver``) in its own process, on the test database.

    (A separate process rather than pytest-django's in-process live server: stopping it closes
    its database connections for certain, so the PostgreSQL test database can be dropped.)
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url_for_worker(), "DEBUG": "1", "UNIONFLOW_VAR_DIR": str(tmp_path)}
    log = tmp_path / "server.log"
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=root,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the web server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


@pytest.fixture
def browser_page():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Debian's chromium is not at {CHROMIUM}. Install it: apt-get install -y chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
        yield page
        browser.close()


@pytest.fixture
def one_application(settings):
    """Data is written before the browser starts: Playwright's sync API runs an event loop here."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server process hashes as in production
    tree = make_tree()
    tree.committee_a.set_password("demo-pass-123")
    tree.committee_a.save()
    services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    return tree


def test_committee_member_claims_a_task_from_the_queue(one_application, server_url, browser_page):
    page = browser_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{server_url}/login/")
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

    page.goto(f"{server_url}/tasks/box/inbox/")
    assert page.locator("[data-testid=task-row]").count() == 1
    assert page.inner_text("[data-testid=badge-inbox]") == "1"
