"""导出 Excel: a list's filtered records with the columns the page shows, as the viewer sees them.

The workbook is written row by row (openpyxl's write-only mode) into a spooled temporary file and
streamed back, so a list of tens of thousands of rows never sits in memory as cells.  Each cell is
what the list shows the viewer: personal data masked unless their role reads it (the caller passes
values through :mod:`workflows.pii`).  Each export is one event in the audit trail, on the
exporting person's member record: who, when, which list, which filter, how many rows.
"""

import re
import tempfile
from urllib.parse import quote

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .models import Member
from .transitions import audit

MAX_ROWS = 100_000  # one sheet holds 1,048,576; a list this long is narrowed by its filters first
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_response(*, request, title, headers, rows, filters=""):
    """Stream ``rows`` (iterables of cell values, already as the viewer may see them)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(title)[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        if count >= MAX_ROWS:
            break
        sheet.append([_ILLEGAL.sub("", v) if isinstance(v, str) else v for v in row])
        count += 1
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    book.save(spool)
    spool.seek(0)
    member = Member.objects.filter(user=request.user).first()
    if member is not None:
        audit(
            member,
            actor=request.user,
            action="export",
            action_label=_("导出"),
            reason=_("导出“%(title)s”%(n)s条%(filters)s")
            % {"title": title, "n": count, "filters": f"（筛选：{filters}）" if filters else ""},
        )
    name = f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(spool, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
