"""The 工作总结 laid out as an official document (GB/T 9704): Word's heading styles, a balanced
title, the sign-off dated the day of the close, charts that read in greyscale, a 附表 that fits."""

import datetime
import io
import re
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from PIL import Image, ImageChops

from summaries import charts, document, figures, services
from summaries.models import Report
from tests.cases.conftest import mediator  # noqa: F401  (fixtures of the hand-computed grievance half-year)
from tests.cases.test_summary import half_year  # noqa: F401
from tests.factories import fresh
from workflows import docx
from workflows.models import Period
from workflows.money import exact_yuan

pytestmark = pytest.mark.django_db

HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")


@pytest.fixture
def h1(tree):
    return Period.objects.create(org_unit=tree.a, year=2026, kind=Period.Kind.FIRST_HALF)


def close(period, actor):
    report = services.report_request(period=period, actor=fresh(actor), run=lambda pk: None)
    return services.report_run(report.pk)


def opened(report):
    with report.document.open("rb") as f:
        return Document(io.BytesIO(f.read()))


def regenerate(report, actor):
    services.report_regenerate(report=report, actor=fresh(actor), run=lambda pk: None)
    services.report_run(report.pk)
    report.refresh_from_db()
    return report


# --- headings -------------------------------------------------------------------------------------


def _fonts(target):  # a style or a run
    return target.element.rPr.find(qn("w:rFonts"))


@pytest.mark.parametrize(
    ("level", "face", "bold"), [(1, "黑体", False), (2, "楷体_GB2312", False), (3, "仿宋_GB2312", True)]
)
def test_heading_styles_are_words_own_restyled_to_gb9704(level, face, bold):
    doc = docx.new_document()
    para = docx.heading(doc, "一、加强组织建设", level)
    style = para.style
    assert style.name == f"Heading {level}"  # what the navigation pane and a table of contents find
    assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(level - 1)
    fonts = _fonts(style)
    assert fonts.get(qn("w:eastAsia")) == face and fonts.get(qn("w:ascii")) == face
    assert not [a for a in fonts.attrib if "Theme" in a or "theme" in a]  # theme fonts would override the face
    color = style.element.rPr.find(qn("w:color"))
    assert color.get(qn("w:val")) == "000000" and color.get(qn("w:themeColor")) is None
    assert style.font.size == Pt(16) and bool(style.font.bold) is bold and not style.font.italic
    fmt = style.paragraph_format
    assert fmt.keep_with_next and fmt.widow_control and fmt.line_spacing == Pt(28)
    assert fmt.first_line_indent == Pt(32) and fmt.space_before == Pt(0)


def test_every_heading_of_the_report_is_in_a_heading_style(tree, half_year, h1):  # noqa: F811
    doc = opened(close(h1, tree.chair_a))
    headings = [p for p in doc.paragraphs if HEADING.match(p.text)]
    texts = {p.text for p in headings}
    # the chapter holds one subsection (disputes only this half-year): no lone （一）
    assert "一、坚持以人为本，切实维护职工合法权益" in texts and not any(t.startswith("（一）") for t in texts)
    for p in headings:
        level = 1 if "、" in p.text[:4] else 2
        assert p.style.name == f"Heading {level}", p.text
    assert doc.styles["Normal"].paragraph_format.widow_control


def test_a_figure_stays_with_its_caption_and_figures_are_numbered_in_order(tree, half_year, h1):  # noqa: F811
    doc = opened(close(h1, tree.chair_a))
    captions = [p for p in doc.paragraphs if p.style.name == "Caption"]
    assert [c.text for c in captions] == ["图1 劳动争议按类型分布（起）", "图2 劳动争议调处结果（件）"]
    paragraphs = doc.paragraphs
    for caption in captions:
        picture = paragraphs[[p._p for p in paragraphs].index(caption._p) - 1]
        assert picture._p.xpath(".//w:drawing") and picture.paragraph_format.keep_with_next


def test_the_page_is_a4_with_gb9704_margins():
    section = Document(io.BytesIO(docx.to_bytes(docx.new_document()))).sections[0]
    sizes = (section.page_width, section.page_height)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(x.mm) for x in sizes] == [210, 297]
    assert [round(x.mm) for x in margins] == [37, 35, 28, 26]


