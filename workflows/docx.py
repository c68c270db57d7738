"""Word documents in the Chinese official-document style (after GB/T 9704-2012).

python-docx's ``font.name`` sets only the Latin faces; Chinese text needs ``w:eastAsia`` on every
style and run, and the theme font attributes that override explicit names must go.  The face
names are those Word/WPS on the reader's side have (仿宋, 黑体, 楷体, 方正小标宋简体); the server
needs no fonts to write them.
"""

import io
import itertools
import re

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
CHAR = BODY_SIZE  # one character of body text: indents are counted in characters
TEXT_WIDTH = Mm(210 - 28 - 26)  # 156 mm: the GB/T 9704 text block
# 一、 黑体 · （一） 楷体 · 1. 仿宋 bold — Word's own heading styles, so the navigation pane and a
# table of contents find them.
HEADING_STYLES = {
    1: ("Heading 1", HEADING_FONT, False),
    2: ("Heading 2", SUBHEADING_FONT, False),
    3: ("Heading 3", BODY_FONT, True),
}


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
    fmt.widow_control = True
    for name, font, bold in HEADING_STYLES.values():
        _restyle_heading(document.styles[name], font, bold)
    caption = document.styles["Caption"]
    set_font(caption, SUBHEADING_FONT, BODY_SIZE, bold=False)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    caption.paragraph_format.line_spacing = LINE
    caption.paragraph_format.first_line_indent = Pt(0)
    return document


def _restyle_heading(style, font, bold):
    """A heading style of the default template, restyled to GB/T 9704: the body's size and line,
    indented two characters, black, no theme fonts, never the last line of a page."""
    set_font(style, font, BODY_SIZE, bold)
    style.font.italic = False
    for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
        style.element.rPr.find(qn("w:color")).attrib.pop(qn(attr), None)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = 2 * CHAR
    fmt.keep_with_next = fmt.keep_together = fmt.widow_control = True


def heading(document, text, level):
    """``一、…`` (level 1), ``（一）…`` (2) or ``1. …`` (3) in Word's Heading 1–3 style."""
    para = document.add_paragraph(style=HEADING_STYLES[level][0])
    para.add_run(text)
    return para


def caption(document, text):
    """A figure's caption (Word's Caption style), below its figure."""
    return document.add_paragraph(text, style="Caption")


# A title breaks only where a reader would pause, the first kind of place preferred: after the
# issuing union, before 暨; then before the year or 工作总结; then after a company or group inside a
# long unit name.  Only a title that still does not fit is broken anywhere.
_TITLE_BREAKS = (
    re.compile(r"(?<=工会)|(?<=委员会)|(?=暨)"),
    re.compile(r"(?=\d{4}年)|(?=工作(?:总结|报告|计划))"),
    re.compile(r"(?<=公司)|(?<=集团)|(?<=开发区)"),
)


def title_lines(text, *, per_line=20, breaks=()):
    """``text`` as the fewest lines of at most ``per_line`` characters, broken at the most natural
    word boundaries that make it fit (``breaks``: positions the caller knows, e.g. after the unit
    name, count among the most natural), the lines as even as can be."""
    if len(text) <= per_line:
        return [text]
    points = set(breaks)
    fewest = -(-len(text) // per_line) - 1  # breaks
    for pattern in _TITLE_BREAKS:
        points |= {m.start() for m in pattern.finditer(text)}
        points -= {0, len(text)}
        best = None
        for count in range(fewest, min(len(points), fewest + 1) + 1):
            for cut in itertools.combinations(sorted(points), count):
                lines = [text[a:b] for a, b in itertools.pairwise((0, *cut, len(text)))]
                widths = [len(line) for line in lines]
                if max(widths) <= per_line and (best is None or max(widths) - min(widths) < best[0]):
                    best = (max(widths) - min(widths), lines)
            if best:
                return best[1]
    size = -(-len(text) // (fewest + 1))  # no natural break fits: even lines
    return [text[i : i + size] for i in range(0, len(text), size)]


def title(document, text, *, breaks=()):
    """The title in 二号 小标宋, centred; a long one in balanced lines broken at word boundaries."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(16)
    fmt.line_spacing = Pt(36)
    fmt.first_line_indent = Pt(0)
    fmt.keep_with_next = True
    per_line = int(TEXT_WIDTH / TITLE_SIZE)
    lines = title_lines(text, per_line=per_line, breaks=breaks)
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        set_font(run, TITLE_FONT, TITLE_SIZE)
        if i < len(lines) - 1:
            run.add_break()
    return paragraph


def sign_off(document, *lines):
    """The issuer and the date at the right, four characters in from the margin (GB/T 9704).  They
    never stand alone on a page: the last paragraphs before them go along."""
    for before in document.paragraphs[-2:]:
        before.paragraph_format.keep_with_next = True
    paragraphs = []
    for line in lines:
        para = paragraph(document, line, indent=False, align="right")
        para.paragraph_format.right_indent = 4 * CHAR
        para.paragraph_format.keep_with_next = True
        paragraphs.append(para)
    if paragraphs:
        paragraphs[-1].paragraph_format.keep_with_next = False
    return paragraphs


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
