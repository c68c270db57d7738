"""The aid application list: search, filters and 导出 Excel, as the viewer may see the records."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.aid.conftest import apply
from workflows.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def applications(tree, aid_people, fund, period):
    return [
        apply(tree, aid_people["needy"], amount="3000"),
        apply(tree, aid_people["needy2"], amount="1200", aid_type="medical"),
    ]


def rows(client, **query):
    response = client.get(reverse("aid:list"), query)
    assert response.status_code == 200
    page = response.content.decode()
    return page.count('data-testid="aid-row"'), page


def test_search_filters_and_sorting(client, tree, aid_people, applications):
    client.force_login(tree.chair_a)  # reads names in the union
    name = Member.objects.get(user=aid_people["needy"]).display_name
    assert rows(client, q=name)[0] == 1
    assert rows(client, q=str(applications[1].pk))[0] == 1
    assert rows(client, category="medical")[0] == 1
    assert rows(client, amount_min="2000")[0] == 1
    _count, page = rows(client, sort="-amount_requested")
    assert page.index(f"/aid/applications/{applications[0].pk}/") < page.index(
        f"/aid/applications/{applications[1].pk}/"
    )
    count, page = rows(client, q="无此人")
    assert count == 0 and "没有符合筛选条件的申请" in page
    assert "上限不能小于下限" in rows(client, amount_min="9", amount_max="1")[1]


def test_a_committee_member_neither_sees_nor_finds_a_masked_name(client, tree, aid_people, applications):
    name = Member.objects.get(user=aid_people["needy"]).display_name
    client.force_login(tree.committee_a)
    count, page = rows(client)  # the visits are not theirs yet: names masked
    assert count == 2 and name not in page and rows(client, q=name)[0] == 0


def test_export_is_the_filtered_list_masked_for_the_viewer_and_audited(client, tree, aid_people, applications):
    upper = aid_people["upper"]
    name = Member.objects.get(user=aid_people["needy"]).display_name
    client.force_login(tree.chair_a)
    response = client.get(reverse("aid:list"), {"category": "living", "export": "xlsx"})
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert values[0][1] == "申请人" and len(values) == 2 and values[1][1] == name and values[1][4] == 3000
    event = AuditEvent.objects.for_record(Member.objects.get(user=tree.chair_a)).get(action="export")
    assert "导出“困难帮扶申请”1条" in event.reason and "帮扶类型" in event.reason
    client.force_login(upper)
    response = client.get(reverse("aid:list"), {"export": "xlsx"})
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(values) == 3 and name not in {row[1] for row in values[1:]}  # reads the aid, not the names