# --- title and sign-off ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("甲公司工会2026年上半年工作总结", ["甲公司工会2026年上半年工作总结"]),
        ("XX市XX区总工会2026年上半年工作总结", ["XX市XX区总工会", "2026年上半年工作总结"]),
        ("滨江经济开发区总工会2026年上半年工作总结", ["滨江经济开发区总工会", "2026年上半年工作总结"]),
        (
            "华辰电子科技有限公司工会2026年度工作总结暨2027年工作计划",
            ["华辰电子科技有限公司工会", "2026年度工作总结暨2027年工作计划"],
        ),
        (
            "中国石油天然气集团有限公司西南油气田分公司川中油气矿工会2026年上半年工作总结",
            ["中国石油天然气集团有限公司", "西南油气田分公司川中油气矿工会", "2026年上半年工作总结"],
        ),
    ],
)
def test_a_long_title_breaks_at_a_word_boundary_into_balanced_lines(title, lines):
    assert docx.title_lines(title, per_line=20) == lines


def test_the_title_line_is_as_wide_as_the_text_block_allows():
    doc = docx.new_document()
    para = docx.title(doc, "滨江经济开发区总工会2026年上半年工作总结")
    assert para.text == "滨江经济开发区总工会\n2026年上半年工作总结"  # a line break, not two paragraphs
    assert int(docx.TEXT_WIDTH / docx.TITLE_SIZE) == 20  # 156 mm of 二号 (22 pt) characters
    assert all(r.font.size == Pt(22) and _fonts(r).get(qn("w:eastAsia")) == docx.TITLE_FONT for r in para.runs)


def test_the_report_title_breaks_after_a_long_unit_name(tree, half_year, h1):  # noqa: F811
    tree.a.name = "滨江经济开发区华辰电子工会"
    tree.a.save(update_fields=["name"])
    h1.refresh_from_db()
    title = opened(close(h1, tree.chair_a)).paragraphs[0]
    assert title.text == "滨江经济开发区华辰电子工会\n2026年上半年工作总结"
    assert title.alignment == 1  # WD_ALIGN_PARAGRAPH.CENTER


def test_the_sign_off_is_right_aligned_four_characters_in_and_never_alone(tree, half_year, h1):  # noqa: F811
    doc = opened(close(h1, tree.chair_a))
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("甲公司工会")
    unit, date = doc.paragraphs[at], doc.paragraphs[at + 1]
    for para in (unit, date):
        assert para.alignment == 2 and para.paragraph_format.right_indent == 4 * Pt(16)  # WD_ALIGN_PARAGRAPH.RIGHT
    assert re.fullmatch(r"二〇[〇一二三四五六七八九]{2}年[一二三四五六七八九十]+月[一二三四五六七八九十]+日", date.text)
    assert doc.paragraphs[at - 1].paragraph_format.keep_with_next  # the text goes along with it
    assert doc.paragraphs[at - 2].text and doc.paragraphs[at - 2].paragraph_format.keep_with_next


def test_the_date_is_the_day_the_chair_closed_and_a_later_regenerate_keeps_it(tree, half_year, h1):  # noqa: F811
    with time_machine.travel(datetime.datetime(2026, 7, 5, 10, 0, tzinfo=datetime.UTC), tick=True):
        report = close(h1, tree.chair_a)
    with time_machine.travel(datetime.datetime(2026, 9, 1, 10, 0, tzinfo=datetime.UTC), tick=True):
        report = regenerate(report, tree.chair_a)
    texts = [p.text for p in opened(report).paragraphs]
    assert "二〇二六年七月五日" in texts and "二〇二六年九月一日" not in texts


def test_after_a_reopen_the_new_close_dates_the_report(tree, half_year, h1):  # noqa: F811
    with time_machine.travel(datetime.datetime(2026, 7, 5, 10, 0, tzinfo=datetime.UTC), tick=True):
        report = close(h1, tree.chair_a)
    with time_machine.travel(datetime.datetime(2026, 7, 20, 10, 0, tzinfo=datetime.UTC), tick=True):
        services.report_reopen(report=report, actor=fresh(tree.chair_a), reason="补录")
        h1.refresh_from_db()
        report = close(h1, tree.chair_a)
    texts = [p.text for p in opened(report).paragraphs]
    assert "二〇二六年七月二十日" in texts and "二〇二六年七月五日" not in texts


