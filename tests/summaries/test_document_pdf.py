"""The 工作总结 as PDF through LibreOffice: A4, the GB/T 9704 margins, and no heading ending a page.

Needs LibreOffice and poppler-utils (``make system-deps`` installs both); without them these tests
fail, saying so, rather than skip: a PDF nobody checks is how "nothing is made and nothing is said"
happened before.
"""

import io
import re
import shutil
import subprocess
import tempfile
from html import unescape

import pytest
from django.urls import reverse
from docx import Document

from summaries import document, services
from tests.cases.conftest import mediator  # noqa: F401  (fixtures of the hand-computed grievance half-year)
from tests.cases.test_summary import half_year  # noqa: F401
from tests.factories import fresh
from workflows import docx
from workflows.models import Period

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MM = 72 / 25.4  # points per millimetre
TOP, BOTTOM, LEFT, RIGHT = 37, 35, 28, 26  # GB/T 9704 margins, mm
A4 = (210, 297)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def _require_tools():
    for tool in ("soffice", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed: run `make system-deps` (libreoffice-writer-nogui, poppler-utils)")


def _pages(pdf):
    """``[(width_mm, height_mm, [(x0, y0, x1, y1, text) in mm])]`` per page, from pdftotext -bbox."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        html = subprocess.run(["pdftotext", "-bbox", f.name, "-"], capture_output=True, check=True, text=True).stdout
    return [
        (
            float(w) / MM,
            float(h) / MM,
            [(*(float(v) / MM for v in m.groups()[:4]), unescape(m.group(5))) for m in WORD.finditer(body)],
        )
        for w, h, body in PAGE.findall(html)
    ]


def _body(words, height):
    """The words of the text block (the page number sits in the bottom margin)."""
    return [w for w in words if w[1] < height - BOTTOM]


def _last_line(words):
    bottom = max(w[3] for w in words)
    return "".join(w[4] for w in sorted(words, key=lambda w: w[0]) if bottom - w[3] < 2)


def _headings(content):
    return [p.text for p in Document(io.BytesIO(content)).paragraphs if p.style.name.startswith("Heading")]


def _headings_ending_a_page(pdf, headings):
    squashed = [re.sub(r"\s", "", h) for h in headings]
    ends = []
    for _w, height, words in _pages(pdf):
        body = _body(words, height)
        last = re.sub(r"\s", "", _last_line(body)) if body else ""
        if last and any(h.startswith(last) for h in squashed):
            ends.append(last)
    return ends


def assert_laid_out_as_gb9704(pdf):
    pages = _pages(pdf)
    assert pages
    lefts, rights = [], []
    for number, (width, height, words) in enumerate(pages, 1):
        assert (round(width), round(height)) == A4, f"page {number} is {width:.0f}×{height:.0f} mm, not A4"
        body = _body(words, height)
        footer = [w[4] for w in words if w not in body]
        assert "".join(footer).replace(" ", "") == f"—{number}—", f"page {number}: footer {footer}"
        assert all(w[1] >= TOP - 1 and w[3] <= height - BOTTOM + 1 for w in body), f"page {number}: outside top/bottom"
        assert all(w[0] >= LEFT - 0.5 and w[2] <= width - RIGHT + 0.5 for w in body), f"page {number}: outside sides"
        lefts += [w[0] for w in body]
        rights += [w[2] for w in body]
    # the text block is exactly there: lines start at the left margin and full lines reach the right one
    assert abs(min(lefts) - LEFT) < 1
    assert A4[0] - RIGHT - max(rights) < 16 / MM + 0.5  # within one 三号 character


def test_the_report_pdf_is_a4_with_gb9704_margins_and_no_heading_ends_a_page(
    client,
    tree,
    half_year,  # noqa: F811
    h1_period,
    settings,
):
    _require_tools()
    settings.UNIONFLOW = {**settings.UNIONFLOW, "REPORT_PDF": True}
    report = services.report_request(period=h1_period, actor=fresh(tree.chair_a), run=lambda pk: None)
    report = services.report_run(report.pk)
    report.refresh_from_db()
    assert report.pdf, report.pdf_error
    assert report.pdf_error == ""
    with report.pdf.open("rb") as f:
        pdf = f.read()
    with report.document.open("rb") as f:
        content = f.read()
    assert_laid_out_as_gb9704(pdf)
    assert _headings_ending_a_page(pdf, _headings(content)) == []
    client.force_login(tree.chair_a)
    page = client.get(reverse("summaries:report", args=[report.pk])).content.decode()
    assert 'data-testid="report-pdf"' in page and "未生成 PDF" not in page
    assert client.get(reverse("summaries:file", args=[report.pk, "pdf"])).status_code == 200


def _long_document():
    """Chapters whose lengths vary so that headings fall at every height of a page."""
    doc = docx.new_document()
    document._page_numbers(doc)
    docx.title(doc, "滨江经济开发区总工会2026年上半年工作总结")
    for n in range(14):
        docx.heading(doc, f"{'一二三四五六七八九十'[n % 10]}、第{n + 1}章加强组织建设夯实工会基础", 1)
        for k in range(2):
            docx.heading(doc, f"（{'一二'[k]}）第{n + 1}章第{k + 1}节", 2)
            docx.paragraph(doc, "工会组织建设不断加强，" * (3 + (n * 7 + k * 5) % 9))
    return docx.to_bytes(doc)


def test_headings_keep_with_the_next_paragraph_in_a_long_document():
    _require_tools()
    content = _long_document()
    pdf = document.to_pdf(content)
    assert_laid_out_as_gb9704(pdf)
    assert _headings_ending_a_page(pdf, _headings(content)) == []
    # the same document with headings that do not keep with the next paragraph does leave one at
    # the foot of a page: the check above looks where it matters
    loose = Document(io.BytesIO(content))
    for level in (1, 2):
        loose.styles[f"Heading {level}"].paragraph_format.keep_with_next = False
    buffer = io.BytesIO()
    loose.save(buffer)
    assert _headings_ending_a_page(document.to_pdf(buffer.getvalue()), _headings(content))


@pytest.fixture
def h1_period(tree):
    return Period.objects.create(org_unit=tree.a, year=2026, kind=Period.Kind.FIRST_HALF)
