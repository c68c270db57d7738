"""Every page obeys the Content-Security-Policy, seen from chromium: each role walks the site.

The demo half-year is loaded (every kind of record, a closed period with its report), then each
role logs in through the login page and visits the pages its links lead to (breadth first, a
bounded number), plus the API docs, the browsable API and the admin for the administrator.  Any
console message about the Content-Security-Policy or the Permissions-Policy, and any script error,
fails the test with the page it happened on.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import global_settings
from django.core.management import call_command

from tests.e2e.test_smoke import browser_page, one_application, server_url  # noqa: F401  (fixtures)
from workflows.management.commands.seed_demo import DEMO_PASSWORD

PASSWORD = "demo-pass-123"  # one_application's

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAGES_PER_ROLE = 15
# Not pages: downloads, actions, other sites' areas (the admin and the API are visited on purpose).
NOT_CRAWLED = re.compile(r"^/(logout|admin|api|static|media|attachments)/|/file/|/download|\.(docx|xlsx|pdf)$")
POLICY_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy", "Permissions policy")
ADMIN_PAGES = [
    "/api/docs/",
    "/api/v1/",
    "/api/v1/cases/",
    "/api/v1/tasks/",
    "/admin/",
    "/admin/workflows/auditevent/",
    "/admin/workflows/apitoken/",
    "/admin/axes/accessattempt/",
    "/admin/workflows/orgunit/",
    "/admin/auth/user/",
]


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks with production's hashers
    call_command("seed_demo", verbosity=0)


class Console:
    """What the browser reported while showing one page."""

    def __init__(self, page):
        self.problems = []
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _message(self, message):
        if any(word in message.text for word in POLICY_WORDS):
            self.problems.append(f"{message.type}: {message.text}")

    def take(self):
        problems, self.problems = self.problems, []
        return problems


def log_in(page, base, username, password=DEMO_PASSWORD):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('工作台')")


def walk(page, base, console, start):
    """Breadth-first over the site's own links from ``start``; ``{path: problems}`` and the count."""
    found, seen, todo = {}, set(), list(start)
    while todo and len(seen) < PAGES_PER_ROLE + len(start):
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(base + path, wait_until="load")
        assert response.status < 500, f"{path} answered {response.status}"
        if path == "/api/docs/":
            page.wait_for_selector(".swagger-ui .opblock", timeout=20000)  # the schema loaded and rendered
        page.wait_for_timeout(100)
        if problems := console.take():
            found[path] = problems
        if path.startswith(("/admin/", "/api/")):
            continue
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlsplit(urljoin(base + path, href))
            if url.netloc == urlsplit(base).netloc and not NOT_CRAWLED.search(url.path) and "export=" not in url.query:
                todo.append(url.path + (f"?{url.query}" if url.query else ""))
    return found, len(seen)


def test_no_page_breaks_the_content_security_policy(demo, server_url, browser_page):  # noqa: F811
    """One test for all roles: loading the demo is what takes time."""
    page = browser_page
    console = Console(page)
    found = {}
    for username in ["zhigong", "weiyuan", "caiwu", "zhuxi_hc", "admin"]:
        log_in(page, server_url, username)
        start = ["/", *(ADMIN_PAGES if username == "admin" else [])]
        problems, visited = walk(page, server_url, console, start)
        assert visited >= 10, f"{username} reached only {visited} pages: the walk is not seeing the site"
        found |= {f"{username} {path}": messages for path, messages in problems.items()}
    assert not found, "\n".join(f"{page}:\n  " + "\n  ".join(messages) for page, messages in found.items())


def test_the_moved_scripts_still_work(one_application, server_url, browser_page):  # noqa: F811
    """Select-all and the confirmation before a bulk approval were inline handlers; now static code."""
    page = browser_page
    console = Console(page)
    log_in(page, server_url, "committee_a", PASSWORD)
    page.goto(f"{server_url}/tasks/box/queue/")
    page.click("[data-testid=task-row] a:has-text('审核入会申请') >> nth=0")
    page.click("button:has-text('认领')")
    page.wait_for_selector(".messages .success")
    page.goto(f"{server_url}/tasks/box/inbox/")
    boxes = page.locator("input[name=task]")
    assert boxes.count() >= 1  # the claimed review can be approved in bulk
    page.check("input[data-check-all]")
    assert all(box.is_checked() for box in boxes.all())
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("form[data-confirm] button[type=submit]")
    assert dialogs and "批量" in dialogs[0]  # asked first; dismissed, so nothing was submitted
    assert page.url.endswith("/tasks/box/inbox/") and page.locator("input[name=task]").count() == boxes.count()
    assert not console.take()


def test_a_locked_out_login_says_why_in_chinese(one_application, server_url, browser_page):  # noqa: F811
    page = browser_page
    console = Console(page)
    for _ in range(5):
        page.goto(f"{server_url}/login/")
        page.fill("#id_username", "committee_a")
        page.fill("#id_password", "not-the-password")
        page.click("button[type=submit]")
    page.fill("#id_username", "committee_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    assert "已被暂时锁定" in page.inner_text("[data-testid=login-locked]")
    assert "工作台" not in page.content()
    assert not console.take()
