"""The workbook's record sheets, however they are written, hold what openpyxl's write-only cells
wrote: the same sheets in the same order, every cell's value and type, the bold header — reopened
with openpyxl, cell by cell, against the openpyxl writer (``_Sheet``) on the same data."""

import pytest
from openpyxl import load_workbook

from summaries import figures, workbook
from tests.cases.conftest import mediator, register_kwargs  # noqa: F401  (half_year needs mediator)
from tests.cases.test_summary import half_year  # noqa: F401
from tests.summaries.test_scale import h1, make_cases  # noqa: F401

pytestmark = pytest.mark.django_db


def _reference(snapshot, path, monkeypatch, **kwargs):
    """The workbook as the openpyxl-only writer wrote it: every record sheet through ``_Sheet``."""
    with monkeypatch.context() as patch:
        patch.setattr(workbook, "_RecordSheet", workbook._Sheet, raising=False)
        workbook.write(snapshot, path, **kwargs)


def _cells(path, read_only=False):
    book = load_workbook(path, read_only=read_only)
    out = {}
    for name in book.sheetnames:
        rows = []
        for row in book[name].iter_rows():
            rows.append([(c.value, type(c.value).__name__, bool(c.font and c.font.b)) for c in row])
        out[name] = rows
    return book.sheetnames, out


@pytest.mark.parametrize("max_rows", [2, 3, 5, workbook.EXCEL_ROWS])
def test_every_cell_is_what_the_openpyxl_writer_wrote(tree, half_year, h1, tmp_path, monkeypatch, max_rows):  # noqa: F811
    make_cases(tree, 7)
    snapshot = figures.collect(tree.a, h1)
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    _reference(snapshot, old, monkeypatch, org_unit=tree.a, chunk_size=3, max_rows=max_rows)
    workbook.write(snapshot, new, org_unit=tree.a, chunk_size=3, max_rows=max_rows)
    names, cells = _cells(old)
    assert _cells(new) == (names, cells)
    assert _cells(new, read_only=True) == _cells(old, read_only=True)
    cases = [n for n in names if n.startswith("维权服务·劳动争议案件")]
    assert len(cases) == -(-13 // (max_rows - 1))  # 6 + 7 cases, max_rows − 1 a sheet
    first = cells[cases[0]]
    assert all(bold for _value, _type, bold in first[0]) and first[0][0][0] == "编号"
    assert all(kind == "int" for row in first[1:] for _value, kind, _bold in row[:1])  # ids stay numbers


def test_text_numbers_and_control_characters_survive_the_raw_sheet(tmp_path):
    from openpyxl import Workbook
    from openpyxl.utils.escape import unescape

    texts = ["<a & b>", "say \"hi\" 'x'", "  padded  ", "line\nbreak\ttab", "bell\x07nul\x00esc\x1b", "_x0041_", "✓"]
    numbers = [0, -3, 2**53, 1.5, True, False]
    book = Workbook(write_only=True)
    parts = []
    sheet = workbook._RawSheet(book, "记录", ["编号", "文本"], 1000, parts)
    for i, text in enumerate(texts):
        sheet.append([i, text])
    sheet.append([*numbers, None, "end"])
    path = tmp_path / "raw.xlsx"
    workbook._save(book, path, parts)
    rows = list(load_workbook(path)["记录"].iter_rows(values_only=True))
    assert rows[0][:2] == ("编号", "文本")
    assert [unescape(r[1]) for r in rows[1 : len(texts) + 1]] == texts  # Excel reads _xHHHH_ as the character
    assert [r[0] for r in rows[1 : len(texts) + 1]] == list(range(len(texts)))
    assert list(rows[-1][:8]) == [*numbers, None, "end"]
    assert [type(v) for v in rows[-1][:6]] == [int, int, int, float, bool, bool]
