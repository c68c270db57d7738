"""What every benchmark shares: the run's context, timing, statement counting, EXPLAIN, floors.

A benchmark module ``benchmarks/bN_<name>.py`` exposes ``run(ctx) -> dict`` returning at least
``value`` (seconds, the median of the measured operation), ``floor`` (seconds, the same rows read or
written by hand-written SQL through psycopg, measured in the same run), ``ratio`` (value / floor),
``queries`` (statements, BEGIN/SAVEPOINT/RELEASE/COMMIT/ROLLBACK not counted) and ``size`` (what
the data held), plus ``rows``: a list of dicts, one per measured item, for the printed table.
It may also expose ``growth(ctx) -> dict`` (``{"value": s, "floor": s}``) for the growth curves.
"""

import json
import os
import re
import resource
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PLANS = RESULTS / "plans"

# statements that frame a transaction rather than do work; not counted against the goals
_FRAMING = re.compile(r"^\s*(BEGIN|SAVEPOINT|RELEASE\s+SAVEPOINT|ROLLBACK|COMMIT|SET\b)", re.IGNORECASE)

# tables whose sequential scan fails a plan check once they hold a provincial federation's data
BIG_TABLES = (
    "cases_grievancecase",
    "cases_mediationsession",
    "aid_aidapplication",
    "aid_disbursement",
    "aid_verification",
    "proposals_proposal",
    "proposals_second",
    "viewflow_process",
    "viewflow_task",
    "workflows_unionprocess",
    "workflows_taskdeadline",
    "workflows_auditevent",
    "workflows_notification",
    "workflows_member",
)


@dataclass
class Context:
    scale: str  # "small" or "full"
    size: dict  # what generate_scale_data was asked for: cases, aid, proposals, units, open_tasks
    dsn: str  # libpq connection string of the benchmark database, for the psycopg floors
    repeat: int = 7
    notes: list = field(default_factory=list)

    _floor = None

    @property
    def floor_conn(self):
        """One autocommit psycopg connection on the same database, for the hand-written SQL floors."""
        if self._floor is None:
            import psycopg

            self._floor = psycopg.connect(self.dsn, autocommit=True)
        return self._floor

    def close(self):
        if self._floor is not None:
            self._floor.close()
            self._floor = None


def median_time(fn, repeat=7, setup=None):
    """Median wall time of ``fn()`` over ``repeat`` runs (``setup()`` before each, not timed)."""
    timings = []
    for _ in range(repeat):
        arg = setup() if setup else None
        start = time.perf_counter()
        fn(arg) if setup else fn()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def percentile(values, p):
    values = sorted(values)
    if not values:
        return None
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def is_framing(sql):
    return bool(_FRAMING.match(sql))


def statements(fn):
    """``(result, [sql, ...])``: what ``fn()`` sent on Django's connection, framing left out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, [q["sql"] for q in ctx.captured_queries if not is_framing(q["sql"])]


def ratio(value, floor):
    return round(value / floor, 2) if floor else None


def explain(sql, params=(), *, conn=None):
    """The JSON plan of ``sql`` (EXPLAIN without ANALYZE: what the planner chose)."""
    if conn is None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
    else:
        plan = conn.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()[0]
    return json.loads(plan) if isinstance(plan, str) else plan


def seq_scans(plan, tables=BIG_TABLES):
    """Names of the big tables the plan reads by sequential scan."""
    found = []

    def walk(node):
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in tables:
            found.append(node["Relation Name"])
        for child in node.get("Plans", ()):
            walk(child)

    for item in plan:
        walk(item["Plan"])
    return found


def save_plan(name, sql, plan):
    PLANS.mkdir(parents=True, exist_ok=True)
    (PLANS / f"{name}.json").write_text(json.dumps({"sql": sql, "plan": plan}, ensure_ascii=False, indent=1))


def peak_rss_mb():
    """This process's peak resident memory so far, in MB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def env_int(name, default):
    return int(os.environ.get(name, default))
