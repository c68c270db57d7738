"""The case's .docx documents read back with python-docx: the right text, Chinese fonts set."""

import datetime
import io
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn

from cases import documents, services
from cases.models import GrievanceCase
from tests.cases.conftest import register_kwargs
from tests.factories import fresh
from workflows.transitions import run_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed_case(tree, mediator):
    m = fresh(mediator)
    case = services.case_register(actor=m, **register_kwargs(tree, workers_involved=3))
    run_transition(
        case,
        "accept",
        actor=m,
        on_date=datetime.date(2026, 11, 2),
        mediator=m,
        mediation_due=datetime.date(2026, 11, 17),
    )
    run_transition(
        case,
        "agree",
        actor=m,
        on_date=datetime.date(2026, 11, 10),
        amount=Decimal("11500"),
        terms="被申请人补发2026年9月至10月工资。\n申请人不再就本争议另行主张。",
        performance_due=datetime.date(2026, 11, 30),
    )
    return case


def text_of(data):
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_the_agreement_names_the_parties_claims_terms_amounts_and_signatures(agreed_case):
    text = text_of(documents.agreement(agreed_case, viewer=agreed_case.mediator))
    for expected in (
        "劳动争议调解协议书",
        f"调字〔{agreed_case.filed_on.year}〕第{agreed_case.pk}号",
        "申请人：钱某，联系电话13800000000",
        "本案涉及职工3人",
        "被申请人：甲公司",
        "申请人请求：请求支付拖欠工资。",
        "甲公司工会劳动争议调解委员会于2026年11月2日受理",
        "1．被申请人补发2026年9月至10月工资。",
        "2．申请人不再就本争议另行主张。",
        "被申请人于2026年11月30日前向申请人支付人民币11500元（大写：壹万壹仟伍佰元整）。",
        "支付令",
        "申请人（签名）",
        "被申请人（盖章）",
        "调解员（签名）：张调解",
        "2026年11月10日",
    ):
        assert expected in text, expected


def test_every_run_carries_an_east_asian_font(agreed_case):
    document = Document(io.BytesIO(documents.agreement(agreed_case, viewer=agreed_case.mediator)))
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312" and normal.get(qn("w:asciiTheme")) is None
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            assert run.element.rPr.rFonts.get(qn("w:eastAsia")), run.text
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37


def test_no_agreement_for_a_case_without_one(tree, mediator):
    case = services.case_register(actor=fresh(mediator), **register_kwargs(tree))
    with pytest.raises(ValueError):
        documents.agreement(case, viewer=mediator)


def test_rejection_and_failure_notices(tree, mediator):
    m = fresh(mediator)
    rejected = services.case_register(actor=m, **register_kwargs(tree))
    run_transition(rejected, "reject", actor=m, rejection_reason="no_consent", note="单位明确拒绝调解")
    assert "因对方不同意调解：单位明确拒绝调解，本委员会决定不予受理" in text_of(
        documents.rejection_notice(rejected, viewer=m)
    )
    failed = services.case_register(actor=m, **register_kwargs(tree, applicant_name="孙某"))
    run_transition(
        failed,
        "accept",
        actor=m,
        on_date=datetime.date(2026, 11, 2),
        mediator=m,
        mediation_due=datetime.date(2026, 11, 17),
    )
    run_transition(failed, "fail", actor=m, on_date=datetime.date(2026, 11, 17), failure_reason="双方分歧较大")
    text = text_of(documents.failure_notice(failed, viewer=m))
    assert "经调解未能达成协议（双方分歧较大）" in text and "一年内" in text


def test_the_agreement_downloads_from_the_case_page_for_those_in_scope(client, tree, agreed_case, mediator):
    client.force_login(mediator)
    response = client.get(f"/cases/{agreed_case.pk}/documents/agreement.docx")
    assert response.status_code == 200 and "调解协议书" in text_of(response.content)
    assert client.get(f"/cases/{agreed_case.pk}/documents/failure.docx").status_code == 404
    client.force_login(tree.committee_b)
    assert client.get(f"/cases/{agreed_case.pk}/documents/agreement.docx").status_code == 404
    assert GrievanceCase.objects.count() == 1
