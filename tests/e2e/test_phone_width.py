"""On a phone's 390 px every page fits its width: no page scrolls sideways, lists become cards.

Measured in chromium at 390×844 on the demo half-year: each role logs in and walks the pages its
links lead to; on each, the document may not be wider than the viewport.  Wide content (a table
with many columns) scrolls inside its own card, never the page; the record lists stack each row as
a card.
"""

import pytest
from django.conf import global_settings
from django.core.management import call_command

from tests.e2e.test_browser_defences import NOT_CRAWLED, log_in
from tests.e2e.test_smoke import ARGS, ARTIFACTS, CHROMIUM, server_url  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PAGES_PER_ROLE = 14
SHOTS = {"/tasks/box/queue/": "queue", "/mine/": "mine", "/": "home"}
START = ["/", "/tasks/box/inbox/", "/tasks/box/queue/", "/mine/", "/cases/", "/aid/", "/proposals/", "/notifications/"]


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def phone():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
        yield page
        browser.close()


def overflow(page):
    """How many px the page is wider than the screen, and the widest element's tag when it is."""
    return page.evaluate(
        """() => {
        const over = document.documentElement.scrollWidth - document.documentElement.clientWidth;
        if (over <= 0) return [0, ''];
        let widest = null, right = 0;
        for (const el of document.querySelectorAll('body *')) {
          const r = el.getBoundingClientRect();
          if (r.right > right && getComputedStyle(el).position !== 'fixed') { right = r.right; widest = el; }
        }
        return [over, widest ? widest.tagName + '.' + widest.className : ''];
      }"""
    )


def test_no_page_scrolls_sideways_on_a_phone(demo, server_url, phone):  # noqa: F811
    from urllib.parse import urljoin, urlsplit

    page = phone
    too_wide, visited = {}, 0
    for username in ["zhigong", "weiyuan", "caiwu", "zhuxi_hc"]:
        log_in(page, server_url, username)
        seen, todo = set(), list(START)
        while todo and len(seen) < PAGES_PER_ROLE:
            path = todo.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = page.goto(server_url + path, wait_until="load")
            if response.status != 200:
                continue
            visited += 1
            if path in SHOTS:  # for people to look at: artifacts/e2e/phone-<role>-<page>.png
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"phone-{username}-{SHOTS[path]}.png"), full_page=True)
            over, widest = overflow(page)
            if over > 0:
                too_wide[f"{username} {path}"] = f"{over}px wider ({widest})"
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
                url = urlsplit(urljoin(server_url + path, href))
                if url.netloc == urlsplit(server_url).netloc and not NOT_CRAWLED.search(url.path):
                    todo.append(url.path)
    assert visited >= 30, visited
    assert not too_wide, "pages wider than a phone:\n" + "\n".join(f"{k}: {v}" for k, v in too_wide.items())
