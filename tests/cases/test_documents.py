"""The case's .docx documents read back with python-docx: the official forms' wording, numbering,
punctuation and form of address, and on each document the case number, the committee, the dates
and (on the agreement) the amount in figures and in 大写."""

import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from cases import documents, services
from cases.documents import numbered_terms
from cases.models import GrievanceCase
from tests.cases.conftest import register_kwargs
from tests.factories import fresh
from workflows.transitions import run_transition

pytestmark = pytest.mark.django_db

COMMITTEE = "甲公司工会劳动争议调解委员会"
ACCEPTED = datetime.date(2026, 11, 2)
CONCLUDED = datetime.date(2026, 11, 10)


def accepted(tree, mediator, **overrides):
    m = fresh(mediator)
    case = services.case_register(actor=m, **register_kwargs(tree, **overrides))
    run_transition(case, "accept", actor=m, on_date=ACCEPTED, mediator=m, mediation_due=datetime.date(2026, 11, 17))
    return case


def agreed(tree, mediator, *, amount=Decimal("11500"), terms="被申请人补发2026年9月至10月工资。", **overrides):
    case = accepted(tree, mediator, **overrides)
    run_transition(
        case,
        "agree",
        actor=case.mediator,
        on_date=CONCLUDED,
        amount=amount,
        terms=terms,
        performance_due=datetime.date(2026, 11, 30),
    )
    return case


def rejected(tree, mediator, reason, note="", **overrides):
    m = fresh(mediator)
    case = services.case_register(actor=m, **register_kwargs(tree, **overrides))
    run_transition(case, "reject", actor=m, rejection_reason=reason, note=note)
    return case


def failed(tree, mediator, reason="双方分歧较大", *, expired=False):
    case = accepted(tree, mediator, applicant_name="孙某")
    run_transition(
        case, "fail", actor=case.mediator, on_date=datetime.date(2026, 11, 17), failure_reason=reason, expired=expired
    )
    return case


@pytest.fixture
def agreed_case(tree, mediator):
    return agreed(
        tree,
        mediator,
        workers_involved=3,
        terms="被申请人补发2026年9月至10月工资。\n申请人不再就本争议另行主张。",
    )


def text_of(data):
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def paragraphs(data):
    return [p for p in Document(io.BytesIO(data)).paragraphs if p.text]


