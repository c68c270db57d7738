"""Journeys in a real browser (issue 16 §6), on the demo's people, each page checked for what the user
reads, no sideways scrolling and no script or console error.

A worker files a dispute on a phone and follows it under 我发起的; a committee member claims it,
转交 to a colleague, who 加签 the chair's opinion, receives it and decides; the worker then finds it
in mediation.  The chair reads the dashboard and follows a chart's bar to its records.
"""

import datetime
import re

import pytest
from django.conf import global_settings
from django.core.management import call_command

from tests.e2e.test_browser_defences import log_in
from tests.e2e.test_smoke import ARGS, CHROMIUM, server_url  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE, DESK = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
FACTS = "2026年10月至11月加班费未按时足额发放，多次催要未果。"


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    call_command("seed_demo", verbosity=0)


class Browser:
    """One page; every load is checked for sideways scrolling and the console for errors."""

    def __init__(self, playwright, base):
        self.base, self.errors = base, []
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        self.page = self.browser.new_page(viewport=DESK, locale="zh-CN")
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"{self.page.url}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"{self.page.url}: script error {e}"))
        self.page.on("load", lambda _page: self.fits())

    def as_(self, username, viewport):
        self.page.set_viewport_size(viewport)
        log_in(self.page, self.base, username)

    def go(self, path):
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)

    def fits(self):
        over = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if over > 0:
            self.errors.append(f"{self.page.url}: {over}px wider than the screen")

    def text(self):
        return self.page.inner_text("main")


def test_a_dispute_from_a_phone_through_claim_transfer_consultation_and_decision(demo, server_url):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        b = Browser(playwright, server_url)
        page = b.page

        # the worker files on a phone
        b.as_("zhigong", PHONE)
        b.go("/cases/file/")
        page.select_option("select[name=category]", "overtime")
        page.fill("textarea[name=facts]", FACTS)
        page.fill("textarea[name=claims]", "请求支付加班费。")
        page.fill("input[name=workers_involved]", "1")
        page.fill("input[name=amount_claimed]", "4200")
        assert page.get_attribute("input[name=amount_claimed]", "inputmode") == "decimal"
        page.click("main form button[type=submit]")
        page.wait_for_selector(".messages .success")
        filed = b.text()
        number = re.search(r"调字〔\d{4}〕第\d+号", filed).group(0)
        assert "工会将在3个工作日内审查是否受理" in filed and "受理审查" in filed
        b.go("/mine/")
        row = page.locator("tr[data-testid=filed]", has_text="加班").first
        assert "受理审查（待认领）" in row.inner_text()

        # a committee member claims it and passes it to a colleague
        b.as_("weiyuan", DESK)
        b.go("/tasks/box/queue/")
        page.click("tr:has-text('何小红诉') a:has-text('受理审查')")
        page.click("button:has-text('认领')")
        page.wait_for_selector("text=转交")
        page.click("summary:has-text('转交')")
        page.select_option("form[action$='/transfer/'] select[name=to_user]", label="魏波磊")
        page.fill("form[action$='/transfer/'] [name=note]", "请魏委员办理")
        page.click("button:has-text('确认转交')")
        page.wait_for_selector(".messages .success")
        task_url = page.url if "/tasks/" in page.url else None

        # the colleague asks the chair's opinion before deciding; the step waits for it
        b.as_("w0001", DESK)
        b.go("/tasks/box/inbox/")
        page.click("tr:has-text('何小红诉') a:has-text('受理审查')")
        task_url = page.url
        page.click("summary:has-text('加签')")
        page.select_option("form[action$='/consult/'] select[name=consultant]", label="刘德明")
        page.fill("form[action$='/consult/'] textarea[name=question]", "申请人所述加班是否经审批？")
        page.click("button:has-text('发出征求意见')")
        page.wait_for_selector("text=等待意见")

        b.as_("zhuxi_hc", DESK)
        page.goto(task_url)
        page.fill("form[action*='/answer/'] textarea[name=answer]", "经核实，加班经部门审批，可受理。")
        page.click("button:has-text('提交意见')")
        page.wait_for_selector(".messages .success")

        b.as_("w0001", DESK)
        page.goto(task_url)
        assert "经核实，加班经部门审批" in b.text()
        page.check("input[name=decision][value=accept]")
        page.select_option("select[name=mediator]", label="张志红")
        page.click("main form button:has-text('提交')")
        page.wait_for_selector(".messages .success")

        # the worker, on the phone again, finds it in mediation with its whole path
        b.as_("zhigong", PHONE)
        b.go("/mine/")
        row = page.locator("tr[data-testid=filed]", has_text="加班").first
        assert "调解" in row.inner_text()
        row.locator("a").first.click()
        record = b.text()
        assert number in record and "调解中" in record
        for step in ("转交", "加签", "受理"):
            assert step in record, step
        b.browser.close()
        assert not b.errors, b.errors


def test_the_chair_follows_a_chart_to_its_records(demo, server_url):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        b = Browser(playwright, server_url)
        page = b.page
        for viewport in (DESK, PHONE):
            b.as_("zhuxi_hc", viewport)
            b.go("/summaries/")
            bars = page.locator("[data-testid=trend]").first.locator("a[data-testid=bar]")
            months = [
                re.search(r"(\d+)月：(\d+)件", bars.nth(i).locator("title").text_content()) for i in range(bars.count())
            ]
            index = next(i for i, m in enumerate(months) if int(m.group(2)) > 0)  # the first month with disputes
            month, said = int(months[index].group(1)), int(months[index].group(2))
            bars.nth(index).locator("rect").click()
            page.wait_for_url(re.compile(r"/cases/\?"))
            assert f"共 {said} 件" in page.inner_text(".pagination")  # the list holds what the bar said
            assert page.locator("[data-testid=case-row]").count() == min(said, 20)
            assert page.input_value("input[name=filed_from]") == f"{datetime.date.today().year}-{month:02d}-01"
        b.browser.close()
        assert not b.errors, b.errors
