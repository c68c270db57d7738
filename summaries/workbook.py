"""The report's companion .xlsx: every figure with its definition, and the records behind them.

Written in openpyxl's write-only mode straight from a server-side cursor, so memory stays flat
whatever the record count: the 指标 sheet lists each figure, its value, its 口径 and the query that
selects its records; then one sheet per kind of record (劳动争议案件, 帮扶发放, 提案…) lists each
record once, with a ✓ in a column per selection it falls in — the column's header names every figure
counted from that selection (涉及职工 and 涉及标的额 count the same cases as 受理登记). A sheet
that would pass Excel's row limit continues on a 续 sheet.
"""

import datetime

from django.db.models import BooleanField, Case, Q, Value, When
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

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

    def __init__(self, book, title, header, max_rows):
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
    for section, model, by_name, columns in plans:
        _records(book, section, model, by_name, columns, chunk_size, max_rows)
    book.save(path)


def _records(book, section, model, by_name, columns, chunk_size, max_rows):
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
    sheet = _Sheet(book, title, header, max_rows)
    lead = 1 + len(extra)
    for row in rows:
        sheet.append([*row[:lead], *(MARK if flag else None for flag in row[lead:])])
    if sheet.part == 0:  # no records: the sheet still says so, with its header
        sheet.append([])


def _field_label(model, path):
    return {"application__member_id": "职工编号"}.get(path, path)