# -- 调解协议书 -------------------------------------------------------------------------------------
def test_the_agreement_names_the_parties_claims_terms_amounts_and_signatures(agreed_case):
    text = text_of(documents.agreement(agreed_case, viewer=agreed_case.mediator))
    for expected in (
        "劳动争议调解协议书",
        f"调字〔{agreed_case.filed_on.year}〕第{agreed_case.pk}号",
        "申请人：钱某，联系电话13800000000",
        "本案涉及职工3人",
        "被申请人：甲公司",
        "争议类别：劳动报酬\n",
        "申请人请求：请求支付拖欠工资。",
        f"{COMMITTEE}于2026年11月2日受理",
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


@pytest.mark.parametrize(
    "terms, written",
    [
        ("一、被申请人支付工资。\n二、双方无其他争议。", ["一、被申请人支付工资。", "二、双方无其他争议。"]),
        ("1.被申请人支付工资。\n2. 双方无其他争议。", ["1．被申请人支付工资。", "2．双方无其他争议。"]),
        ("1、被申请人支付工资。\n2、双方无其他争议。", ["1．被申请人支付工资。", "2．双方无其他争议。"]),
        ("（一）被申请人支付工资。\n（二）双方无其他争议。", ["（一）被申请人支付工资。", "（二）双方无其他争议。"]),
        ("(1)被申请人支付工资。\n(2)双方无其他争议。", ["（1）被申请人支付工资。", "（2）双方无其他争议。"]),
        ("①被申请人支付工资。\n②双方无其他争议。", ["①被申请人支付工资。", "②双方无其他争议。"]),
        (
            "第一条 被申请人支付工资。\n第二条 双方无其他争议。",
            ["第一条　被申请人支付工资。", "第二条　双方无其他争议。"],
        ),
        # numbered in one scheme but out of sequence or in mixed marks: renumbered in sequence
        ("1.甲。\n1、乙。\n3．丙。", ["1．甲。", "2．乙。", "3．丙。"]),
        # an unnumbered line under a numbered one is the text of that item, not an item of its own
        (
            "一、分两期支付：\n11月30日前支付一半；\n二、双方无其他争议。",
            ["一、分两期支付：", "11月30日前支付一半；", "二、双方无其他争议。"],
        ),
        # an outline on two levels is the mediator's and is kept as written
        (
            "一、支付工资：\n（一）9月工资；\n（二）10月工资。\n二、双方无其他争议。",
            ["一、支付工资：", "（一）9月工资；", "（二）10月工资。", "二、双方无其他争议。"],
        ),
        # unnumbered terms are numbered; a single term is not; "1.5倍" is an amount, not a number
        ("支付工资。\n双方无其他争议。", ["1．支付工资。", "2．双方无其他争议。"]),
        ("被申请人一次性支付工资。", ["被申请人一次性支付工资。"]),
        ("1.5倍加班费按月支付。\n十一月前付清。", ["1．1.5倍加班费按月支付。", "2．十一月前付清。"]),
        ("  \n一、支付工资。\n\n二、无其他争议。\n", ["一、支付工资。", "二、无其他争议。"]),
    ],
)
def test_terms_the_mediator_numbered_are_numbered_once(terms, written):
    assert numbered_terms(terms) == written


def test_the_agreement_does_not_number_numbered_terms_again(tree, mediator):
    case = agreed(tree, mediator, terms="一、被申请人补发工资。\n二、申请人不再另行主张。")
    text = text_of(documents.agreement(case, viewer=case.mediator))
    assert "一、被申请人补发工资。" in text and "二、申请人不再另行主张。" in text
    assert not re.search(r"\d．[一二]、", text)


@pytest.mark.parametrize(
    "amount, figures, upper",
    [
        ("12000", "12000元", "壹万贰仟元整"),
        ("10005.50", "10005.50元", "壹万零伍元伍角"),
        ("100000", "100000元", "壹拾万元整"),
        ("0.05", "0.05元", "伍分"),
        ("1000100", "1000100元", "壹佰万零壹佰元整"),
        ("60036.07", "60036.07元", "陆万零叁拾陆元零柒分"),
        ("105000", "105000元", "壹拾万伍仟元整"),
        ("1010.10", "1010.10元", "壹仟零壹拾元壹角"),
    ],
)
def test_the_agreed_amount_is_written_in_figures_and_in_capitals(tree, mediator, amount, figures, upper):
    case = agreed(tree, mediator, amount=Decimal(amount))
    text = text_of(documents.agreement(case, viewer=case.mediator))
    assert f"支付人民币{figures}（大写：{upper}）。" in text


def test_an_agreement_without_an_amount_states_none(tree, mediator):
    case = agreed(tree, mediator, amount=Decimal("0"), terms="被申请人为申请人补缴社会保险。")
    text = text_of(documents.agreement(case, viewer=case.mediator))
    assert "人民币" not in text and "大写" not in text and "被申请人为申请人补缴社会保险。" in text


# -- 不予受理通知书 ---------------------------------------------------------------------------------
def test_a_reason_ending_in_a_full_stop_does_not_break_the_sentence(tree, mediator):
    case = rejected(tree, mediator, "no_consent", note="单位明确拒绝调解。")
    text = text_of(documents.rejection_notice(case, viewer=mediator))
    assert "经审查，因甲公司不同意调解（单位明确拒绝调解），本委员会决定不予受理。" in text
    assert "就与甲公司之间的劳动报酬争议提出的调解申请" in text


def test_an_other_reason_is_the_note_itself(tree, mediator):
    case = rejected(tree, mediator, "other", note="因申请人已离开本单位十年！")
    assert "经审查，因申请人已离开本单位十年，本委员会决定不予受理。" in text_of(
        documents.rejection_notice(case, viewer=mediator)
    )


def test_a_note_of_several_sentences_stands_as_its_own_sentence(tree, mediator):
    case = rejected(tree, mediator, "no_consent", note="单位明确拒绝调解。经两次沟通，仍不同意\n")
    text = text_of(documents.rejection_notice(case, viewer=mediator))
    assert "因甲公司不同意调解，本委员会决定不予受理。具体情况：单位明确拒绝调解。经两次沟通，仍不同意。" in text


def test_a_note_ending_in_a_quotation_keeps_its_own_full_stop(tree, mediator):
    case = rejected(tree, mediator, "no_consent", note="单位负责人表示：“不同意调解。”")
    assert "具体情况：单位负责人表示：“不同意调解。”\n" in text_of(documents.rejection_notice(case, viewer=mediator))


def test_a_labour_dispute_is_advised_to_arbitrate(tree, mediator):
    case = rejected(tree, mediator, "no_consent")
    text = text_of(documents.rejection_notice(case, viewer=mediator))
    assert "因甲公司不同意调解，本委员会决定不予受理。" in text
    assert documents.ARBITRATION_ADVICE in text


def test_a_complaint_that_is_no_labour_dispute_is_not_sent_to_arbitration(tree, mediator):
    case = rejected(tree, mediator, "not_labour", note="反映食堂伙食质量问题", category="other")
    text = text_of(documents.rejection_notice(case, viewer=mediator))
    assert "就与甲公司之间的有关问题提出的调解申请，经审查，该事项不属于劳动争议（反映食堂伙食质量问题），" in text
    assert documents.NOT_LABOUR_ADVICE in text and "信访渠道" in text
    assert "仲裁" not in text and "劳动争议争议" not in text


def test_a_dispute_already_in_arbitration_is_not_sent_there_again(tree, mediator):
    case = rejected(tree, mediator, "in_arbitration", category="injury")
    text = text_of(documents.rejection_notice(case, viewer=mediator))
    assert "就与甲公司之间的工伤争议提出的调解申请，经审查，因该争议已进入仲裁或者诉讼程序，" in text
    assert documents.IN_PROCEEDINGS_ADVICE in text and "申请仲裁" not in text


def test_the_rejection_notice_is_dated_the_day_of_the_decision_not_of_the_download(tree, mediator):
    with time_machine.travel(datetime.datetime(2026, 10, 20, 10, tzinfo=datetime.UTC), tick=False):
        case = rejected(tree, mediator, "no_consent", filed_on=datetime.date(2026, 10, 16))
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC), tick=False):
        body = paragraphs(documents.rejection_notice(case, viewer=mediator))
    assert body[2].text == "钱某：" and body[3].text.startswith("你于2026年10月16日就")
    assert [p.text for p in body[-2:]] == [COMMITTEE, "2026年10月20日"]


