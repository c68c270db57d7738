"""Benchmarks: queue page cost as the number of tasks grows (queries and time per page).

Prints a table; the ratio columns compare 1,000 and 10,000 tasks with 100. Run with `make bench`.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflows.settings")
os.environ.setdefault("UNIONFLOW_VAR_DIR", str(ROOT / "var" / "bench"))
BENCH_DB = ROOT / "var" / "bench" / "bench.sqlite3"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{BENCH_DB}")


def main():
    import django

    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    if BENCH_DB.exists():
        BENCH_DB.unlink()
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_tree
    from tests.workflows.test_queue import make_review_tasks
    from workflows.celery import app

    app.conf.task_always_eager = True
    call_command("migrate", verbosity=0)
    tree = make_tree()
    client = Client()
    client.force_login(tree.committee_a)
    rows = []
    have = 0
    for total in (100, 1000, 10000):
        make_review_tasks(tree, total - have)
        have = total
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get("/tasks/box/queue/")
                timings.append(time.perf_counter() - start)
            assert response.status_code == 200
        rows.append((total, len(ctx.captured_queries), sorted(timings)[2] * 1000))
    base = rows[0][2]
    print("| tasks | queries | median ms | time ratio vs 100 |")
    print("|---:|---:|---:|---:|")
    for total, queries, ms in rows:
        print(f"| {total} | {queries} | {ms:.1f} | {ms / base:.2f} |")


if __name__ == "__main__":
    main()
