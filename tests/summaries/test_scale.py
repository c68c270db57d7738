"""The period close does not grow with the record count: a fixed number of queries, a snapshot
without id lists, a workbook streamed with each record once per sheet — and every figure is still
traced to exactly the records it counts."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from cases import services as case_services
from summaries import figures, services, workbook
from summaries.models import Report
from tests.cases.conftest import mediator, register_kwargs  # noqa: F401  (half_year needs mediator)
from tests.cases.test_summary import half_year  # noqa: F401
from tests.factories import fresh, grant, make_user
from workflows.models import Period
from workflows.roles import Role
from workflows.transitions import run_transition

pytestmark = pytest.mark.django_db

D = datetime.date
FIGURE_QUERIES = 33  # figures.collect for 甲公司工会, measured at 3 records
# report_run: figures, charts, close date, .docx, streamed .xlsx, files and period close, and the
# chapters' first version; measured at 3
RUN_QUERIES = 62
# ... plus, on PostgreSQL, the audit chain's advisory lock when the period's close is recorded
CHAIN_LOCK = {"postgresql": 1}


@pytest.fixture
def h1(tree):
    return Period.objects.create(org_unit=tree.a, year=2026, kind=Period.Kind.FIRST_HALF)


def make_cases(tree, n, name="职工"):
    """``n`` cases of 甲公司工会 in 2026年上半年: half accepted, a quarter agreed."""
    m = make_user(f"mediator_{name}", name="吴调解", unit=tree.a, employer=tree.employer_a)
    m = fresh(grant(m, Role.MEDIATOR, tree.a))
    made = []
    for i in range(n):
        case = case_services.case_register(
            actor=m,
            **register_kwargs(
                tree,
                channel=["phone", "visit", "letter"][i % 3],
                applicant_name=f"{name}{i}",
                amount_claimed=Decimal(100 * (i + 1)),
                filed_on=D(2026, 1 + i % 6, 1 + i % 28),
            ),
        )
        if i % 2 == 0:
            accepted = D(2026, 1 + i % 6, 2 + i % 27)
            due = accepted + datetime.timedelta(days=15)
            run_transition(
                case, "accept", actor=m, check_permission=False, on_date=accepted, mediator=m, mediation_due=due
            )
            if i % 4 == 0:
                run_transition(
                    case, "agree", actor=m, check_permission=False, on_date=accepted + datetime.timedelta(days=3),
                    amount=Decimal(50), terms="支付", performance_due=accepted + datetime.timedelta(days=30),
                )  # fmt: skip
        made.append(case)
    return made


@pytest.mark.parametrize("n", [3, 30])
def test_figures_take_the_same_number_of_queries_for_3_or_30_cases(tree, h1, n, django_assert_max_num_queries):
    make_cases(tree, n)
    with django_assert_max_num_queries(FIGURE_QUERIES):
        snapshot = figures.collect(tree.a, h1)
    assert snapshot["sections"]["cases"]["figures"]["received"]["value"] == n


@pytest.mark.parametrize("n", [3, 30])
def test_the_close_takes_the_same_number_of_queries_for_3_or_30_cases(tree, h1, n, django_assert_max_num_queries):
    make_cases(tree, n)
    report = services.report_request(period=h1, actor=fresh(tree.chair_a), run=lambda pk: None)
    with django_assert_max_num_queries(RUN_QUERIES + CHAIN_LOCK.get(connection.vendor, 0)):
        report = services.report_run(report.pk)
    assert report.status == Report.Status.DONE


def _numbers(value):
    """Every list of numbers anywhere in a JSON value (an id list would be one)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        if value and all(isinstance(v, int) for v in value):
            yield value
        for v in value:
            yield from _numbers(v)


def test_the_snapshot_holds_no_id_lists_and_does_not_grow_with_the_records(tree, h1):
    make_cases(tree, 3)
    small = figures.collect(tree.a, h1)
    make_cases(tree, 27, name="工人")
    large = figures.collect(tree.a, h1)
    assert large["sections"]["cases"]["figures"]["received"]["value"] == 30
    assert not list(_numbers(large))
    # the same keys and queries; only the digits of the values differ
    assert abs(len(json.dumps(large)) - len(json.dumps(small))) < 200


