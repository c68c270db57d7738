"""axe-core on the main pages, as each role sees them, at a desk's and a phone's width: no serious or
critical violation (issue 16 §6).  axe is injected by the test (axe-playwright-python bundles it);
nothing of it is served to users."""

import re

import pytest
from django.conf import global_settings
from django.core.management import call_command

from tests.e2e.test_browser_defences import log_in
from tests.e2e.test_smoke import ARGS, CHROMIUM, server_url  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}
PAGES = {
    "zhuxi_hc": [
        "/", "/summaries/", "/tasks/box/inbox/", "/tasks/box/queue/", "/cases/", "/aid/", "/proposals/",
        "/mine/", "/copied/", "/notifications/", "/notifications/settings/", "/delegation/", "/summaries/close/",
        "first:/cases/", "first:/aid/", "first:/proposals/", "first:/tasks/box/queue/",
    ],
    "zhigong": ["/", "/mine/", "/cases/file/", "/aid/apply/"],
    "caiwu": ["/copied/", "/aid/", "/aid/funds/"],
}  # fmt: skip


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    call_command("seed_demo", verbosity=0)


def first_record(page, base, listing):
    """The first record a list links to (a case, an application, a task), as a user would open it."""
    page.goto(base + listing)
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    records = [h for h in hrefs if re.fullmatch(r"/[a-z/]+/\d+/", h or "") and not h.startswith("/records/")]
    assert records, f"{listing} links to no record"
    return records[0]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_no_serious_accessibility_violation_on_the_main_pages(demo, server_url, viewport):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe, found, checked = Axe(), {}, 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport=viewport, locale="zh-CN")
        page.goto(f"{server_url}/login/")
        pages = [("login", "/login/")]
        for username, paths in PAGES.items():
            log_in(page, server_url, username)
            for path in paths:
                if path.startswith("first:"):
                    path = first_record(page, server_url, path.removeprefix("first:"))
                response = page.goto(server_url + path)
                assert response.status == 200, (username, path, response.status)
                pages.append((username, path))
                checked += 1
                for violation in axe.run(page).response["violations"]:
                    if violation["impact"] in SERIOUS:
                        targets = [node["target"] for node in violation["nodes"][:3]]
                        found.setdefault(f"{violation['id']} ({violation['impact']})", []).append(
                            f"{username} {path} {targets}"
                        )
        browser.close()
    assert checked >= 20
    assert not found, found
