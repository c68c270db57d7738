"""The 工作总结 as .docx (after GB/T 9704); its companion .xlsx is ``workbook.py``."""

import io
import itertools
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from workflows import docx
from workflows.money import exact_yuan, report_rate

from . import chapters, narrative


def _heading(document, text, level):
    return docx.heading(document, text, level)


def _figure(document, chart, number):
    """A chart centred at its width, kept on the page of its caption ``图N …`` below it."""
    document.add_picture(io.BytesIO(chart.png), width=Cm(chart.width_cm))
    picture = document.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # exact 28 pt would clip it
    picture.paragraph_format.first_line_indent = Pt(0)
    picture.paragraph_format.keep_with_next = True
    return docx.caption(document, f"图{number} {chart.title}")


def _page_numbers(document):
    """ "— 1 —" in 4号 宋体 at the foot of each page."""
    footer = document.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    docx.set_font(footer.add_run("— "), "宋体", Pt(14))
    run = footer.add_run()
    docx.set_font(run, "宋体", Pt(14))
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    docx.set_font(footer.add_run(" —"), "宋体", Pt(14))


def _value_text(fig):
    """A figure as the 附表 gives it: money exact to the fen (the prose rounds, the table does not)."""
    value = fig["value"]
    if value is None:
        return "—"
    if fig["unit"] == "元":
        return exact_yuan(Decimal(str(value)))
    if fig["unit"] == "%":
        return report_rate(Decimal(str(value)))
    return f"{value}{fig['unit']}"


def build(report, images, *, closed_on):
    """The .docx of ``report``, dated ``closed_on``: the day the chair closed the period."""
    snapshot = report.snapshot
    ctx = narrative.context(snapshot, report.period)
    document = docx.new_document()
    _page_numbers(document)
    docx.title(document, report.title, breaks=[len(report.org_unit.name)])

    charts_of = {}
    for chart in images:
        charts_of.setdefault(chart.section, []).append(chart)
    figure_numbers = itertools.count(1)  # 图1, 图2… in the order the figures appear
    chapter_list = report.chapters or chapters.default_chapters(report.period)
    for chapter in chapters.render(chapter_list, ctx, report.period, snapshot=snapshot):
        if chapter["heading"]:
            _heading(document, chapter["heading"], 1)
        for block in chapter["blocks"]:
            if block["subheading"]:
                _heading(document, block["subheading"], 2)
            for line in block["paragraphs"]:
                docx.paragraph(document, line)
            for chart in charts_of.get(block["block"].get("source"), []):
                _figure(document, chart, next(figure_numbers))
    docx.paragraph(document)
    docx.sign_off(document, report.org_unit.name, narrative.chinese_date(closed_on))

    _appendix(document, snapshot, chapter_list)
    return docx.to_bytes(document)


def _record_count(section, fig):
    count = (section.get("selections", {}).get(fig.get("records")) or {}).get("count")
    return "—" if count is None else str(count)


# Widths in cm, summing to the 15.6 cm text block: 板块 narrow, 口径 wide.
FIGURE_COLUMNS = (("板块", 1.9), ("指标", 3.6), ("数值", 3.4), ("口径", 5.1), ("记录数", 1.6))
UNIT_COLUMNS = (
    ("单位", 5.0),
    ("受理劳动争议（件）", 2.6),
    ("调解成功（件）", 2.4),
    ("帮扶资金", 3.2),
    ("收到提案（件）", 2.4),
)
ZERO = "本期为0："
NO_BASE = "本期无计算基数（分母为0）："


def _is_zero(fig):
    return fig["value"] is not None and Decimal(str(fig["value"])) == 0