def test_each_figure_page_lists_exactly_the_records_it_counts(client, tree, half_year, h1):  # noqa: F811
    c1, c2, c3, c4, c5, c6 = half_year
    report = services.report_run(services.report_request(period=h1, actor=fresh(tree.chair_a), run=lambda pk: None).pk)
    client.force_login(tree.chair_a)
    expected = {
        "received": [c1, c2, c3, c4, c5, c6],
        "successful": [c1, c4],
        "collective": [c2],
        "rejected": [c3],
        "withdrawn": [c5],
        "open": [c6],
        "category_wages": [c1, c4],
    }
    for key, cases in expected.items():
        page = client.get(reverse("summaries:figure_records", args=[report.pk, "cases", key])).content.decode()
        listed = sorted(int(pk) for pk in re.findall(r'<tr class="record"><td>(\d+)</td>', page))
        counted = figures.find_figure(report.snapshot, "cases", key)["value"]
        assert listed == sorted(c.pk for c in cases) and len(listed) == counted, key
        assert f'<span id="record-count">{counted}</span>' in page
    # a rate lists its denominator's records: 调解终结 = 调解成功 + 调解不成
    page = client.get(reverse("summaries:figure_records", args=[report.pk, "cases", "success_rate"])).content.decode()
    assert sorted(int(pk) for pk in re.findall(r'<tr class="record"><td>(\d+)</td>', page)) == sorted(
        [c1.pk, c2.pk, c4.pk]
    )
    missing = client.get(reverse("summaries:figure_records", args=[report.pk, "cases", "no_such_figure"]))
    assert missing.status_code == 404


def test_a_figure_page_is_for_the_chair_only(client, tree, half_year, h1):  # noqa: F811
    report = services.report_run(services.report_request(period=h1, actor=fresh(tree.chair_a), run=lambda pk: None).pk)
    client.force_login(tree.committee_b)
    url = reverse("summaries:figure_records", args=[report.pk, "cases", "received"])
    assert client.get(url).status_code == 404


def test_the_workbook_continues_on_a_new_sheet_before_the_row_limit(tree, half_year, h1, tmp_path):  # noqa: F811
    snapshot = figures.collect(tree.a, h1)
    path = tmp_path / "book.xlsx"
    workbook.write(snapshot, path, org_unit=tree.a, chunk_size=2, max_rows=3)  # a header and two records a sheet
    book = load_workbook(path, read_only=True)
    names = [n for n in book.sheetnames if n.startswith("维权服务·劳动争议案件")]
    assert names == ["维权服务·劳动争议案件", "维权服务·劳动争议案件（续1）", "维权服务·劳动争议案件（续2）"]
    listed = []
    for name in names:
        rows = list(book[name].iter_rows(values_only=True))
        assert rows[0][0] == "编号" and len(rows) <= 3
        listed += [r[0] for r in rows[1:]]
    assert sorted(listed) == sorted(c.pk for c in half_year) and len(set(listed)) == len(listed)
    fig_rows = {r[1]: r for r in book["指标"].iter_rows(min_row=2, values_only=True)}
    assert fig_rows["cases.received"][3] == 6 and fig_rows["cases.received"][6] == 6
    assert "grievancecase" in fig_rows["cases.received"][8]  # how to select its records


def test_comparisons_reuse_the_finished_report_of_last_year(tree, half_year, h1):  # noqa: F811
    last = Period.objects.create(org_unit=tree.a, year=2025, kind=Period.Kind.FIRST_HALF)
    reported = {"cases": {"figures": {"received": {"value": 41}, "successful": {"value": 7}}}}
    Report.objects.create(org_unit=tree.a, period=last, status=Report.Status.DONE, snapshot={"sections": reported})
    snapshot = figures.collect(tree.a, h1)
    assert snapshot["comparisons"]["last_year"]["cases"] == {"received": 41, "successful": 7}


def test_the_unit_table_by_group_by_matches_each_units_own_figures(tree, half_year, h1, django_assert_num_queries):  # noqa: F811
    s, e = D(2026, 1, 1), D(2026, 6, 30)
    with django_assert_num_queries(4):  # the units, then one GROUP BY per section
        table = figures.units_table(tree.top, s, e)
    own = [{"name": unit.name, **figures.headlines_of(figures.compute(unit, s, e))} for unit in (tree.a, tree.b)]
    assert table == own
    assert table[0]["cases"]["received"] == 6 and table[1]["cases"]["received"] == 1


def test_a_report_stored_with_id_lists_is_computed_afresh_when_written_again(tree, half_year, h1):  # noqa: F811
    """Snapshots stored before the figures named their selections held id lists; writing such a
    report again computes its figures first instead of failing on the missing selections."""
    report = services.report_request(period=h1, actor=fresh(tree.chair_a), run=lambda pk: None)
    report = services.report_run(report.pk)
    legacy = json.loads(json.dumps(report.snapshot))
    for section in legacy["sections"].values():
        section.pop("selections")
        for fig in section["figures"].values():
            fig["ids"] = [1, 2, 3]
            fig.pop("records", None)
    Report.objects.filter(pk=report.pk).update(snapshot=legacy)
    report.refresh_from_db()
    assert not figures.is_current(report.snapshot)
    services.report_regenerate(report=report, actor=fresh(tree.chair_a), run=lambda pk: None)
    report = services.report_run(report.pk)
    assert report.status == Report.Status.DONE
    assert figures.is_current(report.snapshot)
    assert "ids" not in json.dumps(report.snapshot["sections"])
