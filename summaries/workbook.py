"""The report's companion .xlsx: every figure with its definition, and the records behind them.

Written in openpyxl's write-only mode straight from a server-side cursor, so memory stays flat
whatever the record count: the 指标 sheet lists each figure, its value, its 口径 and the query that
selects its records; then one sheet per kind of record (劳动争议案件, 帮扶发放, 提案…) lists each
record once, with a ✓ in a column per selection it falls in — the column's header names every figure
counted from that selection (涉及职工 and 涉及标的额 count the same cases as 受理登记). A sheet
that would pass Excel's row limit continues on a 续 sheet.

openpyxl spends 5–15 µs on each cell, 80 % of the close at 100k records; so the record sheets are
written as raw SpreadsheetML (a row is one formatted string) to temporary files, and openpyxl writes
only the 指标 sheet and the package around empty placeholder sheets, whose parts ``_save`` then
fills with the rows, copying the rest of openpyxl's zip as it is.
"""

import datetime
import functools
import io
import re
import tempfile
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

from django.db.models import BooleanField, Case, Q, Value, When
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from workflows import summary
from workflows.models import OrgUnit

EXCEL_ROWS = 1_048_576  # rows in an .xlsx sheet, the header included
CHUNK = 2000
MARK = "✓"
FIGURE_HEADER = ["板块", "指标代码", "指标", "数值", "单位", "口径", "记录数", "记录明细", "选取条件"]


def _figures(section):
    yield from section["figures"].items()
    for figs in section["breakdowns"].values():
        for fig in figs:
            yield fig["key"], fig


def _sheet_name(title, part):
    name = title if part == 1 else f"{title}（续{part - 1}）"
    return name[:31]  # Excel's limit on a sheet name


class _Sheet:
    """Appends rows to a sheet and its 续 sheets, each at most ``max_rows`` rows with the header."""

    def __init__(self, book, title, header, max_rows, parts=None):  # parts: unused, _RawSheet's signature
        self.book, self.title, self.header, self.max_rows = book, title, header, max_rows
        self.part, self.rows = 0, max_rows

    def _header(self, sheet):
        cells = []
        for text in self.header:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            cells.append(cell)
        sheet.append(cells)

    def append(self, row):
        if self.rows >= self.max_rows:
            self.part += 1
            self.sheet = self.book.create_sheet(_sheet_name(self.title, self.part))
            self._header(self.sheet)
            self.rows = 1
        self.sheet.append(row)
        self.rows += 1


class _RawSheet:
    """``_Sheet``'s rows as SpreadsheetML: each part (the sheet, then its 续 sheets) is an empty
    placeholder sheet in ``book``, created in order, and a temporary file of ``<row>`` elements,
    added to ``parts`` as ``(placeholder, file)`` for ``_save``. Cells are written as openpyxl
    writes them: text as inline strings, numbers as numbers, the header bold."""

    def __init__(self, book, title, header, max_rows, parts):
        self.book, self.title, self.header, self.max_rows, self.parts = book, title, header, max_rows, parts
        self.part, self.rows, self.out, self.columns = 0, max_rows, None, []

    def _row(self, n, row, style=""):
        columns = self.columns
        while len(columns) < len(row):
            columns.append(get_column_letter(len(columns) + 1))
        cells = [
            _cell(f"{column}{n}", value, style)
            for column, value in zip(columns, row, strict=False)
            if value is not None
        ]
        return f'<row r="{n}">{"".join(cells)}</row>'

    def append(self, row):
        if self.rows >= self.max_rows:
            self.part += 1
            sheet = self.book.create_sheet(_sheet_name(self.title, self.part))
            self.out = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
            self.parts.append((sheet, self.out))
            bold = WriteOnlyCell(sheet)
            bold.font = Font(bold=True)  # registered in the book's styles, as _Sheet's header is
            self.out.write(self._row(1, self.header, f' s="{bold.style_id}"'))
            self.rows = 1
        self.rows += 1
        self.out.write(self._row(self.rows, row))


# Characters XML 1.0 cannot hold (C0 controls but tab and line feed, lone surrogates, U+FFFE/F),
# the carriage return (a parser turns it into a line feed), and a literal "_xHHHH_" whose "_"
# would otherwise be read as an escape: written as OOXML's _xHHHH_ escapes, as Excel writes them.
_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


@functools.lru_cache(maxsize=4096)  # a sheet's text is mostly its ✓, over and over
def _text(value):
    text = value.translate(_ENTITIES)
    if _ESCAPE.search(text):
        text = _ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    if text[:1].isspace() or text[-1:].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def _cell(ref, value, style=""):
    kind = type(value)
    if kind is str:
        return f'<c r="{ref}"{style} t="inlineStr"><is>{_text(value)}</is></c>'
    if kind is bool:
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float or kind is Decimal:
        return f'<c r="{ref}"{style} t="n"><v>{value}</v></c>'
    raise TypeError(f"a record sheet holds text and numbers, not {kind.__name__}: {value!r}")


