"""B3: the period close of the top org unit's 2026年上半年, beside the aggregate-SQL floor.

The close runs in a fresh process (``python benchmarks/b3_close.py --child``), so its peak resident
memory is the close's own: figures → charts → .docx → streamed .xlsx, the stages of
``report_run``, called directly so that the close can be repeated without reopening the period
(no period is closed, no file stored). ``value`` is the median time of the whole close;
``docx_s`` the .docx's fixed cost (``document.build`` alone), ``ratio`` = (value − docx) / floor.
The floor computes the same figures by hand-written conditional-aggregation SQL through psycopg:
one query per section for the unit and for each comparison period, one GROUP BY per section for
the unit table.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WHAT = "close 2026H1 of the top unit"


def _top_and_period():
    from workflows.models import OrgUnit, Period

    top = OrgUnit.objects.filter(parent=None).order_by("path").first()
    period = Period.objects.get(org_unit=top, year=2026, kind="H1")
    return top, period


def child():
    """One close, in this process; prints its timings, statements, peak memory and snapshot size."""
    import resource
    import tempfile

    sys.path.insert(0, str(Path.cwd()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflows.settings")
    import django

    django.setup()
    from django.core.serializers.json import DjangoJSONEncoder
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from summaries import charts, document, figures
    from summaries.models import Report

    top, period = _top_and_period()
    out = {}
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        snapshot = figures.collect(top, period)
        out["snapshot_bytes"] = len(json.dumps(snapshot, cls=DjangoJSONEncoder).encode())
        out["figures_s"] = time.perf_counter() - start
        out["figure_queries"] = len(queries.captured_queries)
        t = time.perf_counter()
        images = charts.render(snapshot)
        out["charts_s"] = time.perf_counter() - t
        report = Report(org_unit=top, period=period, snapshot=snapshot, problems="", plans="")
        t = time.perf_counter()
        document.build(report, images, closed_on=timezone.localdate())
        out["docx_s"] = time.perf_counter() - t
        t = time.perf_counter()
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as book:
            if hasattr(document, "workbook"):  # the code before issue #14: the whole book in memory
                book.write(document.workbook(snapshot))
            else:
                from summaries import workbook

                workbook.write(snapshot, book.name, org_unit=top)
            book.flush()
            out["xlsx_bytes"] = os.path.getsize(book.name)
        out["xlsx_s"] = time.perf_counter() - t
        out["total_s"] = time.perf_counter() - start
    out["queries"] = len(queries.captured_queries)
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print("B3RESULT " + json.dumps(out))


def close_in_subprocess(ctx, cwd=ROOT):
    env = os.environ | {"DATABASE_URL": ctx.dsn}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("B3RESULT "))
    return json.loads(line.removeprefix("B3RESULT "))


# -- the floor: the same figures by hand-written SQL -------------------------------------------
CASES = """
SELECT count(*) FILTER (WHERE {c}),
       count(*) FILTER (WHERE {c} AND is_collective),
       count(*) FILTER (WHERE {c} AND accepted_on IS NOT NULL),
       count(*) FILTER (WHERE {c} AND status = 'rejected'),
       count(*) FILTER (WHERE {c} AND status IN ('agreed', 'closed')),
       count(*) FILTER (WHERE {c} AND status = 'failed'),
       count(*) FILTER (WHERE {c} AND status = 'failed' AND expired),
       count(*) FILTER (WHERE {c} AND status = 'withdrawn'),
       count(*) FILTER (WHERE {c} AND status IN ('registered', 'mediating')),
       count(*) FILTER (WHERE {c} AND status IN ('agreed', 'closed', 'failed')),
       count(*) FILTER (WHERE {c} AND status IN ('agreed', 'closed', 'failed') AND concluded_on <= mediation_due),
       count(*) FILTER (WHERE filed_on < %(s)s AND status NOT IN ('duplicate', 'rejected')
                        AND (concluded_on IS NULL OR concluded_on >= %(s)s)
                        AND NOT (status = 'withdrawn' AND concluded_on < %(s)s)),
       count(DISTINCT employer_unit_id) FILTER (WHERE {c}),
       sum(workers_involved) FILTER (WHERE {c}), sum(amount_claimed) FILTER (WHERE {c}),
       sum(workers_involved) FILTER (WHERE {c} AND is_collective),
       sum(amount_claimed) FILTER (WHERE {c} AND is_collective),
       sum(amount_agreed) FILTER (WHERE {c} AND status IN ('agreed', 'closed')),
       avg(concluded_on - accepted_on) FILTER (WHERE {c} AND status IN ('agreed', 'closed', 'failed')),
       {by_channel}, {by_category}
