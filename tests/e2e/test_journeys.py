"""Journeys in a real browser (issue 16 §6), on the demo's people, each page checked for what the user
reads, no sideways scrolling and no script or console error.

A worker files a dispute on a phone and follows it under 我发起的; a committee member claims it,
转交 to a colleague, who 加签 the chair's opinion, receives it and decides; the mediator records the
agreement and its signature; the worker reads it and downloads the 调解协议书.  An aid application
goes from the worker's phone through two home visits, review, publicity, approval and payment, and
finance exports the paid list.  The chair reads the dashboard and follows a chart's bar to its
records; she closes the half-year with the real worker running, rewrites the report's opening and
downloads the .docx with her words.
"""

import datetime
import re

import pytest
from django.conf import global_settings
from django.core.management import call_command

from tests.e2e.test_browser_defences import log_in
from tests.e2e.test_smoke import ARGS, CHROMIUM, server_url  # noqa: F401  (fixture)
from tests.integration.conftest import start_worker  # noqa: F401  (fixture)

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


def test_a_dispute_from_a_phone_through_claim_transfer_consultation_to_the_signed_agreement(demo, server_url):  # noqa: F811
    import docx
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
        case_url = page.url

        # the mediator records the agreement and, once both parties signed it, the signature
        b.as_("tiaojie", DESK)
        b.go("/tasks/box/inbox/")
        page.locator("main tr", has_text="何小红").locator("a:has-text('调解')").first.click()
        page.check("input[name=outcome][value=agree]")
        page.fill("input[name=amount_agreed]", "4200")
        page.fill("textarea[name=agreement_terms]", "被申请人于2026年12月20日前支付申请人加班费4200元。")
        page.fill("input[name=performance_due]", (datetime.date.today() + datetime.timedelta(days=16)).isoformat())
        page.click("main form button:has-text('提交')")
        page.wait_for_selector(".messages .success")
        page.goto(case_url)
        page.fill("form[action$='/sign/'] input[name=signed_on]", datetime.date.today().isoformat())
        page.click("button:has-text('已签署')")
        page.wait_for_selector(".messages .success")

        # the worker reads the signed agreement on the phone and downloads it
        b.as_("zhigong", PHONE)
        page.goto(case_url)
        record = b.text()
        assert "调解成功" in record and "尚未签署" not in record and re.search(r"4,?200", record)
        with page.expect_download() as download:
            page.click("a:has-text('调解协议书')")
        agreement = "\n".join(p.text for p in docx.Document(download.value.path()).paragraphs)
        assert number in agreement and "4200" in agreement.replace(",", "")
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


