"""Word documents in the Chinese official-document style (after GB/T 9704-2012).

python-docx's ``font.name`` sets only the Latin faces; Chinese text needs ``w:eastAsia`` on every
style and run, and the theme font attributes that override explicit names must go.  The face
names are those Word/WPS on the reader's side have (仿宋, 黑体, 楷体, 方正小标宋简体); the server
needs no fonts to write them.
"""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
LINE = Pt(28)


def set_font(target, name, size=None, bold=None):
    """Set Latin and East-Asian faces on a style or run, dropping theme overrides."""
    font = target.font
    font.name = name
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for theme in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def new_document():
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    set_font(normal, BODY_FONT, BODY_SIZE)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    return document


def title(document, text):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(16)
    paragraph.paragraph_format.line_spacing = Pt(36)
    set_font(paragraph.add_run(text), TITLE_FONT, TITLE_SIZE)
    return paragraph


def paragraph(document, text="", *, indent=True, align=None, font=None, bold=None):
    """A body paragraph, first line indented two characters as official documents are."""
    para = document.add_paragraph()
    if indent:
        para.paragraph_format.first_line_indent = Pt(32)
    if align == "right":
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "center":
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        set_font(para.add_run(text), font or BODY_FONT, BODY_SIZE, bold)
    return para


def labelled(document, label, text):
    """``申请人：张三`` with the label in 黑体."""
    para = document.add_paragraph()
    para.paragraph_format.first_line_indent = Pt(32)
    set_font(para.add_run(label), HEADING_FONT, BODY_SIZE)
    set_font(para.add_run(text), BODY_FONT, BODY_SIZE)
    return para


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
