"""Every sentence of the 工作总结 is true of the records (issue 15 §1): the words follow the period,
a chapter or clause with nothing to say is left out, a sentence about how the work was done is
written only when every record it covers bears it out, and the text check finds what must never
be written."""

import datetime
import io

import pytest
import time_machine
from docx import Document

from summaries import figures, narrative, services, textcheck
from tests.cases.conftest import mediator  # noqa: F401  (fixtures of the hand-computed grievance half-year)
from tests.cases.test_summary import half_year  # noqa: F401
from tests.factories import fresh
from workflows.models import Period

pytestmark = pytest.mark.django_db


def close(period, actor):
    report = services.report_request(period=period, actor=fresh(actor), run=lambda pk: None)
    report = services.report_run(report.pk)
    with report.document.open("rb") as f:
        return report, [p.text for p in Document(io.BytesIO(f.read())).paragraphs]


@pytest.mark.parametrize(
    ("kind", "since", "plans"),
    [("H1", "半年来", "下半年工作打算"), ("H2", "半年来", "2027年工作计划"), ("FY", "一年来", "2027年工作计划")],
)
def test_the_words_follow_the_period(tree, kind, since, plans):
    period = Period.objects.create(org_unit=tree.a, year=2026, kind=kind)
    assert narrative.period_words(period) == {"since": since, "plans_title": plans}


@pytest.mark.parametrize("kind", ["H2", "FY"])
def test_a_second_half_and_a_year_close_with_their_own_words(tree, half_year, kind):  # noqa: F811
    period = Period.objects.create(org_unit=tree.a, year=2026, kind=kind)
    with time_machine.travel(datetime.datetime(2027, 1, 5, 9, tzinfo=datetime.UTC)):
        _report, text = close(period, tree.chair_a)
    heading = next(t for t in text if t.endswith("2027年工作计划"))
    assert heading[1] == "、" and "下半年工作打算" not in text
    gap = next(t for t in text if "我们虽然做了一些工作" in t)
    assert gap.startswith("一年来" if kind == "FY" else "半年来")


def test_an_empty_period_writes_no_chapter_and_no_zero(tree):
    period = Period.objects.create(org_unit=tree.a, year=2025, kind="H1")
    _report, text = close(period, tree.chair_a)
    body = "\n".join(text)
    assert not any(word in body for word in ("劳动争议", "帮扶", "提案", "0件", "0元"))
    assert "一、存在的不足" in text and "二、下半年工作打算" in text
    gap = next(t for t in text if "我们虽然做了一些工作" in t)
    assert gap.endswith("还存在一定差距。")  # no dangling "主要表现在：" when there is nothing to list


def test_the_opening_names_only_the_work_the_period_has_records_of(tree, half_year):  # noqa: F811
    period = Period.objects.create(org_unit=tree.a, year=2026, kind="H1")
    _report, text = close(period, tree.chair_a)
    assert "扎实做好劳动争议调解等各项工作" in text[1]
    assert "帮扶" not in text[1] and "提案" not in text[1]


def test_the_comparison_with_last_year_is_made_only_where_last_year_has_records(tree, half_year):  # noqa: F811
    period = Period.objects.create(org_unit=tree.a, year=2026, kind="H1")
    snapshot = figures.collect(tree.a, period)
    assert "last_year" not in snapshot["comparisons"]
    text = "".join(narrative.paragraph("cases", narrative.context(snapshot, period)))
    assert "同比" not in text and "环比" not in text


# -- the text check itself -------------------------------------------------------------------
@pytest.fixture
def empty(tree):
    period = Period.objects.create(org_unit=tree.a, year=2025, kind="H1")
    return period, figures.collect(tree.a, period)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("为困难职工发放补助 元。", "金额为空"),
        ("新建工会小组xx个。", "占位符"),
        ("由×××同志负责。", "占位符"),
        ("劳动报酬/欠薪2起。", "斜杠标签"),
        ("新建工会小组3。", "没有量词"),
        ("其中集体争议0起。", "0"),
        ("一年来，我们做了一些工作。", "与期间不符"),
        ("今后做好帮扶工作。", "没有帮扶相关记录"),
        ("共受理登记劳动争议6件。从争议类型看，劳动报酬2起、工伤1起。", "争议类型之和"),
        ("共受理登记劳动争议6件。从办理结果看，调解成功2件，调解不成1件（其中调解期限届满1件）。", "办理结果之和"),
        ("共收到职工代表提案5件，经提案工作委员会审查，立案3件。", "审查结果之和"),
    ],
)
def test_the_text_check_finds_each_defect(empty, text, finding):
    period, snapshot = empty
    found = textcheck.problems(text, period, snapshot)
    assert any(finding in f for f in found), found