def in_a_thread(fn):
    """Run ``fn`` (database work) outside Playwright's event loop, on its own connection."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run():
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def fired_after(delta):
    """The timers a sweep fires once ``delta`` has passed (as the worker's beat would then)."""
    import time_machine
    from django.utils import timezone
    from viewflow.workflow.timers import fire_due_timers

    with time_machine.travel(timezone.now() + delta):
        return fire_due_timers()


def claim_from_queue(b, row_text, step):
    """Open the first 可认领 task of ``step`` whose row matches ``row_text`` and claim it."""
    page = b.page
    b.go("/tasks/box/queue/")
    page.locator("main tr").filter(has_text=row_text).locator(f"a:has-text('{step}')").first.click()
    page.click("button:has-text('认领')")
    page.wait_for_selector("main form button:has-text('提交')")


def submit_task(b):
    page = b.page
    page.click("main form button:has-text('提交')")
    page.wait_for_selector(".messages .success")
    return page.inner_text(".messages")


def test_an_aid_application_from_a_phone_to_payment_and_the_paid_list(demo, server_url):  # noqa: F811
    """The worker applies on a phone; two committee members visit, the committee reviews, the
    publicity runs its days, the chair approves within the fund, finance pays to the account it
    sees and exports the paid list; the worker reads 已发放 under 我发起的."""
    import openpyxl
    from playwright.sync_api import sync_playwright

    APPLICANT = re.compile(r"何.红的生活救助申请")  # masked as each role may see it
    reasons = "丈夫今年8月工伤住院，家中两个孩子上学，月收入不足两千元。"
    with sync_playwright() as playwright:
        b = Browser(playwright, server_url)
        page = b.page

        b.as_("zhigong", PHONE)
        b.go("/aid/apply/")
        page.select_option("select[name=aid_type]", "living")
        page.fill("input[name=amount_requested]", "2600")
        page.fill("textarea[name=reasons]", reasons)
        page.click("main form button[type=submit]")
        page.wait_for_selector(".messages .success")
        number = re.search(r"/aid/applications/(\d+)/", page.url).group(1)
        assert "入户核实" in b.text()

        # two different committee members visit the household
        for visitor in ("weiyuan", "w0001"):
            b.as_(visitor, DESK)
            claim_from_queue(b, APPLICANT, "入户核实")
            page.fill("textarea[name=findings]", "入户走访，家庭情况与申请一致，收入证明属实。")
            assert "已办结" in submit_task(b)

        # the committee's review, recorded by one member: all present vote for it
        b.as_("weiyuan", DESK)
        claim_from_queue(b, APPLICANT, "民主评议")
        for select in page.locator("main form select[name^=vote_]").all():
            select.select_option("for")
        submit_task(b)

        # the publicity runs its days (the worker's timer sweep, here under a moved clock)
        assert in_a_thread(lambda: fired_after(datetime.timedelta(days=10))) >= 1

        # the chair approves within the fund, its balance beside it
        b.as_("zhuxi_hc", DESK)
        claim_from_queue(b, APPLICANT, "主席审批")
        page.check("input[name=decision][value=approve]")
        fund = page.locator("select[name=fund] option").nth(1)
        assert "余额" in fund.inner_text()
        page.select_option("select[name=fund]", index=1)
        page.fill("input[name=amount]", "2600")
        submit_task(b)

        # finance pays to the account it sees on the payment step, then exports the paid list
        b.as_("caiwu", DESK)
        claim_from_queue(b, APPLICANT, "发放")
        assert re.search(r"\d{4}", b.text())  # the bank account is shown to finance (audited view)
        page.select_option("select[name=method]", "bank")
        page.fill("input[name=reference]", "转账20261204001")
        submit_task(b)
        b.go("/aid/?status=paid")
        assert page.locator(f"main tr:has(a[href='/aid/applications/{number}/'])").count() == 1
        with page.expect_download() as download:
            page.click("[data-testid=export]")
        assert download.value.suggested_filename.endswith(".xlsx")
        with open(download.value.path(), "rb") as file:
            sheet = openpyxl.load_workbook(file, read_only=True).active
            rows = [[str(c) for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
        assert rows[0][:2] == ["编号", "申请人"]
        paid = [row for row in rows[1:] if row[0] == number]
        assert len(paid) == 1 and paid[0][1] == "何小红" and paid[0][4:6] == ["2600", "2600"], rows[:3]

        # the worker sees it paid, on the phone
        b.as_("zhigong", PHONE)
        b.go("/mine/")
        row = page.locator("tr[data-testid=filed]", has_text="生活救助").first
        assert "已发放" in row.inner_text()
        b.browser.close()
        assert not b.errors, b.errors


def test_the_chair_closes_the_period_edits_the_report_and_downloads_it(demo, server_url, start_worker, tmp_path):  # noqa: F811
    """With the real worker on the embedded broker: the chair closes the half-year, the report is
    generated, she rewrites its opening paragraph, saves (the report is made again) and the .docx
    she downloads holds her words."""
    import docx
    from playwright.sync_api import sync_playwright

    worker = start_worker("filesystem://", var_dir=tmp_path)
    opening = "今年上半年，开发区总工会在区委和上级工会的领导下，围绕中心、服务大局，各项工作取得新进展。"
    with sync_playwright() as playwright:
        b = Browser(playwright, server_url)
        page = b.page
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
        b.as_("zhuxi", DESK)
        b.go("/summaries/close/")
        row = page.locator("tr", has_text="2026年上半年")
        assert "待结账" in row.inner_text()
        row.locator("a:has-text('结账')").click()
        page.click("button:has-text('确认结账并生成工作总结')")
        page.wait_for_url(re.compile(r"/summaries/reports/\d+/"))
        assert dialogs and "确认结账" in dialogs[0]
        page.wait_for_selector("a:has-text('下载工作总结')", timeout=120_000)  # the worker made it

        page.fill("textarea[name=b-opening-0-text]", opening)
        page.click("button:has-text('保存并重新生成')")
        page.wait_for_selector(".messages .success")
        assert "正在重新生成文档" in page.inner_text(".messages")
        page.wait_for_selector("a:has-text('下载工作总结')", timeout=120_000)
        with page.expect_download() as download:
            page.click("a:has-text('下载工作总结')")
        text = "\n".join(p.text for p in docx.Document(download.value.path()).paragraphs)
        assert opening in text
        assert "工作总结" in text
        b.browser.close()
        worker.stop()
        assert not b.errors, b.errors
