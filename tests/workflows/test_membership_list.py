"""The membership application list: search, filters, 导出 Excel and a saved filter, as on every
record list; names matched and shown as the viewer may see them; a wrong value filters nothing."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_user
from workflows import services
from workflows.models import AuditEvent, Member, SavedFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def applications(tree):
    other = make_user("applicant_a2", name="李四", unit=tree.a_branch, employer=tree.employer_a)
    Member.objects.filter(user=other).update(membership=Member.Membership.NON_MEMBER)
    return [
        services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守工会章程。"),
        services.membership_apply(actor=other, statement="本人自愿加入工会。"),
    ]


def rows(client, **query):
    response = client.get(reverse("membership_list"), query)
    assert response.status_code == 200
    page = response.content.decode()
    return page.count('data-testid="membership-row"'), page


def test_search_by_name_number_and_employer_and_filter_by_state(client, tree, applications):
    client.force_login(tree.committee_a)
    assert rows(client)[0] == 2
    assert rows(client, q="张三")[0] == 1
    assert rows(client, q=str(applications[1].pk))[0] == 1
    assert rows(client, q=tree.employer_a.name[:3])[0] == 2
    assert rows(client, status="approved")[0] == 0
    count, page = rows(client, q="无此人")
    assert count == 0 and "没有符合筛选条件的入会申请" in page


def test_the_worker_sees_only_their_own_and_finds_no_one_else_by_name(client, tree, applications):
    client.force_login(tree.applicant_a)
    assert rows(client)[0] == 1
    assert rows(client, q="李四")[0] == 0


@pytest.mark.parametrize(
    "query",
    [{"status": "nonsense"}, {"filed_from": "2026-13-40"}, {"unit": "1e400"}, {"q": "x" * 61}, {"sort": "password"}],
)
def test_a_wrong_value_is_refused_by_the_form_not_a_500(client, tree, applications, query):
    client.force_login(tree.committee_a)
    count, page = rows(client, **query)
    assert count == 2 and "errorlist" in page  # nothing filtered, the form says what is wrong


def test_the_export_holds_the_filtered_rows_masked_as_shown_and_is_audited(client, tree, applications):
    client.force_login(tree.committee_a)
    response = client.get(reverse("membership_list"), {"q": "张三", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[0] == ("编号", "申请人", "用人单位", "所属工会", "申请日期", "状态")
    assert [row[:2] for row in values[1:]] == [(applications[0].pk, "张三")]
    event = AuditEvent.objects.for_record(Member.objects.get(user=tree.committee_a)).get(action="export")
    assert "导出“入会申请”1条" in event.reason


def test_a_filter_is_saved_to_the_sidebar(client, tree, applications):
    client.force_login(tree.committee_a)
    response = client.post(
        reverse("saved_filter_save"),
        {"list": "membership_list", "name": "待审核", "query": "status=submitted", "back": "/membership/"},
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=tree.committee_a)
    assert saved.list_name == "membership_list"
    assert "待审核" in client.get(reverse("dashboard")).content.decode()
