"""数据看板 at a glance: headline figures with their change, monthly trends whose every bar leads to
the records it counts, and a table view of each chart for screen readers."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from summaries.glance import _change
from tests.cases.conftest import file_kwargs
from tests.factories import make_user
from workflows.models import OrgUnit

pytestmark = pytest.mark.django_db


def file_cases(tree, day, n, start=0):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(10)).astimezone(), tick=False):
        for i in range(start, start + n):
            worker = make_user(f"glance{i}", name=f"工人{i}", unit=tree.a_branch, employer=tree.employer_a)
            case_services.case_file(actor=worker, **file_kwargs(facts=f"第{i}次：工资未按时足额发放。"))


def test_every_bar_leads_to_the_records_it_counts(client, tree):
    today = timezone.localdate()
    earlier = today.replace(day=1) - datetime.timedelta(days=1) if today.month > 1 else today
    file_cases(tree, earlier.replace(day=1), 2)
    file_cases(tree, today, 3, start=2)
    client.force_login(tree.chair_a)
    page = client.get(reverse("summaries:live"), {"unit": tree.a.pk}).content.decode()
    chart = page.split('data-testid="trend"')[1]  # the first chart: 劳动争议受理登记
    assert "劳动争议受理登记" in chart and 'role="group" aria-label="劳动争议受理登记（按月）：' in chart
    bars = re.findall(r'<a href="([^"]+)" data-testid="bar"><title>(\d+)月：(\d+)件</title>', chart)
    assert len(bars) == today.month
    counted = {int(month): int(n) for _url, month, n in bars}
    assert counted[today.month] == 3 and sum(counted.values()) == 5
    for url, month, n in bars:
        listing = client.get(url.replace("&amp;", "&")).content.decode()
        assert listing.count('data-testid="case-row"') == int(n), (month, url)
    assert "表格视图" in chart and f"{today.month}月：3件" in re.sub(r"\s+", "", chart)


def test_headlines_show_the_figure_its_change_and_lead_to_the_list(client, tree):
    file_cases(tree, timezone.localdate(), 2)
    client.force_login(tree.chair_a)
    page = client.get(reverse("summaries:live"), {"unit": tree.a.pk}).content.decode()
    cards = re.findall(r'<a class="stat[^"]*" href="([^"]+)"[^>]*data-testid="headline">(.*?)</a>', page, re.S)
    received = [(url, body) for url, body in cards if "受理登记劳动争议" in body]
    assert received, cards
    url, body = received[0]
    assert ">2件<" in body and "无上年数据" in body  # no record of last year: no comparison
    assert url.startswith("/cases/?unit=")
    assert client.get(url.replace("&amp;", "&")).content.decode().count('data-testid="case-row"') == 2


@pytest.mark.parametrize(
    ("now", "before", "unit", "said"),
    [
        (12, 10, "件", "较去年同期增长20%"),
        (8, 10, "件", "较去年同期下降20%"),
        (10, 10, "件", "与去年同期持平"),
        (3, 0, "件", "去年同期为0"),
        ("87.5", "80.0", "%", "较去年同期提高7.5个百分点"),
        ("80", "90", "%", "较去年同期下降10个百分点"),
        (Decimal("41600"), None, "元", ""),
    ],
)
def test_a_change_is_said_as_a_report_would(now, before, unit, said):
    assert _change(now, before, unit) == said


def test_a_unit_without_records_shows_empty_charts_not_errors(client, tree):
    empty = OrgUnit.objects.create(name="丙公司工会", code="c", kind=OrgUnit.Kind.BASE, parent=tree.top)
    client.force_login(tree.chair)
    page = client.get(reverse("summaries:live"), {"unit": empty.pk})
    assert page.status_code == 200
    assert "合计0件" in page.content.decode()


def test_every_breakdown_bar_leads_to_its_records(client, tree):
    today = timezone.localdate()
    file_cases(tree, today, 2)
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(10)).astimezone(), tick=False):
        other = make_user("glance_b", name="乙工人", unit=tree.b, employer=tree.employer_b)
        case_services.case_file(actor=other, **file_kwargs(category="contract"))
    client.force_login(tree.chair)  # the federation's chair: 甲 and 乙 below
    page = client.get(reverse("summaries:live"), {"unit": tree.top.pk}).content.decode()
    charts = page.split('data-testid="breakdown"')[1:]
    assert [c.split("</strong>")[0].rsplit(">", 1)[-1] for c in charts] == ["劳动争议按类别", "劳动争议按单位"]
    found = {}
    for chart in charts:
        for url, label, n in re.findall(r'<a href="([^"]+)" data-testid="bar"><title>([^：]+)：(\d+)件</title>', chart):
            listing = client.get(url.replace("&amp;", "&")).content.decode()
            assert listing.count('data-testid="case-row"') == int(n), (label, url)
            found[label] = int(n)
    assert found == {"劳动报酬": 2, "劳动合同": 1, "甲公司工会": 2, "乙公司工会": 1}


@pytest.mark.parametrize("unit", ["1e400", "null", "[]", "-1", "99999999999999999999999"])
def test_a_malformed_or_unknown_unit_is_not_found(client, tree, unit):
    client.force_login(tree.chair)
    assert client.get(reverse("summaries:live"), {"unit": unit}).status_code == 404


def chart_titled(page, title):
    return next(chart for chart in page.split('data-testid="trend"')[1:] if title in chart.split("</figcaption>")[0])


def test_the_concluded_chart_counts_by_the_day_mediation_ended_and_leads_to_those_cases(client, tree):
    from cases.models import GrievanceCase
    from tests.cases.test_case_flow import AGREEMENT, accept, conclude
    from tests.factories import grant
    from workflows.roles import Role

    mediator = grant(make_user("glance_m", name="张调解", unit=tree.a, employer=tree.employer_a), Role.MEDIATOR, tree.a)
    file_cases(tree, timezone.localdate(), 3)
    cases = list(GrievanceCase.objects.order_by("pk"))
    for case in cases[:2]:
        accept(case, tree.committee_a, mediator)
    conclude(cases[0], mediator, **AGREEMENT)
    case_services.case_withdraw(case=cases[2], actor=cases[2].applicant.user, reason="已与单位和解")  # not 办结
    client.force_login(tree.chair_a)
    page = client.get(reverse("summaries:live"), {"unit": tree.a.pk}).content.decode()
    chart = chart_titled(page, "劳动争议调解办结")
    bars = re.findall(r'<a href="([^"]+)" data-testid="bar"><title>(\d+)月：(\d+)件</title>', chart)
    counted = {int(month): int(n) for _url, month, n in bars}
    assert counted[timezone.localdate().month] == 1 and sum(counted.values()) == 1
    url = next(url for url, month, _n in bars if int(month) == timezone.localdate().month).replace("&amp;", "&")
    assert "dated=concluded" in url
    listing = client.get(url).content.decode()
    assert listing.count('data-testid="case-row"') == 1 and cases[0].number in listing
    assert '<option value="concluded" selected>办结日期</option>' in listing