FROM cases_grievancecase g JOIN workflows_orgunit o ON o.id = g.org_unit_id
WHERE o.path LIKE %(p)s AND filed_on <= %(e)s
"""
COHORT = "filed_on >= %(s)s AND status <> 'duplicate'"
AID = """
SELECT count(*), count(DISTINCT a.member_id), sum(d.amount), sum(d.amount) FILTER (WHERE a.filed_on < %(s)s),
       count(*) FILTER (WHERE m.is_model_worker), count(DISTINCT a.member_id) FILTER (WHERE m.is_model_worker),
       sum(d.amount) FILTER (WHERE a.hardship_file_id IS NULL), avg(d.paid_on - a.filed_on),
       {by_type}
FROM aid_disbursement d JOIN aid_aidapplication a ON a.id = d.application_id
JOIN workflows_orgunit o ON o.id = a.org_unit_id JOIN workflows_member m ON m.id = a.member_id
WHERE o.path LIKE %(p)s AND d.paid_on BETWEEN %(s)s AND %(e)s
"""
AID_SMALL = """
SELECT (SELECT count(*) FROM aid_aidapplication a JOIN workflows_orgunit o ON o.id = a.org_unit_id
        WHERE o.path LIKE %(p)s AND a.filed_on <= %(e)s AND a.status IN ('approved', 'approving', 'upper_approving')),
       (SELECT sum(b.amount) || '/' || sum(b.paid) FROM aid_fundbudget b JOIN aid_fund f ON f.id = b.fund_id
        JOIN workflows_orgunit o ON o.id = f.org_unit_id JOIN workflows_period p ON p.id = b.period_id
        WHERE o.path LIKE %(p)s AND p.starts_on <= %(e)s AND p.ends_on >= %(s)s),
       (SELECT count(*) FILTER (WHERE filed_on BETWEEN %(s)s AND %(e)s)
             || '/' || count(*) FILTER (WHERE lifted_on BETWEEN %(s)s AND %(e)s)
        FROM aid_hardshipfile h JOIN workflows_orgunit o ON o.id = h.org_unit_id WHERE o.path LIKE %(p)s)
"""
PROPOSALS = """
SELECT count(*) FILTER (WHERE {c}), count(*) FILTER (WHERE {c} AND answered_on IS NOT NULL),
       count(*) FILTER (WHERE {c} AND answered_on IS NOT NULL AND NOT answered_late),
       count(*) FILTER (WHERE {c} AND decided_on IS NOT NULL AND NOT is_suggestion
                        AND status NOT IN ('merged', 'rejected')),
       count(*) FILTER (WHERE {c} AND is_suggestion), count(*) FILTER (WHERE {c} AND status = 'merged'),
       count(*) FILTER (WHERE {c} AND status = 'rejected'), count(*) FILTER (WHERE {c} AND rehandled),
       count(*) FILTER (WHERE {c} AND status = 'archived'),
       count(*) FILTER (WHERE {c} AND answered_on <= answer_due),
       count(*) FILTER (WHERE {c} AND status = 'handling' AND answered_on IS NULL),
       count(*) FILTER (WHERE submitted_on < %(s)s AND (answered_on IS NULL OR answered_on >= %(s)s)
                        AND status IN ('submitted', 'handling', 'answered', 'archived')),
       count(*) FILTER (WHERE {c} AND satisfaction = 'satisfied'),
       count(*) FILTER (WHERE {c} AND satisfaction = 'fairly'),
       count(*) FILTER (WHERE {c} AND satisfaction = 'unsatisfied')
FROM proposals_proposal x JOIN workflows_orgunit o ON o.id = x.org_unit_id
WHERE o.path LIKE %(p)s AND submitted_on <= %(e)s
"""
PROPOSAL_COHORT = "submitted_on >= %(s)s"
BY_UNIT = """
SELECT left(o.path, %(n)s), count(*), count(*) FILTER (WHERE status IN ('agreed', 'closed'))
FROM cases_grievancecase g JOIN workflows_orgunit o ON o.id = g.org_unit_id
WHERE o.path LIKE %(p)s AND length(o.path) > %(n0)s AND filed_on BETWEEN %(s)s AND %(e)s AND status <> 'duplicate'
GROUP BY 1
"""
AID_BY_UNIT = """
SELECT left(o.path, %(n)s), count(DISTINCT a.member_id), sum(d.amount)
FROM aid_disbursement d JOIN aid_aidapplication a ON a.id = d.application_id
JOIN workflows_orgunit o ON o.id = a.org_unit_id
WHERE o.path LIKE %(p)s AND length(o.path) > %(n0)s AND d.paid_on BETWEEN %(s)s AND %(e)s GROUP BY 1
"""
PROPOSALS_BY_UNIT = """
SELECT left(o.path, %(n)s), count(*), count(*) FILTER (WHERE answered_on IS NOT NULL),
       count(*) FILTER (WHERE satisfaction IN ('satisfied', 'fairly'))
