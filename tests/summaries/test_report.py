"""The period close and the generated 工作总结: true to the records, in the house style."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from summaries import document, services
from summaries.models import Report
from tests.cases.conftest import mediator  # noqa: F401  (fixtures of the hand-computed grievance half-year)
from tests.cases.test_summary import half_year  # noqa: F401
from tests.factories import fresh
from workflows.errors import NotPermitted, WorkflowError
from workflows.models import Period
from workflows.money import grouped_yuan, report_amount, report_rate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("9999", "9999元"),
        ("10000", "1万元"),
        ("15000", "1.5万元"),
        ("11500", "1.15万元"),
        ("3400000", "340万元"),
        ("3401234", "340余万元"),
        ("43210", "4万余元"),
        ("0", "0元"),
        ("860.50", "860.50元"),
    ],
)
def test_amounts_are_written_as_union_reports_write_them(amount, text):
    assert report_amount(Decimal(amount)) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [("138600", "138,600元"), ("138600.00", "138,600元"), ("1234.5", "1,234.50元"), ("0.00", "0元")],
)
def test_exact_amounts_read_the_same_whatever_scale_the_database_returns(amount, text):
    assert grouped_yuan(Decimal(amount)) == text


@pytest.mark.parametrize(
    ("rate", "text"), [("100", "100%"), ("100.0", "100%"), ("98", "98%"), ("84.06", "84.1%"), ("0", "0%")]
)
def test_rates(rate, text):
    assert report_rate(Decimal(rate)) == text


@pytest.fixture
def h1(tree):
    return Period.objects.create(org_unit=tree.a, year=2026, kind=Period.Kind.FIRST_HALF)


def close(period, actor):
    report = services.report_request(period=period, actor=fresh(actor), run=lambda pk: None)
    return services.report_run(report.pk)


def paragraphs(report):
    with report.document.open("rb") as f:
        return [p.text for p in Document(io.BytesIO(f.read())).paragraphs]


def test_the_report_says_exactly_what_the_records_say(tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    text = paragraphs(report)
    assert text[0] == "甲公司工会2026年上半年工作总结"
    assert text[1].startswith("2026年上半年，甲公司工会在上级党委和上级工会的正确领导下") and text[1].endswith(
        "现将2026年上半年工作总结如下："
    )
    assert "一、坚持以人为本，切实维护职工合法权益" in text and "（一）劳动争议调解" not in text  # no lone （一）
    assert (
        "2026年上半年，共受理登记劳动争议6件，涉及2家单位12名职工，涉及标的13.86万元。其中集体争议1起，涉及职工6人，涉及标的12万元。"
        "从争议类型看，劳动报酬2起、社会保险1起、劳动合同1起、工伤1起、加班与休假1起。"
    ) in text
    assert (
        "从办理结果看，调解成功2件，调解不成1件（其中调解期限届满1件），申请人撤回1件，不予受理1件，尚在办理1件（结转下期继续办理）。"
        "调解成功率66.7%，达成调解协议金额1.25万元，平均15.7天调解终结，法定期限内办结率100%。"
    ) in text
    # no aid and no proposals in the half-year: those chapters are left out, not written as "0"
    assert not any("帮扶" in t or "提案" in t for t in text)
    assert "二、存在的不足" in text and "三、下半年工作打算" in text
    assert any(t.startswith("半年来，我们虽然做了一些工作") for t in text)
    assert text[-1] != "" and any(t == "甲公司工会" for t in text)
    assert not any(marker in t for t in text for marker in ("xx", "×××", " 元", "None"))  # no blanks, no placeholders
    h1.refresh_from_db()
    assert h1.status == Period.Status.CLOSED and report.status == Report.Status.DONE


def test_the_workbook_lists_exactly_the_records_behind_each_figure(tree, half_year, h1):  # noqa: F811
    c1, c2, c3, c4, c5, c6 = half_year
    report = close(h1, tree.chair_a)
    with report.workbook.open("rb") as f:
        book = load_workbook(io.BytesIO(f.read()))
    sheet = [list(r) for r in book["维权服务·劳动争议案件"].iter_rows(values_only=True)]
    header, rows = sheet[0], sheet[1:]
    assert len({r[0] for r in rows}) == len(rows)  # each record once per sheet

    def ids(label, code):
        column = next(i for i, text in enumerate(header) if f"{label}（{code}）" in (text or "").split("、"))
        return sorted(r[0] for r in rows if r[column] == "✓")

    assert ids("受理登记劳动争议", "received") == sorted(c.pk for c in half_year)
    assert ids("调解成功", "successful") == sorted([c1.pk, c4.pk])
    assert ids("集体争议", "collective") == [c2.pk]
    assert ids("调解成功率", "success_rate") == sorted([c1.pk, c2.pk, c4.pk])  # the denominator's records
    figures = {r[1]: r for r in book["指标"].iter_rows(min_row=2, values_only=True)}
    assert figures["cases.success_rate"][3] == "66.7" and figures["cases.success_rate"][6] == 3


def test_closing_twice_gives_one_report_and_one_run(tree, half_year, h1, django_capture_on_commit_callbacks):  # noqa: F811
    runs = []
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_request(period=h1, actor=fresh(tree.chair_a), run=runs.append)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.report_request(period=h1, actor=fresh(tree.chair_a), run=runs.append)
    assert first.pk == second.pk and Report.objects.count() == 1 and len(runs) == 1


def test_only_the_chair_closes_and_only_an_ended_period(tree, h1):
    with pytest.raises(NotPermitted):
        services.report_request(period=h1, actor=fresh(tree.committee_a), run=lambda pk: None)
    future = Period.objects.create(org_unit=tree.a, year=datetime.date.today().year + 1, kind="H1")
    with pytest.raises(WorkflowError, match="尚未结束"):
        services.report_request(period=future, actor=fresh(tree.chair_a), run=lambda pk: None)


def test_a_crash_mid_run_resumes_from_the_last_finished_stage(tree, half_year, h1, monkeypatch):  # noqa: F811
    report = services.report_request(period=h1, actor=fresh(tree.chair_a), run=lambda pk: None)
    calls = {"collect": 0}
    original_collect = services.figures.collect

    def counting_collect(*args, **kwargs):
        calls["collect"] += 1
        return original_collect(*args, **kwargs)

    monkeypatch.setattr(services.figures, "collect", counting_collect)
    build = document.build
    monkeypatch.setattr(services.document, "build", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("worker died")))
    with pytest.raises(RuntimeError):
        services.report_run(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and report.stage != Report.Stage.FIGURES and report.snapshot
    monkeypatch.setattr(services.document, "build", build)
    services.report_run(report.pk)  # a stale redelivery of the failed run does nothing
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and "worker died" in report.error
    services.report_retry(report=report, actor=fresh(tree.chair_a), run=lambda pk: None)  # the chair's 重试
    services.report_run(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and calls["collect"] == 1  # the figures were not computed twice


def test_reopen_then_close_again_regenerates_and_shows_what_changed(tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    with pytest.raises(WorkflowError):
        services.report_reopen(report=report, actor=fresh(tree.chair_a), reason=" ")
    services.report_reopen(report=report, actor=fresh(tree.chair_a), reason="补录一件6月的案件")
    h1.refresh_from_db()
    assert h1.status == Period.Status.OPEN and report.status == Report.Status.DRAFT and report.previous_snapshot
    from cases import services as case_services
    from tests.cases.conftest import register_kwargs

    case_services.case_register(
        actor=fresh(tree.chair_a), **register_kwargs(tree, applicant_name="补录", filed_on=datetime.date(2026, 6, 20))
    )
    report = close(h1, tree.chair_a)
    assert any("共受理登记劳动争议7件" in t for t in paragraphs(report))
    from summaries.figures import differences

    changed = differences(report.previous_snapshot, report.snapshot)
    assert {"label": "受理登记劳动争议", "reported": 6, "now": 7} == {
        k: changed[0][k] for k in ("label", "reported", "now")
    }


def test_the_chair_edits_the_words_and_adds_a_section(tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    chapters = [dict(c) for c in report.chapters]
    by_id = {c["id"]: c for c in chapters}
    by_id["problems"]["blocks"] = [
        {**by_id["problems"]["blocks"][0], "text": "半年来，一是调解员队伍不足；二是宣传不够。"}
    ]
    by_id["plans"]["blocks"] = [
        {**by_id["plans"]["blocks"][0], "text": "一是充实调解员队伍。"},
        by_id["plans"]["blocks"][1],
    ]
    at = next(i for i, c in enumerate(chapters) if c["id"] == "problems")
    chapters.insert(at, {"title": "加强组织建设，夯实工会基础", "blocks": [{"text": "新建工会小组3个。"}]})
    services.report_save_chapters(report=report, actor=fresh(tree.chair_a), chapters=chapters)
    services.report_regenerate(report=report, actor=fresh(tree.chair_a), run=lambda pk: None)
    services.report_run(report.pk)
    report.refresh_from_db()
    text = paragraphs(report)
    # the half-year has disputes only: the aid and proposals chapters are left out, numbers close up
    assert "二、加强组织建设，夯实工会基础" in text and "新建工会小组3个。" in text
    assert "三、存在的不足" in text and "半年来，一是调解员队伍不足；二是宣传不够。" in text
    assert "一是充实调解员队伍。" in text


def test_the_command_closes_from_the_shell(tree, half_year, h1, tmp_path):  # noqa: F811
    Period.objects.create(org_unit=tree.top, year=2026, kind="H1")
    out = tmp_path / "report.docx"
    call_command("close_period", unit="a", period="2026H1", out=str(out))
    assert out.exists() and (tmp_path / "report.xlsx").exists()
    assert Document(str(out)).paragraphs[0].text == "甲公司工会2026年上半年工作总结"


def test_the_upper_union_report_has_a_table_by_unit(tree, half_year):  # noqa: F811
    top_h1 = Period.objects.create(org_unit=tree.top, year=2026, kind="H1")
    report = close(top_h1, tree.chair)
    assert [u["name"] for u in report.snapshot["units"]] == ["甲公司工会", "乙公司工会"]
    assert (
        report.snapshot["units"][0]["cases"]["received"] == 6 and report.snapshot["units"][1]["cases"]["received"] == 1
    )
    with report.document.open("rb") as f:
        tables = Document(io.BytesIO(f.read())).tables
    assert tables[-1].rows[1].cells[0].text == "甲公司工会" and tables[-1].rows[1].cells[1].text == "6"


def test_pages(client, tree, half_year, h1):  # noqa: F811
    client.force_login(tree.chair_a)
    assert "结账" in client.get(reverse("summaries:close")).content.decode()
    assert "尚未办结的事项" in client.get(reverse("summaries:close_preview", args=[h1.pk])).content.decode()
    report = close(h1, tree.chair_a)
    assert client.get(reverse("summaries:progress", args=[report.pk])).json()["progress"] == 100
    assert "下载工作总结" in client.get(reverse("summaries:report", args=[report.pk])).content.decode()
    assert client.get(reverse("summaries:file", args=[report.pk, "docx"])).status_code == 200
    assert "受理登记劳动争议" in client.get(reverse("summaries:live")).content.decode()
    client.force_login(tree.committee_a)
    assert client.get(reverse("summaries:report", args=[report.pk])).status_code == 404


def test_comparisons_appear_only_where_the_earlier_period_has_data(tree, half_year):  # noqa: F811
    h2 = Period.objects.create(org_unit=tree.a, year=2026, kind="H2")
    from summaries import figures, narrative

    snapshot = figures.collect(tree.a, h2)
    assert "last_year" not in snapshot["comparisons"]  # 2025 has no records: nothing is invented
    assert snapshot["comparisons"]["previous"]["cases"]["received"] == 6
    text = " ".join(narrative.paragraph("cases", narrative.context(snapshot, h2)))
    assert "环比下降83.3%" in text and "同比" not in text  # 1 case in H2 against 6 in H1


def test_a_pdf_is_written_when_libreoffice_is_installed(tree, half_year, h1, settings):  # noqa: F811
    import shutil

    settings.UNIONFLOW = {**settings.UNIONFLOW, "REPORT_PDF": True}
    report = close(h1, tree.chair_a)
    if shutil.which("soffice") or shutil.which("libreoffice"):
        with report.pdf.open("rb") as f:
            assert f.read(5) == b"%PDF-"
    else:  # without LibreOffice the report is complete without a PDF, and says why
        assert not report.pdf and report.document and "make system-deps" in report.pdf_error