# --- charts ----------------------------------------------------------------------------------------


def _pixels_are_grey(png):
    r, g, b = Image.open(io.BytesIO(png)).convert("RGB").split()
    return max(ImageChops.difference(r, g).getextrema()[1], ImageChops.difference(g, b).getextrema()[1]) <= 2


def test_no_pie_when_one_slice_is_nearly_everything():
    kind, png = charts.pie_or_bar([("调解成功", 17), ("调解不成", 2), ("撤回", 1)], "件")  # 85 %
    assert kind == "bar" and png
    kind, png = charts.pie_or_bar([("调解成功", 6), ("调解不成", 3), ("撤回", 1)], "件")
    assert kind == "pie" and png


def test_no_chart_with_fewer_than_two_non_zero_categories():
    assert charts.pie_or_bar([("满意", 5), ("基本满意", 0), ("不满意", 0)], "件") == (None, None)
    assert charts.bar([("劳动报酬", 4), ("工伤", 0)], "起") is None
    assert charts.bar([("劳动报酬", 4), ("工伤", 1)], "起")


def test_charts_read_in_greyscale_with_slices_told_apart_by_hatch():
    assert _pixels_are_grey(charts.bar([("生活救助", Decimal("12400")), ("医疗救助", Decimal("11700"))], "元"))
    _kind, pie = charts.pie_or_bar([("满意", 4), ("基本满意", 6), ("未反馈", 1)], "件")
    assert _pixels_are_grey(pie)
    shades = [shade for shade, _hatch in charts.SLICES]
    hatches = [hatch for _shade, hatch in charts.SLICES]
    assert len(set(shades)) == len(shades) and len(set(hatches)) == len(hatches)


def test_a_bar_chart_prints_its_values_largest_first(monkeypatch):
    drawn = []
    monkeypatch.setattr(charts, "_png", lambda fig: drawn.append(fig) or b"png")
    charts.bar([("医疗救助", Decimal("1170.5")), ("生活救助", Decimal("12400")), ("助学", 0)], "元")
    ax = drawn[0].axes[0]
    assert {t.get_text() for t in ax.texts} == {"12,400", "1,170.5"}
    assert [t.get_text() for t in ax.get_yticklabels()][::-1] == ["生活救助", "医疗救助"]  # top to bottom


def test_a_report_with_one_dispute_category_has_no_chart_of_categories(tree, half_year, h1):  # noqa: F811
    snapshot = figures.collect(tree.a, h1)
    for fig in snapshot["sections"]["cases"]["breakdowns"]["by_category"][1:]:
        fig["value"] = 0
    titles = [chart.title for chart in charts.render(snapshot)]
    assert "劳动争议按类型分布（起）" not in titles and "劳动争议调处结果（件）" in titles


# --- 附表 ------------------------------------------------------------------------------------------


def test_every_figure_has_a_definition(tree, half_year, h1):  # noqa: F811
    snapshot = figures.collect(tree.a, h1)
    missing = [
        f"{section['title']}·{fig['label']}"
        for section in snapshot["sections"].values()
        for fig in section["figures"].values()
        if not (fig.get("definition") or "").strip()
    ]
    assert missing == []


def _appendix_table(doc):
    return doc.tables[0]


def test_the_appendix_fits_its_columns_and_repeats_its_header(tree, half_year, h1):  # noqa: F811
    table = _appendix_table(opened(close(h1, tree.chair_a)))
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"  # autofit off
    widths = [col.width for col in table.columns]
    assert abs(sum(widths) - Cm(15.6)) < Cm(0.01)  # the text block: 210 − 28 − 26 mm
    names = [c.text for c in table.rows[0].cells]
    assert names == ["板块", "指标", "数值", "口径", "记录数"]
    assert widths[names.index("口径")] == max(widths) and widths[names.index("板块")] < widths[names.index("指标")]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    for row in table.rows:  # Word reads each cell's own width too
        if len(row._tr.tc_lst) == len(widths):
            assert [c.width for c in row.cells] == widths


def test_the_appendix_gives_money_exactly_and_every_row_a_definition(tree, half_year, h1):  # noqa: F811
    table = _appendix_table(opened(close(h1, tree.chair_a)))
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert rows["涉及标的额"][2] == "138,600.00元"  # 13.86万元 in the prose
    assert exact_yuan(Decimal("101700")) == "101,700.00元"
    figure_rows = [r for r in table.rows[1:] if not r.cells[1].text.startswith(("本期为0", "本期无计算基数"))]
    assert figure_rows and all(r.cells[3].text.strip() for r in figure_rows)


