"""The pages tell one truth: the dashboard's two totals of aid agree or say why not, 去年同期 is
"无上年数据" when the system holds none, and a period's state and its report's state never
contradict each other on the close list."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse

from aid.models import Disbursement, FundBudget
from cases import services as case_services
from summaries import services
from summaries.models import Report
from summaries.selectors import close_state
from tests.aid.conftest import aid_people, fund, hardship_file, period  # noqa: F401
from tests.aid.test_summary_and_web import paid
from tests.cases.conftest import mediator, register_kwargs  # noqa: F401
from tests.cases.test_summary import half_year  # noqa: F401
from tests.factories import fresh
from workflows import services as core_services
from workflows.models import Period

pytestmark = pytest.mark.django_db


def dashboard(client, user, unit):
    client.force_login(user)
    return client.get(reverse("summaries:live"), {"unit": unit.pk}).content.decode()


def test_the_fund_table_and_the_aid_figure_agree_or_the_page_says_why(client, tree, aid_people, fund, period):  # noqa: F811
    hardship_file(tree, aid_people["needy"])
    earlier = paid(tree, aid_people, fund, aid_people["needy"], "3000")
    paid(tree, aid_people, fund, aid_people["needy"], "1200", aid_type="medical")
    paid(tree, aid_people, fund, aid_people["needy2"], "800", aid_type="model_worker")
    # the 3000元 was approved on last half-year's budget and paid this half-year
    year, kind = (period.year, "H1") if period.kind == "H2" else (period.year - 1, "H2")
    last = Period.objects.create(org_unit=tree.top, year=year, kind=kind)
    last_budget = FundBudget.objects.create(fund=fund, period=last, amount=Decimal("10000"))
    payment = Disbursement.objects.get(application=earlier)
    FundBudget.objects.filter(pk=payment.fund_budget_id).update(paid=F("paid") - payment.amount)
    FundBudget.objects.filter(pk=last_budget.pk).update(paid=F("paid") + payment.amount)
    Disbursement.objects.filter(pk=payment.pk).update(fund_budget=last_budget)

    page = dashboard(client, tree.chair_a, tree.a)
    table = re.search(r'data-testid="fund-table-paid">([^<]*)<', page).group(1)
    assert table == "2000元"  # 1200 + 800 from this half-year's budget
    assert "本期发放帮扶资金4200元，上表各资金预算已发放合计2000元：" in page
    assert "其中3000元由上期预算支付，计入本期发放帮扶资金，不在上表" in page
    assert "上表已发放含劳模慰问金800元" in page
    assert "与发放记录不符" not in page  # 4200 − 3000 + 800 = 2000: every yuan is accounted for


def test_the_totals_agree_and_the_page_says_so_when_nothing_differs(client, tree, aid_people, fund, period):  # noqa: F811
    hardship_file(tree, aid_people["needy"])
    paid(tree, aid_people, fund, aid_people["needy"], "3000")
    page = dashboard(client, tree.chair_a, tree.a)
    assert "本期发放帮扶资金3000元，上表各资金预算已发放合计3000元，两者一致。" in page


def test_last_year_without_records_shows_no_last_year_data_instead_of_zeros(client, tree, aid_people, fund, period):  # noqa: F811
    page = dashboard(client, tree.chair_a, tree.a)
    assert page.count('class="muted no-last-year"') == 3  # one per section's table
    headlines = re.findall(r'<div class="change muted">([^<]*)</div>', page)
    assert headlines.count("无上年数据") == 7 and "当前" in headlines  # 超期待办 is as of now
    assert not re.search(r'<td class="muted">0(件|人|起)</td>', page)


def test_a_section_with_last_year_records_is_compared(client, tree, mediator, period):  # noqa: F811
    Period.objects.create(org_unit=tree.top, year=period.year - 1, kind=period.kind)
    day = datetime.date(period.year - 1, period.starts_on.month, 10)
    case_services.case_register(actor=fresh(mediator), **register_kwargs(tree, filed_on=day))
    page = dashboard(client, tree.chair_a, tree.a)
    assert page.count('class="muted no-last-year"') == 2  # aid and proposals only
    headlines = re.findall(r'<div class="change muted">([^<]*)</div>', page)
    assert headlines.count("无上年数据") == 4  # 2 aid and 2 proposals headlines
    assert "较去年同期下降100%" in headlines  # 受理登记劳动争议: 0 now, 1 a year ago
    assert '<td class="muted">1件</td>' in page  # 去年同期 受理登记劳动争议


# -- the close list ---------------------------------------------------------------------------
def close_row(client, user, term):
    client.force_login(user)
    page = client.get(reverse("summaries:close")).content.decode()
    row = next(r for r in page.split("<tr>") if f"<td>{term.label}</td>" in r and term.org_unit.name in r)
    state = re.search(r'data-testid="period-state">([^<]*)<', row).group(1)
    report = re.sub(r"<[^>]+>", "", re.search(r'data-testid="report-state">(.*?)</td>', row).group(1))
    return state, report, row


def test_a_period_closed_without_a_report_says_so_and_offers_to_write_it(client, tree):
    term = Period.objects.create(org_unit=tree.a, year=2025, kind="H2")
    core_services.period_start_closing(period=term, actor=fresh(tree.chair_a))
    core_services.period_finish_closing(period=term, actor=fresh(tree.chair_a))
    state, report, row = close_row(client, tree.chair_a, term)
    assert (state, report) == ("已结账", "未生成工作总结")
    assert "生成工作总结" in row and ">结账<" not in row
    preview = client.get(reverse("summaries:close_preview", args=[term.pk])).content.decode()
    assert "（已结账）生成工作总结" in preview and "确认结账" not in preview
    report = services.report_request(period=term, actor=fresh(tree.chair_a), run=lambda pk: None)
    services.report_run(report.pk)
    state, report, row = close_row(client, tree.chair_a, term)
    assert (state, report) == ("已结账", "已生成") and "查看" in row


def test_a_period_reopened_from_any_page_has_its_report_written_again(client, tree, half_year):  # noqa: F811
    term = Period.objects.create(org_unit=tree.a, year=2026, kind="H1")
    report = services.report_run(
        services.report_request(period=term, actor=fresh(tree.chair_a), run=lambda pk: None).pk
    )
    reported = report.snapshot
    # reopened on the 统计期间 page, not through the report
    term.refresh_from_db()
    core_services.period_reopen(period=term, actor=fresh(tree.chair_a), reason="补录案件")
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT and report.previous_snapshot == reported and not report.snapshot
    state, label, row = close_row(client, tree.chair_a, term)
    assert (state, label) == ("已重新开放，待重新结账", "待重新生成") and ">结账<" in row
    page = client.get(reverse("summaries:report", args=[report.pk])).content.decode()
    assert "已重新开放，待重新结账" in page and "重新开放原因" not in page  # it is open: nothing to reopen
    again = services.report_request(period=term, actor=fresh(tree.chair_a), run=lambda pk: None)
    services.report_run(again.pk)
    term.refresh_from_db()
    again.refresh_from_db()
    assert term.status == Period.Status.CLOSED and again.status == Report.Status.DONE


@pytest.mark.parametrize(
    ("period_status", "report_status", "expected"),
    [
        ("open", None, ("待结账", "close")),
        ("closing", "running", ("结账中", "running")),
        ("closing", "failed", ("结账中", "retry")),
        ("closing", None, ("结账中", "close")),
        ("closed", "done", ("已结账", "view")),
        ("closed", None, ("已结账", "generate")),
        ("closed", "draft", ("已结账", "generate")),
        ("open", "done", ("已重新开放，待重新结账", "close")),
    ],
)
def test_each_pair_of_states_reads_as_one(tree, period_status, report_status, expected):
    term = Period(org_unit=tree.a, year=2025, kind="H1", status=period_status)
    term.starts_on, term.ends_on = Period.bounds(2025, "H1")
    report = Report(org_unit=tree.a, status=report_status) if report_status else None
    state = close_state(term, report, today=datetime.date(2026, 1, 5))
    assert (str(state.label), state.action) == expected
    if period_status == "closed":
        assert state.action not in ("close",)  # never 已结账 beside a 结账 button
