"""`make bench`: UnionFlow at a provincial federation's size, on PostgreSQL, beside the raw-SQL floor.

    make bench                 # small size, minutes
    SCALE=full make bench      # 1M cases, 200k aid, 50k proposals, 20k units, 100k open tasks
    BENCH=B2,B3 make bench     # some of the benchmarks only
    BENCH_CASES=10000,100000 make bench   # other sizes for the growth curve (the last one tabled)

For each size of the growth curve a fresh database is filled by ``generate_scale_data``; each
benchmark module measures its operation and, in the same run on the same database, the floor:
the same rows read or written by hand-written SQL through psycopg.  The largest size gives the
table; ``benchmarks/results/latest.json`` holds it, ``growth.png`` the curves, ``plans/`` the
EXPLAIN plans of the queue queries.
"""

import datetime
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import RESULTS, Context, ratio  # noqa: E402

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DBNAME = os.environ.get("BENCH_DB", "uf_bench")
SCALE = os.environ.get("SCALE", "small")

FULL = {"cases": 1_000_000, "aid": 200_000, "proposals": 50_000, "units": 20_000, "open_tasks": 100_000}
# the growth curve's sizes (cases); the other counts keep the full size's proportions
GROWTH = {"small": (2_000, 20_000), "full": (10_000, 100_000, 1_000_000)}
MODULES = {"B1": "b1_transitions", "B2": "b2_queue", "B3": "b3_close", "B4": "b4_load"}
# reads first; B4 before B1, because B1's floors copy the rows a transition wrote (audit events
# and payments of the same records included), which B4's invariant check would rightly flag
ORDER = ("B2", "B3", "B4", "B1")


def size_for(cases):
    f = cases / FULL["cases"]
    return {k: max(1, round(v * f)) for k, v in FULL.items()} | {"cases": cases, "units": max(40, round(20_000 * f))}


def admin_sql(sql):
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def fresh_database(size):
    """Drop and create the benchmark database from a migrated template, then fill it."""
    template = f"{DBNAME}_template"
    admin_sql(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
    if not os.environ.get("BENCH_TEMPLATE_READY"):
        admin_sql(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        admin_sql(f'CREATE DATABASE "{template}"')
        env = os.environ | {"DATABASE_URL": f"{SERVER}/{template}"}
        subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
        os.environ["BENCH_TEMPLATE_READY"] = "1"
    admin_sql(f'CREATE DATABASE "{DBNAME}" TEMPLATE "{template}"')
    args = [f"--{k.replace('_', '-')}={v}" for k, v in size.items()]
    start = time.perf_counter()
    env = os.environ | {"DATABASE_URL": f"{SERVER}/{DBNAME}"}
    subprocess.run(
        [sys.executable, "manage.py", "generate_scale_data", *args, "--seed", "1"], cwd=ROOT, env=env, check=True
    )
    return time.perf_counter() - start


def setup_django():
    os.environ["DATABASE_URL"] = f"{SERVER}/{DBNAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflows.settings")
    os.environ.setdefault("UNIONFLOW_VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()
    from django.db import connections

    connections.close_all()


def plot_growth(growth):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    # a curve needs two sizes (B4 runs at the largest only)
    keys = sorted(
        k for k in {k for point in growth for k in point["results"]} if sum(k in p["results"] for p in growth) > 1
    )
    if not keys:
        return None
    fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 3.6), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        xs = [p["size"]["cases"] for p in growth if key in p["results"]]
        for series, style in (("value", "o-"), ("floor", "s--")):
            ys = [p["results"][key][series] * 1000 for p in growth if key in p["results"]]
            ax.plot(xs, ys, style, label="UnionFlow" if series == "value" else "raw SQL floor")
        ax.set_xscale("log")
        ax.set_yscale("log")
        what = next((p["results"][key].get("what") for p in growth if p["results"].get(key, {}).get("what")), "")
        ax.set_title(f"{key}: {what}", fontsize=9)
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel("cases in the database")
        ax.set_ylabel("ms")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = RESULTS / "growth.png"
    fig.savefig(path, dpi=110)
    return path


def print_table(results):
    print()
    print("| bench | what | size | value ms | floor ms | ratio | queries | extra |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for key in sorted(results):
        r = results[key]
        extra = ", ".join(f"{k}={r[k]}" for k in ("peak_mb", "errors", "p50", "p95", "p99", "rps") if k in r)
        print(
            f"| {key} | {r.get('what', '')} | {r.get('size', '')} | {r['value'] * 1000:.1f} | "
            f"{(r['floor'] or 0) * 1000:.1f} | {r['ratio']} | {r['queries']} | {extra} |"
        )
        for row in r.get("rows", ()):
            cells = ", ".join(f"{k}={v}" for k, v in row.items())
            print(f"|  | {cells} | | | | | | |")


def main():
    wanted = [k for k in ORDER if k in os.environ.get("BENCH", ",".join(ORDER)).split(",")]
    RESULTS.mkdir(parents=True, exist_ok=True)
    growth, results = [], {}
    sizes = GROWTH[SCALE]
    if os.environ.get("BENCH_CASES"):  # e.g. BENCH_CASES=10000,100000: the growth sizes, the last one tabled
        sizes = tuple(int(n) for n in os.environ["BENCH_CASES"].split(","))
    django_ready = False
    for i, cases in enumerate(sizes):
        size = size_for(cases) if cases != FULL["cases"] else dict(FULL)
        print(f"== {cases:,} cases: generating {size}", flush=True)
        seconds = fresh_database(size)
        print(f"   generated in {seconds:.0f} s", flush=True)
        if not django_ready:
            setup_django()
            django_ready = True
        from django.db import connections

        connections.close_all()
        ctx = Context(scale=SCALE, size=size, dsn=f"{SERVER}/{DBNAME}")
        last = i == len(sizes) - 1
        point = {"size": size, "generate_s": round(seconds, 1), "results": {}}
        for key in wanted:
            module = importlib.import_module(f"benchmarks.{MODULES[key]}")
            if last:
                print(f"-- {key} ({module.__name__})", flush=True)
                results[key] = module.run(ctx)
                results[key].setdefault("ratio", ratio(results[key]["value"], results[key]["floor"]))
                # the growth curve measures the same thing at every size: growth() when the module has one
                if hasattr(module, "growth"):
                    point["results"][key] = module.growth(ctx)
                else:
                    keep = ("value", "floor", "what")
                    point["results"][key] = {k: results[key][k] for k in keep if k in results[key]}
            elif hasattr(module, "growth"):
                point["results"][key] = module.growth(ctx)
        ctx.close()
        growth.append(point)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    out = {
        "meta": {
            "scale": SCALE,
            "size": growth[-1]["size"],
            "commit": commit.strip(),
            "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.node()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        },
        **results,
        "growth": growth,
    }
    (RESULTS / "latest.json").write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str))
    plot_growth(growth)
    print_table(results)
    print(f"\nwritten {RESULTS / 'latest.json'} and {RESULTS / 'growth.png'}")


if __name__ == "__main__":
    main()
