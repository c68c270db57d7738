"""The case list: search, filters, sorting and 导出 Excel, each as the viewer may see the records."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases import services
from tests.cases.conftest import register_kwargs
from tests.factories import fresh, grant, make_user
from workflows.models import AuditEvent, Member
from workflows.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(tree, mediator):
    m = fresh(mediator)
    return [
        services.case_register(actor=m, **register_kwargs(tree, applicant_name="钱某", amount_claimed=Decimal("8600"))),
        services.case_register(
            actor=m,
            **register_kwargs(
                tree,
                applicant_name="李某",
                applicant_phone="13900000000",
                category="contract",
                amount_claimed=Decimal("52000"),
            ),
        ),
    ]


@pytest.fixture
def upper(tree):
    """The upper union reads the figures of its unions' disputes, not the people in them."""
    return grant(
        make_user("upper", name="上级工会", unit=tree.top, employer=tree.employer_a), Role.UPPER_UNION, tree.top
    )


def rows(client, **query):
    response = client.get(reverse("cases:list"), query)
    assert response.status_code == 200
    return response.content.decode().count('data-testid="case-row"'), response.content.decode()


def test_search_by_name_number_and_employer(client, tree, mediator, cases):
    client.force_login(mediator)
    assert rows(client, q="钱某")[0] == 1
    assert rows(client, q=str(cases[1].pk))[0] == 1
    assert rows(client, q=cases[1].number)[0] == 1  # 调字〔2026〕第N号 as written on the documents
    assert rows(client, q=tree.employer_a.name[:3])[0] == 2
    count, page = rows(client, q="无此人")
    assert count == 0 and "没有符合筛选条件的案件" in page


def test_a_name_is_not_found_by_whom_it_is_masked_for(client, tree, cases, upper):
    client.force_login(upper)  # names masked
    count, page = rows(client)
    assert count == 2 and "钱某" not in page and "钱*" in page
    assert rows(client, q="钱某")[0] == 0 and rows(client, q="钱")[0] == 0


def test_filters_and_sorting(client, mediator, cases):
    client.force_login(mediator)
    assert rows(client, category="contract")[0] == 1
    assert rows(client, amount_min="10000")[0] == 1
    assert rows(client, amount_min="1000", amount_max="9000")[0] == 1
    _count, page = rows(client, sort="-amount_claimed")
    assert page.index("李某") < page.index("钱某")
    _count, page = rows(client, amount_min="9000", amount_max="1000")
    assert "上限不能小于下限" in page
    assert rows(client, category="nope")[1].count("errorlist") >= 1  # refused with the form's message, no 500
    assert rows(client, filed_from="2026-13-40")[0] == 2  # an invalid filter filters nothing and says so


def test_export_is_the_filtered_list_masked_for_the_viewer_and_audited(client, tree, mediator, cases, upper):
    client.force_login(upper)
    response = client.get(reverse("cases:list"), {"category": "contract", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[0][:3] == ("编号", "申请人", "被申请单位") and len(values) == 2
    assert values[1][1] == "李*" and values[1][5] == 52000  # masked name, the exact amount
    event = AuditEvent.objects.for_record(Member.objects.get(user=upper)).get(action="export")
    assert "导出“劳动争议调解案件”1条" in event.reason and "争议类别" in event.reason
    client.force_login(mediator)
    response = client.get(reverse("cases:list"), {"export": "xlsx"})
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert {row[1] for row in values[1:]} == {"钱某", "李某"}


def test_a_worker_exports_only_their_own(client, tree, worker, cases):
    from tests.cases.conftest import file_kwargs

    services.case_file(actor=fresh(worker), **file_kwargs())
    client.force_login(worker)
    response = client.get(reverse("cases:list"), {"export": "xlsx"})
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(values) == 2 and values[1][1] == "孙工人"