# -- 调解终止通知书 ---------------------------------------------------------------------------------
def test_the_failure_notice_states_the_reason_inside_its_sentence(tree, mediator):
    case = failed(tree, mediator, reason="双方分歧较大。")
    text = text_of(documents.failure_notice(case, viewer=mediator))
    assert (
        "你与甲公司之间的劳动报酬争议，本委员会于2026年11月2日受理，经调解未能达成协议（双方分歧较大），调解终止。"
    ) in text
    assert documents.ARBITRATION_ADVICE in text and "调解不成。" not in text


def test_a_mediation_that_ran_out_of_time_says_so(tree, mediator):
    case = failed(tree, mediator, reason="调解期限届满未达成调解协议。", expired=True)
    text = text_of(documents.failure_notice(case, viewer=mediator))
    assert (
        "本委员会于2026年11月2日受理，至调解期限届满之日（2026年11月17日）仍未达成调解协议，视为调解不成，调解终止。"
        in text
    )


# -- every document -------------------------------------------------------------------------------
@pytest.fixture
def every_document(tree, mediator):
    """(kind, case, its .docx) for each document type."""
    a = agreed(tree, mediator, amount=Decimal("10005.50"))
    r = rejected(tree, mediator, "no_consent", note="单位明确拒绝调解。")
    f = failed(tree, mediator, reason="双方分歧较大。")
    return [
        ("agreement", a, documents.agreement(a, viewer=mediator)),
        ("rejection", r, documents.rejection_notice(r, viewer=mediator)),
        ("failure", f, documents.failure_notice(f, viewer=mediator)),
    ]


def test_each_document_carries_its_case_number_committee_and_date(every_document):
    # the agreement: the day it was reached; the rejection: the day of the decision (today); the
    # failure: the day mediation ended
    today = timezone.localdate()
    dated = {"agreement": "2026年11月10日", "rejection": f"{today.year}年{today.month}月{today.day}日"}
    dated["failure"] = "2026年11月17日"
    for kind, case, data in every_document:
        body = paragraphs(data)
        assert body[0].text == documents.DOCUMENTS[kind][0].replace("调解协议书", "劳动争议调解协议书")
        assert body[1].text == f"调字〔{case.filed_on.year}〕第{case.pk}号", kind
        assert body[1].alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert COMMITTEE in body[-2].text, kind
        date = body[-1]
        assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert date.text == dated[kind], kind
        assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", date.text)


def test_every_notice_addresses_the_applicant_as_ni_throughout(every_document):
    for kind, case, data in every_document:
        text = text_of(data)
        assert "您" not in text, kind
        if kind != "agreement":
            assert text.count("你") >= 2 and f"{case.applicant_name}：" in text, kind


def test_no_document_runs_a_full_stop_into_a_sentence(every_document):
    for kind, _case, data in every_document:
        text = text_of(data)
        assert not re.search(r"[。！？；][，、：）]|[，、：][。，]|（[^）]*[。；]）", text), (kind, text)


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


def test_the_agreement_downloads_from_the_case_page_for_those_in_scope(client, tree, agreed_case, mediator):
    client.force_login(mediator)
    response = client.get(f"/cases/{agreed_case.pk}/documents/agreement.docx")
    assert response.status_code == 200 and "调解协议书" in text_of(response.content)
    assert client.get(f"/cases/{agreed_case.pk}/documents/failure.docx").status_code == 404
    client.force_login(tree.committee_b)
    assert client.get(f"/cases/{agreed_case.pk}/documents/agreement.docx").status_code == 404
    assert GrievanceCase.objects.count() == 1