_RecordSheet = _RawSheet  # the record sheets' writer; the equivalence test compares it with _Sheet's output
_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _save(book, path, parts):
    """Save ``book`` to ``path`` with each placeholder sheet of ``parts`` holding its file's rows:
    openpyxl writes the package (small: 指标 and empty sheets), then it is copied part by part."""
    if not parts:
        book.save(path)
        return
    skeleton = io.BytesIO()
    book.save(skeleton)
    try:
        with zipfile.ZipFile(skeleton) as zin:
            names = _sheet_parts(zin)
            rows = {names[sheet.title]: out for sheet, out in parts}
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
                for info in zin.infolist():
                    data = zin.read(info)
                    if info.filename not in rows:
                        zout.writestr(info, data)
                        continue
                    around = _SHEET_DATA.split(data, maxsplit=1)
                    if len(around) != 2:
                        raise ValueError(f"no empty sheetData in {info.filename}")
                    out = rows[info.filename]
                    out.seek(0)
                    with zout.open(info.filename, "w", force_zip64=True) as part:  # compressed at level 1
                        part.write(around[0] + b"<sheetData>")
                        while chunk := out.read(1 << 20):
                            part.write(chunk.encode())
                        part.write(b"</sheetData>" + around[1])
    finally:
        for _sheet, out in parts:
            out.close()


def _sheet_parts(package):
    """``{sheet name: its part's name in the zip}``, from the workbook and its relationships."""
    targets = {
        rel.get("Id"): rel.get("Target")
        for rel in ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels")).iter(f"{_PKG_REL}Relationship")
    }
    out = {}
    for sheet in ElementTree.fromstring(package.read("xl/workbook.xml")).iter(f"{_MAIN}sheet"):
        target = targets[sheet.get(f"{_REL}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def write(snapshot, path, *, org_unit=None, chunk_size=CHUNK, max_rows=EXCEL_ROWS):
    """Write the workbook of ``snapshot`` to ``path`` (a file on disk)."""
    book = Workbook(write_only=True)
    org_unit = org_unit or OrgUnit.objects.get(pk=snapshot["unit_id"])
    starts_on = datetime.date.fromisoformat(snapshot["starts_on"])
    ends_on = datetime.date.fromisoformat(snapshot["ends_on"])
    figures = _Sheet(book, "指标", FIGURE_HEADER, max_rows)
    plans = []
    for key, section in snapshot["sections"].items():
        chosen = summary.selections(key, org_unit, starts_on, ends_on)
        for model, by_name in summary.by_model(chosen).items():
            columns = [(code, fig) for code, fig in _figures(section) if fig["records"] in by_name]
            if columns:
                plans.append((section, model, by_name, columns))
        for code, fig in _figures(section):
            selection = section["selections"].get(fig["records"], {})
            sel = chosen[fig["records"]]
            figures.append(
                [
                    section["title"],
                    f"{key}.{code}",
                    fig["label"],
                    fig["value"],
                    fig["unit"],
                    fig["definition"],
                    selection.get("count"),
                    f"{sel.model._meta.verbose_name}：{fig['label']}",
                    selection.get("query", ""),
                ]
            )
    parts = []  # the record sheets' (placeholder, rows file)
    try:
        for section, model, by_name, columns in plans:
            _records(book, section, model, by_name, columns, chunk_size, max_rows, parts)
    except BaseException:
        for _sheet, out in parts:
            out.close()
        raise
    _save(book, path, parts)


def _records(book, section, model, by_name, columns, chunk_size, max_rows, parts):
    """One sheet of ``model``'s records: each record once, ✓ under each selection it falls in."""
    names = list(dict.fromkeys(fig["records"] for _code, fig in columns))  # in the figures' order
    extra = sorted({by_name[n].field for n in names} - {"pk"})
    flags = {
        f"_in_{i}": Case(When(by_name[name].q, then=Value(True)), default=Value(False), output_field=BooleanField())
        for i, name in enumerate(names)
    }
    either = Q()
    for name in names:
        either |= by_name[name].q
    rows = (
        model._default_manager.filter(either)
        .annotate(**flags)
        .order_by("pk")
        .values_list("pk", *extra, *flags)
        .iterator(chunk_size=chunk_size)
    )
    title = f"{section['title']}·{model._meta.verbose_name}"
    counted_in = {
        name: "、".join(f"{fig['label']}（{code}）" for code, fig in columns if fig["records"] == name)
        for name in names
    }
    header = ["编号", *(_field_label(model, f) for f in extra), *(counted_in[name] for name in names)]
    sheet = _RecordSheet(book, title, header, max_rows, parts)
    lead = 1 + len(extra)
    for row in rows:
        sheet.append([*row[:lead], *[MARK if flag else None for flag in row[lead:]]])
    if sheet.part == 0:  # no records: the sheet still says so, with its header
        sheet.append([])


def _field_label(model, path):
    return {"application__member_id": "职工编号"}.get(path, path)
