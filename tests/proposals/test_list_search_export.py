"""The proposal list: search, filters and 导出 Excel."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.proposals.conftest import draft, submitted
from workflows.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


def rows(client, **query):
    response = client.get(reverse("proposals:list"), query)
    assert response.status_code == 200
    page = response.content.decode()
    return page.count('data-testid="proposal-row"'), page


def test_search_filters_and_export(client, tree, congress, people):
    first = submitted(congress, people)
    other = draft(congress, people["rep2"], title="关于改善食堂伙食的提案", category="welfare")
    client.force_login(people["rep3"])  # a representative of the union: proposals are open to it
    assert rows(client)[0] == 2
    assert rows(client, q="食堂")[0] == 1
    assert rows(client, q="吴代表")[0] == 1  # the proposer's name
    assert rows(client, q=str(first.pk))[0] == 1
    assert rows(client, status="draft")[0] == 1
    count, page = rows(client, q="无此提案")
    assert count == 0 and "没有符合筛选条件的提案" in page
    assert "金额" not in rows(client)[1]  # a proposal has no amount to filter on
    client.force_login(people["rep2"])
    assert rows(client, mine="on")[0] == 1
    response = client.get(reverse("proposals:list"), {"q": "食堂", "export": "xlsx"})
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert values[0][:3] == ("编号", "案题", "提案人") and len(values) == 2 and values[1][1] == other.title
    event = AuditEvent.objects.for_record(Member.objects.get(user=people["rep2"])).get(action="export")
    assert "导出“职代会提案”1条" in event.reason and "搜索=食堂" in event.reason