def test_zero_figures_are_named_in_one_row_not_listed(tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)
    table = _appendix_table(opened(report))
    labels = [r.cells[1].text for r in table.rows[1:]]
    zero = [
        fig["label"]
        for fig in report.snapshot["sections"]["cases"]["figures"].values()
        if fig["value"] is not None and Decimal(str(fig["value"])) == 0
    ]
    assert zero  # the fixture has cases figures that are 0 (e.g. 上期结转)
    assert not set(zero) & set(labels)
    summary = next(label for label in labels if label.startswith(document.ZERO) and "上期结转" in label)
    assert summary == document.ZERO + "、".join(zero)
    # 帮扶 and 提案 have no records at all: their rates have nothing to divide by
    aid_row = next(label for label in labels if "预算使用率" in label)
    assert document.NO_BASE + "预算使用率" in aid_row
    assert not any(r.cells[2].text in ("0件", "0元", "0.00元") for r in table.rows[1:])


# --- PDF -------------------------------------------------------------------------------------------


def test_no_pdf_says_why_when_libreoffice_is_missing(client, tree, half_year, h1, settings, monkeypatch):  # noqa: F811
    settings.UNIONFLOW = {**settings.UNIONFLOW, "REPORT_PDF": True}
    monkeypatch.setattr(document.shutil, "which", lambda name: None)
    report = close(h1, tree.chair_a)
    assert not report.pdf and report.pdf_error == str(document.PDF_NO_OFFICE)
    client.force_login(tree.chair_a)
    page = client.get(reverse("summaries:report", args=[report.pk])).content.decode()
    assert "make system-deps" in page and "下载 PDF" not in page


def test_no_pdf_says_why_when_libreoffice_times_out_or_fails(tree, half_year, h1, settings, monkeypatch):  # noqa: F811
    settings.UNIONFLOW = {**settings.UNIONFLOW, "REPORT_PDF": True}
    monkeypatch.setattr(document.shutil, "which", lambda name: "/usr/bin/soffice")

    def too_slow(*args, timeout, **kwargs):
        raise subprocess.TimeoutExpired(args[0], timeout)

    monkeypatch.setattr(document.subprocess, "run", too_slow)
    report = close(h1, tree.chair_a)
    assert report.status == Report.Status.DONE and not report.pdf and "超过 120 秒" in report.pdf_error

    def fails(args, **kwargs):
        return subprocess.CompletedProcess(args, 1, b"", b"Error: source file could not be loaded\n")

    monkeypatch.setattr(document.subprocess, "run", fails)
    report = regenerate(report, tree.chair_a)
    assert (
        not report.pdf
        and report.pdf_error == "未生成 PDF：LibreOffice 转换失败（退出码 1：Error: source file could not be loaded）。"
    )


def test_the_page_says_so_when_pdf_is_turned_off(client, tree, half_year, h1):  # noqa: F811
    report = close(h1, tree.chair_a)  # tests run with REPORT_PDF off
    assert report.pdf_error == str(services.PDF_TURNED_OFF)
    client.force_login(tree.chair_a)
    assert "REPORT_PDF" in client.get(reverse("summaries:report", args=[report.pk])).content.decode()


def test_chart_categories_use_the_prose_name(tree, half_year, h1, monkeypatch):  # noqa: F811
    """A chart names a category as the text does (劳动报酬, not the form's 劳动报酬/欠薪)."""
    report = close(h1, tree.chair_a)
    drawn = []
    real_bar = charts.bar

    def recording(parts, unit):
        drawn.append(parts)
        return real_bar(parts, unit)

    monkeypatch.setattr(charts, "bar", recording)
    charts.render(report.snapshot)
    names = [name for parts in drawn for name, _ in parts]
    categories = report.snapshot["sections"]["cases"]["breakdowns"]["by_category"]
    assert any("/" in f["label"] for f in categories if f["value"])  # the half-year has a slash-labelled one
    assert names and not any("/" in name for name in names)
    assert {f["prose"] for f in categories if f["value"]} <= set(names)
