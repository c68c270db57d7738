"""The 工作总结 as .docx (after GB/T 9704); its companion .xlsx is ``workbook.py``."""

import io
from decimal import Decimal

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from workflows import docx
from workflows.money import report_amount, report_rate

from . import chapters, charts, narrative


def _heading(document, text, level):
    para = document.add_paragraph()
    para.paragraph_format.first_line_indent = Pt(32)
    font = docx.HEADING_FONT if level == 1 else docx.SUBHEADING_FONT
    docx.set_font(para.add_run(text), font, docx.BODY_SIZE)
    return para


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
    value = fig["value"]
    if value is None:
        return "—"
    if fig["unit"] == "元":
        return report_amount(Decimal(str(value)))
    if fig["unit"] == "%":
        return report_rate(Decimal(str(value)))
    return f"{value}{fig['unit']}"


def build(report, images, *, today):
    snapshot = report.snapshot
    ctx = narrative.context(snapshot, report.period)
    document = docx.new_document()
    _page_numbers(document)
    docx.title(document, report.title)

    by_caption = {caption[:2]: (caption, png) for caption, png in images}  # "图1"…"图4"
    chart_by_source = {
        "cases": [by_caption[k] for k in ("图1", "图2") if k in by_caption],
        "aid": [by_caption[k] for k in ("图3",) if k in by_caption],
        "proposals": [by_caption[k] for k in ("图4",) if k in by_caption],
    }
    chapter_list = report.chapters or chapters.default_chapters(report.period)
    for chapter in chapters.render(chapter_list, ctx, report.period):
        if chapter["heading"]:
            _heading(document, chapter["heading"], 1)
        for block in chapter["blocks"]:
            if block["subheading"]:
                _heading(document, block["subheading"], 2)
            for line in block["paragraphs"]:
                docx.paragraph(document, line)
            for caption, png in chart_by_source.get(block["block"].get("source"), []):
                document.add_picture(io.BytesIO(png), width=Cm(charts.width_cm(caption)))
                picture = document.paragraphs[-1]
                picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
                picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # exact 28 pt would clip it
                picture.paragraph_format.first_line_indent = Pt(0)
                docx.paragraph(document, caption, indent=False, align="center", font=docx.SUBHEADING_FONT)
    docx.paragraph(document)
    docx.paragraph(document, report.org_unit.name, indent=False, align="right")
    docx.paragraph(document, narrative.chinese_date(today), indent=False, align="right")

    _appendix(document, snapshot, chapter_list)
    return docx.to_bytes(document)


def _record_count(section, fig):
    count = (section.get("selections", {}).get(fig.get("records")) or {}).get("count")
    return "—" if count is None else str(count)


def _appendix(document, snapshot, chapter_list=()):
    document.add_page_break()
    docx.paragraph(document, "附表：统计口径与记录", indent=False, align="center", font=docx.HEADING_FONT)
    docx.paragraph(
        document, "下表列出本总结每一项数据的口径和所依据的记录数，记录编号详见同名数据明细表（.xlsx）。", indent=True
    )
    rows = [
        (section["title"], fig["label"], _value_text(fig), fig["definition"], _record_count(section, fig))
        for section in snapshot["sections"].values()
        for fig in section["figures"].values()
    ] + [
        (chapter["title"], fig["label"], chapters.figure_text(fig), chapters.entered_text(fig), "填报")
        for chapter in chapter_list
        for fig in chapter.get("figures", [])
    ]
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("板块", "指标", "数值", "口径", "记录数"), strict=True):
        _cell(cell, text, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _cell(cell, text)
    if snapshot.get("units"):
        docx.paragraph(document)
        docx.paragraph(document, "分单位情况", indent=False, align="center", font=docx.HEADING_FONT)
        table = document.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells,
            ("单位", "受理劳动争议（件）", "调解成功（件）", "帮扶资金", "收到提案（件）"),
            strict=True,
        ):
            _cell(cell, text, bold=True)
        for unit in snapshot["units"]:
            cells = table.add_row().cells
            values = (
                unit["name"],
                str(unit.get("cases", {}).get("received", 0)),
                str(unit.get("cases", {}).get("successful", 0)),
                report_amount(Decimal(str(unit.get("aid", {}).get("amount") or 0))),
                str(unit.get("proposals", {}).get("received", 0)),
            )
            for cell, text in zip(cells, values, strict=True):
                _cell(cell, text)


def _cell(cell, text, bold=False):
    para = cell.paragraphs[0]
    para.paragraph_format.line_spacing = Pt(18)
    para.paragraph_format.first_line_indent = Pt(0)
    docx.set_font(para.add_run(text), docx.BODY_FONT, Pt(10.5), bold)


def to_pdf(content, *, timeout=120):
    """The .docx as PDF through LibreOffice, when it is installed (optional); None otherwise."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.docx"
        source.write_bytes(content)
        profile = f"-env:UserInstallation=file://{folder}/profile"  # its own profile: runs never collide
        subprocess.run(
            [office, profile, "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
            check=False,
            capture_output=True,
            timeout=timeout,
        )
        target = Path(folder) / "report.pdf"
        return target.read_bytes() if target.exists() else None
