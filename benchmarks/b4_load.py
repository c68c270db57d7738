"""B4 load: 50 users against gunicorn (production profile) + a Celery worker on Redis, then the invariants.

Workers file cases through the API, committee members claim and accept them, readers open their
inbox and queue pages with a session.  Locust runs headless in a subprocess (it monkey-patches with
gevent, which must not happen inside this Django process) for ``BENCH_LOAD_SECONDS`` (default 30).

value   the median request latency (p50, seconds) under that load
floor   the median time of the same work done by hand-written SQL on one psycopg connection: one
        filing's insert or one queue page's read, alternating as the users' requests do
ratio   value / floor
rps, p50/p95/p99 (ms), errors: every failed request (non-2xx/3xx, or a queue page that did not answer
200) plus every failing invariant.  Lost claim races (409) are expected and reported as ``conflicts``.
"""

import csv
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))
BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/7")
# bench data (generate_scale_data) first, the demo data (seed_demo) otherwise
ROLES = (
    {
        "worker": "bench_worker",
        "committee": "bench_committee",
        "mediator": "bench_mediator",
        "password": "bench2026",
        "readers": ("bench_committee", "bench_chair", "bench_mediator", "bench_finance"),
    },
    {
        "worker": "zhigong",
        "committee": "weiyuan",
        "mediator": "tiaojie",
        "password": "unionflow2026",
        "readers": ("weiyuan", "zhuxi", "tiaojie", "caiwu"),
    },
)


def _roles():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for roles in ROLES:
        if users.filter(username=roles["worker"]).exists():
            return roles
    raise RuntimeError("neither bench_* nor seed_demo users in the database")


def _server_env(ctx, var):
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": ctx.dsn,
        "CELERY_BROKER_URL": BROKER,
        "STATIC_ROOT": str(var / "static"),
        "UNIONFLOW_VAR_DIR": str(var / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DEBUG", None)
    return env


def _start(args, env, log):
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(process):
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_for_port(process, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text(errors="replace")):
            return int(found[1])
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text(errors='replace')[-4000:]}")


def _token(username, env):
    out = subprocess.run(
        [sys.executable, "manage.py", "api_token", username, "--name", "B4", "--days", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def _locust(port, env, var):
    prefix = var / "locust"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "-u",
            str(USERS),
            "-r",
            "10",
            "-t",
            f"{SECONDS}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "5",
        ],
        cwd=ROOT,
        env=env,
        timeout=SECONDS + 120,
        check=False,
        stdout=(var / "locust.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    with open(f"{prefix}_stats.csv") as f:
        rows = list(csv.DictReader(f))
    return rows


def floor(ctx, n=200):
    """One filing's insert and one queue page's read by hand-written SQL, alternating; median seconds."""
    conn = ctx.floor_conn
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS b4_filing (LIKE cases_grievancecase INCLUDING DEFAULTS)")
    columns = [
        r[0]
        for r in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'cases_grievancecase' ORDER BY ordinal_position"
        )
    ]
    row = conn.execute("SELECT * FROM cases_grievancecase ORDER BY id DESC LIMIT 1").fetchone()
    insert = f"INSERT INTO b4_filing ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    queue = (
        "SELECT t.id, t.flow_task, t.created, t.process_id FROM viewflow_task t "
        "WHERE t.status = 'NEW' AND t.owner_id IS NULL ORDER BY t.created DESC LIMIT 20"
    )
    times = []
    for i in range(n):
        start = time.perf_counter()
        if i % 2 and row:
            with conn.transaction():
                conn.execute(insert, row)
        else:
            conn.execute(queue).fetchall()
        times.append(time.perf_counter() - start)
    conn.execute("DROP TABLE b4_filing")
    return median(times)