def _appendix(document, snapshot, chapter_list=()):
    """附表: every figure with its value, definition (口径) and record count; the figures that are 0
    this period (or a rate with nothing to divide by) are named in one row per section, not listed."""
    document.add_page_break()
    heading = docx.heading(document, "附表：统计口径与记录", 1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.first_line_indent = Pt(0)
    docx.paragraph(
        document, "下表列出本总结每一项数据的口径和所依据的记录数，记录编号详见同名数据明细表（.xlsx）。", indent=True
    )
    table = _table(document, FIGURE_COLUMNS)
    for section in snapshot["sections"].values():
        figures = list(section["figures"].values())
        rows = [
            _row(table, FIGURE_COLUMNS, ("", f["label"], _value_text(f), f["definition"], _record_count(section, f)))
            for f in figures
            if f["value"] is not None and not _is_zero(f)
        ]
        empty = [
            prefix + "、".join(f["label"] for f in group)
            for prefix, group in (
                (ZERO, [f for f in figures if _is_zero(f)]),
                (NO_BASE, [f for f in figures if f["value"] is None]),
            )
            if group
        ]
        if empty:
            row = _row(table, FIGURE_COLUMNS, ("", "；".join(empty), "", "", ""))
            row.cells[1].merge(row.cells[-1])
            rows.append(row)
        if rows:
            merged = rows[0].cells[0].merge(rows[-1].cells[0]) if len(rows) > 1 else rows[0].cells[0]
            _cell(merged, section["title"])
    # the figures the chair entered: 填报, with who entered them
    for chapter in chapter_list:
        entered = chapter.get("figures", [])
        rows = [
            _row(table, FIGURE_COLUMNS, ("", f["label"], chapters.figure_text(f), chapters.entered_text(f), "填报"))
            for f in entered
        ]
        if rows:
            merged = rows[0].cells[0].merge(rows[-1].cells[0]) if len(rows) > 1 else rows[0].cells[0]
            _cell(merged, chapter["title"] or "导语")
    if snapshot.get("units"):
        docx.paragraph(document)
        docx.paragraph(document, "分单位情况", indent=False, align="center", font=docx.HEADING_FONT)
        document.paragraphs[-1].paragraph_format.keep_with_next = True
        table = _table(document, UNIT_COLUMNS)
        for unit in snapshot["units"]:
            _row(
                table,
                UNIT_COLUMNS,
                (
                    unit["name"],
                    str(unit.get("cases", {}).get("received", 0)),
                    str(unit.get("cases", {}).get("successful", 0)),
                    exact_yuan(Decimal(str(unit.get("aid", {}).get("amount") or 0))),
                    str(unit.get("proposals", {}).get("received", 0)),
                ),
            )


def _table(document, columns):
    """A grid table of fixed column widths whose header row repeats on every page."""
    table = document.add_table(rows=0, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, (_name, width) in zip(table.columns, columns, strict=True):
        column.width = Cm(width)
    header = _row(table, columns, [name for name, _width in columns], bold=True)
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    return table


def _row(table, columns, texts, *, bold=False):
    row = table.add_row()
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
    for cell, text, (_name, width) in zip(row.cells, texts, columns, strict=True):
        cell.width = Cm(width)
        if text:
            _cell(cell, text, bold=bold)
    return row


def _cell(cell, text, bold=False):
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    para = cell.paragraphs[0]
    para.paragraph_format.line_spacing = Pt(18)
    para.paragraph_format.first_line_indent = Pt(0)
    docx.set_font(para.add_run(text), docx.BODY_FONT, Pt(10.5), bold)


class PdfNotMade(Exception):
    """LibreOffice made no PDF; the message says why, for the report page."""


PDF_NO_OFFICE = _("未生成 PDF：服务器未安装 LibreOffice（系统管理员运行 make system-deps 即可安装）。")
PDF_TIMED_OUT = _("未生成 PDF：LibreOffice 转换超过 %(seconds)s 秒，已中止。")
PDF_FAILED = _("未生成 PDF：LibreOffice 转换失败（%(detail)s）。")


def to_pdf(content, *, timeout=120):
    """The .docx as PDF through LibreOffice; raises ``PdfNotMade`` with the reason when it cannot."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise PdfNotMade(str(PDF_NO_OFFICE))
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.docx"
        source.write_bytes(content)
        profile = f"-env:UserInstallation=file://{folder}/profile"  # its own profile: runs never collide
        try:
            done = subprocess.run(
                [office, profile, "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
                check=False,
                capture_output=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfNotMade(str(PDF_TIMED_OUT % {"seconds": timeout})) from exc
        except OSError as exc:
            raise PdfNotMade(str(PDF_FAILED % {"detail": exc})) from exc
        target = Path(folder) / "report.pdf"
        if done.returncode != 0 or not target.exists():
            said = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
            detail = f"退出码 {done.returncode}" + (f"：{said[-1][:200]}" if said else "")
            raise PdfNotMade(str(PDF_FAILED % {"detail": detail}))
        return target.read_bytes()