def test_the_text_check_accepts_a_true_text_and_leaves_the_chairs_words_to_the_chair(empty):
    period, snapshot = empty
    good = "新建工会小组3个，发展会员120名，培训4期260人次，帮扶资金预算4.9万元，满意率97.3%。见图1。"
    assert [f for f in textcheck.problems(good, period, snapshot) if "帮扶" not in f] == []
    chair = "今后做好帮扶工作。"
    assert textcheck.problems(["半年来，" + chair], period, snapshot, chair_text=[chair]) == []


def test_every_generated_paragraph_of_a_real_half_year_passes(tree, half_year):  # noqa: F811
    period = Period.objects.create(org_unit=tree.a, year=2026, kind="H1")
    report, text = close(period, tree.chair_a)
    assert textcheck.problems(text, period, report.snapshot) == []
    assert textcheck.document_problems(report.document.open("rb").read(), report) == []


def test_a_proposal_rated_twice_is_told_in_order(tree):
    """The first rating, the re-handling, the final rating — never 不满意0件 beside 对不满意的1件."""
    period = Period.objects.create(org_unit=tree.a, year=2026, kind="H1")
    snapshot = figures.collect(tree.a, period)
    p = snapshot["sections"]["proposals"]["figures"]
    story = {
        "received": 3,
        "accepted": 3,
        "answered": 3,
        "answered_on_time": 3,
        "answer_resolved": 3,
        "first_satisfied": 1,
        "first_fairly": 1,
        "first_unsatisfied": 1,
        "rehandled": 1,
        "rerated_fairly": 1,
        "satisfaction_satisfied": 1,
        "satisfaction_fairly": 2,
        "rated": 3,
        "satisfaction_rate": "100.0",
    }
    for key, value in story.items():
        p.setdefault(key, {"value": 0})["value"] = value
    text = "".join(narrative.paragraph("proposals", narrative.context(snapshot, period)))
    first = text.index("提案人对首次答复表示满意1件、基本满意1件、不满意1件。")
    again = text.index("对不满意的1件提案，督促承办部门再次办理；再次答复后，提案人表示基本满意1件。")
    final = text.index("按最终评价计，满意率100%。")
    assert first < again < final and "不满意0件" not in text
    assert textcheck.problems(text, period, snapshot) == []


def test_numbers_in_money_are_never_left_without_their_unit():
    assert textcheck.NUMBER.findall("发放帮扶资金4.9万元") == ["4.9"]
    for after in ("万元", "余万元", "万余元", "人次", "名职工"):
        assert textcheck.AFTER.match(after), after
    assert not textcheck.AFTER.match("，")
    assert not textcheck.ZERO.search("满意率0%") and textcheck.ZERO.search("不满意0件")


def test_clauses_are_joined_without_the_empty_ones_and_numbered_only_when_several():
    from django.template import Context, Template

    template = Template(
        '{% load report %}{% joined sep="；" end="。" numbered=True %}\n'
        "{% if a %}甲{% endif %}\n{% if b %}乙{% endif %}\n丙\n{% endjoined %}"
    )
    assert template.render(Context({"a": 1, "b": 0})) == "一是甲；二是丙。"
    assert template.render(Context({"a": 0, "b": 0})) == "丙。"
    empty = Template('{% load report %}{% joined start="其中" end="。" %}\n{% if a %}甲{% endif %}\n{% endjoined %}')
    assert empty.render(Context({"a": 0})) == ""  # no "其中。" about nothing
