"""The hardship register (困难职工档案): search, filters, pages and 导出 Excel like every record list."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.aid.conftest import hardship_file
from workflows.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tree, aid_people):
    return [
        hardship_file(tree, aid_people["needy"]),
        hardship_file(tree, aid_people["needy2"], id_number="330102198001015678", category="relative"),
    ]


def rows(client, **query):
    response = client.get(reverse("aid:files"), query)
    assert response.status_code == 200
    page = response.content.decode()
    return page.count('data-testid="file-row"'), page


def test_search_and_filters(client, tree, files):
    client.force_login(tree.committee_a)
    assert rows(client)[0] == 2
    assert rows(client, q="张小明")[0] == 1
    assert rows(client, q=str(files[1].pk))[0] == 1
    assert rows(client, category="relative")[0] == 1
    assert rows(client, status="lifted")[0] == 0
    count, page = rows(client, q="无此人")
    assert count == 0 and "没有符合筛选条件的档案" in page


@pytest.mark.parametrize("query", [{"category": "rich"}, {"filed_from": "2026-02-30"}, {"sort": "id_number"}])
def test_a_wrong_value_is_refused_by_the_form_not_a_500(client, tree, files, query):
    client.force_login(tree.committee_a)
    count, page = rows(client, **query)
    assert count == 2 and "errorlist" in page


def test_the_export_is_filtered_masked_as_shown_and_audited(client, tree, files):
    client.force_login(tree.committee_a)
    response = client.get(reverse("aid:files"), {"category": "deep", "export": "xlsx"})
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert values[0][:3] == ("编号", "职工", "单位") and len(values) == 2
    shown = rows(client, category="deep")[1]
    assert values[1][0] == files[0].pk and values[1][1] in shown  # the name as the list shows it
    event = AuditEvent.objects.for_record(Member.objects.get(user=tree.committee_a)).get(action="export")
    assert "导出“困难职工档案”1条" in event.reason


def test_the_register_is_not_found_for_someone_without_it(client, tree, files):
    client.force_login(tree.applicant_a)
    assert client.get(reverse("aid:files")).status_code == 404
    assert client.get(reverse("aid:files"), {"export": "xlsx"}).status_code == 404