FROM proposals_proposal x JOIN workflows_orgunit o ON o.id = x.org_unit_id
WHERE o.path LIKE %(p)s AND length(o.path) > %(n0)s AND submitted_on BETWEEN %(s)s AND %(e)s GROUP BY 1
"""


def _choices(column, values):
    return ", ".join(f"count(*) FILTER (WHERE {{c}} AND {column} = '{v}')" for v in values)


def floor_statements():
    from aid.models import AidType
    from cases.models import GrievanceCase

    cases = CASES.replace("{by_channel}", _choices("channel", GrievanceCase.Channel.values)).replace(
        "{by_category}", _choices("category", GrievanceCase.Category.values)
    )
    by_type = ", ".join(f"sum(d.amount) FILTER (WHERE a.aid_type = '{v}')" for v in AidType.values)
    return (
        cases.replace("{c}", COHORT),
        AID.replace("{by_type}", by_type),
        AID_SMALL,
        PROPOSALS.replace("{c}", PROPOSAL_COHORT),
    )


def floor_once(conn, top, period):
    import datetime

    from summaries.figures import shift_year

    s, e = period.starts_on, period.ends_on
    length = e - s + datetime.timedelta(days=1)
    before_end = s - datetime.timedelta(days=1)
    ranges = [
        (s, e),
        (shift_year(s, -1), shift_year(e, -1)),
        (before_end - length + datetime.timedelta(days=1), before_end),
    ]
    prefix = top.path + "%"
    for start, end in ranges:
        for sql in floor_statements():
            conn.execute(sql, {"p": prefix, "s": start, "e": end}).fetchall()
    n = len(top.path) + 7  # a child's path: the parent's and one more "000123/"
    for sql in (BY_UNIT, AID_BY_UNIT, PROPOSALS_BY_UNIT):
        conn.execute(sql, {"p": prefix, "n": n, "n0": len(top.path), "s": s, "e": e}).fetchall()


def _floor(ctx):
    top, period = _top_and_period()
    timings = []
    for _ in range(ctx.repeat):
        start = time.perf_counter()
        floor_once(ctx.floor_conn, top, period)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def run(ctx):
    repeat = max(1, min(ctx.repeat, int(os.environ.get("B3_REPEAT", 3))))
    closes = [close_in_subprocess(ctx) for _ in range(repeat)]
    median = {
        k: statistics.median(c[k] for c in closes) for k in ("total_s", "figures_s", "docx_s", "xlsx_s", "charts_s")
    }
    floor = _floor(ctx)
    value = median["total_s"]
    last = closes[-1]
    return {
        "what": WHAT,
        "value": value,
        "floor": floor,
        "ratio": round((value - median["docx_s"]) / floor, 2) if floor else None,
        "queries": last["queries"],
        "size": ctx.size,
        "peak_mb": max(c["peak_mb"] for c in closes),
        "snapshot_bytes": last["snapshot_bytes"],
        "docx_s": round(median["docx_s"], 3),
        "xlsx_s": round(median["xlsx_s"], 3),
        "rows": [
            {
                "figures_s": round(median["figures_s"], 3),
                "charts_s": round(median["charts_s"], 3),
                "docx_s": round(median["docx_s"], 3),
                "xlsx_s": round(median["xlsx_s"], 3),
                "xlsx_bytes": last["xlsx_bytes"],
                "figure_queries": last["figure_queries"],
                "snapshot_bytes": last["snapshot_bytes"],
                "peak_mb": max(c["peak_mb"] for c in closes),
            }
        ],
    }


def growth(ctx):
    close = close_in_subprocess(ctx)
    return {"value": close["total_s"], "floor": _floor(ctx), "peak_mb": close["peak_mb"], "what": WHAT}


if __name__ == "__main__" and "--child" in sys.argv:
    child()