def check_invariants(*, since=None):
    """Re-check what no load may break; ``{name: {"ok": bool, "detail": str}}``.

    fund_never_negative         no budget's amount, reserved, paid or remaining below zero
    no_double_payment           no application paid twice: at most one ``pay`` event each, a paid
                                application has its one disbursement, and each budget's ``paid`` is
                                the sum of its disbursements (a second debit without a row shows here)
    one_audit_event_per_transition  for every record with an event at or after ``since`` (all when
                                None), its state-changing events chain: each one starts where the
                                previous ended and the last ends in the record's status
    verify_audit                ``manage.py verify_audit``: the hash chain is intact
    """
    import datetime
    from collections import defaultdict
    from functools import reduce
    from io import StringIO
    from operator import or_

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import CommandError, call_command
    from django.db.models import Count, F, Q, Sum

    from aid.models import AidApplication, Disbursement, FundBudget
    from workflows.models import AuditEvent

    def result(bad, what, checked):
        return {"ok": not bad, "detail": f"{len(bad)} {what}: {bad[:5]}" if bad else f"ok, {checked} checked"}

    out = {}
    negative = list(
        FundBudget.objects.filter(
            Q(amount__lt=0) | Q(reserved__lt=0) | Q(paid__lt=0) | Q(amount__lt=F("reserved") + F("paid"))
        ).values_list("pk", flat=True)
    )
    out["fund_never_negative"] = result(negative, "budgets below zero", f"{FundBudget.objects.count()} budgets")

    application_type = ContentType.objects.get_for_model(AidApplication, for_concrete_model=False)
    paid_twice = list(
        AuditEvent.objects.filter(content_type=application_type, to_state=AidApplication.Status.PAID)
        .exclude(from_state=AidApplication.Status.PAID)
        .values("object_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("object_id", flat=True)
    )
    unpaid = list(
        AidApplication.objects.filter(status=AidApplication.Status.PAID, disbursement__isnull=True).values_list(
            "pk", flat=True
        )
    )
    sums = dict(Disbursement.objects.values("fund_budget").annotate(s=Sum("amount")).values_list("fund_budget", "s"))
    mismatched = [pk for pk, paid in FundBudget.objects.values_list("pk", "paid") if paid != (sums.get(pk) or 0)]
    bad = [f"application {pk} paid twice" for pk in paid_twice]
    bad += [f"application {pk} paid without disbursement" for pk in unpaid]
    bad += [f"budget {pk} paid ≠ its disbursements" for pk in mismatched]
    out["no_double_payment"] = result(bad, "payment anomalies", f"{Disbursement.objects.count()} disbursements")

    events = AuditEvent.objects.exclude(to_state="")
    if since is not None:
        when = datetime.datetime.fromtimestamp(since, tz=datetime.UTC)
        touched = AuditEvent.objects.filter(at__gte=when).values_list("content_type", "object_id").distinct()
        keys = defaultdict(set)
        for content_type, object_id in touched:
            keys[content_type].add(object_id)
        events = events.filter(
            reduce(or_, (Q(content_type=ct, object_id__in=ids) for ct, ids in keys.items()), Q(pk__in=[]))
        )
    chains = defaultdict(list)
    for ct, object_id, from_state, to_state in events.order_by("seq").values_list(
        "content_type", "object_id", "from_state", "to_state"
    ):
        chains[ct, object_id].append((from_state, to_state))
    statuses = {}
    for ct in {ct for ct, _ in chains}:
        model = ContentType.objects.get_for_id(ct).model_class()
        if model is None or not any(f.name == "status" for f in model._meta.concrete_fields):
            continue
        ids = [object_id for c, object_id in chains if c == ct]
        for pk, status in model._base_manager.filter(pk__in=ids).values_list("pk", "status"):
            statuses[ct, pk] = status
    bad = []
    for key, chain in chains.items():
        if key not in statuses:
            continue
        gaps = [
            (previous_to, next_from)
            for (_, previous_to), (next_from, _) in zip(chain, chain[1:], strict=False)
            if next_from != previous_to
        ]
        if gaps or chain[-1][1] != statuses[key]:
            bad.append(f"{key}: {chain} vs {statuses[key]}")
    out["one_audit_event_per_transition"] = result(bad, "records with a gap or extra event", f"{len(statuses)} records")

    try:
        call_command("verify_audit", stdout=StringIO(), stderr=StringIO())
        out["verify_audit"] = {"ok": True, "detail": "ok"}
    except CommandError as exc:
        out["verify_audit"] = {"ok": False, "detail": str(exc)}
    return out


def run(ctx):
    from django.db import connections

    roles = _roles()
    var = Path(tempfile.mkdtemp(prefix="b4-", dir=os.environ.get("UNIONFLOW_VAR_DIR")))
    env = _server_env(ctx, var)
    started = time.time()
    gunicorn = celery = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        celery = _start(
            [sys.executable, "-m", "celery", "-A", "workflows", "worker", "--pool", "solo", "--loglevel", "WARNING"],
            env,
            var / "celery.log",
        )
        gunicorn = _start(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "workflows.wsgi",
                "--bind",
                "127.0.0.1:0",
                "--workers",
                "4",
                "--no-control-socket",
                "--error-logfile",
                "-",
            ],
            env,
            var / "gunicorn.log",
        )
        port = _wait_for_port(gunicorn, var / "gunicorn.log")
        from django.contrib.auth import get_user_model

        load_env = env | {
            "LOAD_WORKER_TOKEN": _token(roles["worker"], env),
            "LOAD_COMMITTEE_TOKEN": _token(roles["committee"], env),
            "LOAD_MEDIATOR_ID": str(get_user_model().objects.get(username=roles["mediator"]).pk),
            "LOAD_READERS": ",".join(roles["readers"]),
            "LOAD_PASSWORD": roles["password"],
        }
        rows = _locust(port, load_env, var)
    finally:
        _stop(gunicorn)
        _stop(celery)
    connections.close_all()
    total = next(r for r in rows if r["Name"] == "Aggregated")
    conflicts = sum(int(r["Request Count"]) for r in rows if r["Type"] == "CONFLICT")
    failures = int(total["Failure Count"])
    invariants = check_invariants(since=started)
    broken = [name for name, result in invariants.items() if not result["ok"]]
    p50, p95, p99 = (float(total[k]) for k in ("50%", "95%", "99%"))
    value, floor_s = p50 / 1000, floor(ctx)
    return {
        "value": value,
        "floor": floor_s,
        "queries": None,
        "size": f"{USERS} users × {SECONDS} s",
        "what": "p50 request latency under load vs raw-SQL insert/queue read",
        "rps": round(float(total["Requests/s"]), 1),
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "requests": int(total["Request Count"]) - conflicts,
        "errors": failures + len(broken),
        "conflicts": conflicts,
        "invariants": invariants,
        "rows": [
            {
                "name": r["Name"],
                "n": r["Request Count"],
                "fail": r["Failure Count"],
                "p50": r["50%"],
                "p95": r["95%"],
                "p99": r["99%"],
            }
            for r in rows
            if r["Name"] != "Aggregated"
        ],
        "logs": str(var),
    }
