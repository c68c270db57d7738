"""B2 — the queue pages: 可认领, 待办, 已办 and 督办, their first page and a deep page, beside the floor.

Each page is read whole through ``django.test.Client`` (middleware, session, templates, badges) as
the user it belongs to: ``bench_committee`` (可认领), ``bench_mediator`` (待办, 已办) and
``bench_chair`` (督办).  The deep page is the ``DEEP``-th, reached by following the 下一页 links
(keyset cursors), or the last page if the box holds fewer.  Two timings per page: with the badges
in the cache (a user paging on) and with the cache emptied before each read (every page recounts
the badges); ``value`` is the latter, the worse.

The floor reads the same rows by hand-written SQL through psycopg: the page's tasks with the
columns shown (flow, title, org unit, due date, holder), scoped by the same org-unit set, the
records their titles come from, and the capped count.  Every statement of the page is EXPLAINed;
a sequential scan of a big table is listed in ``seq_scans`` and the plans are saved in
``benchmarks/results/plans/b2_*.json``.
"""

import html
import os
import re
from collections import defaultdict

from benchmarks.common import explain, median_time, ratio, save_plan, seq_scans, statements

DEEP = 50
BOXES = (  # (box, user); B2_USERS="queue=x,inbox=y,…" names others (a scratch database)
    ("queue", "bench_committee"),
    ("inbox", "bench_mediator"),
    ("archive", "bench_mediator"),
    ("overseen", "bench_chair"),
)
NEXT = re.compile(r'href="(\?[^"]*after=[^"]*)"')

COLUMNS = """t.id, t.flow_task, t.status, t.created, t.owner_id, p.flow_class, p.artifact_content_type_id,
    p.artifact_object_id, up.title, ou.name, d.due_at, u.first_name, u.last_name"""
FROM = """viewflow_task t JOIN viewflow_process p ON p.id = t.process_id
    JOIN workflows_unionprocess up ON up.process_ptr_id = p.id JOIN workflows_orgunit ou ON ou.id = up.org_unit_id
    LEFT JOIN workflows_taskdeadline d ON d.task_id = t.id LEFT JOIN auth_user u ON u.id = t.owner_id"""
COUNT_FROM = """viewflow_task t JOIN workflows_unionprocess up ON up.process_ptr_id = t.process_id"""
IN_SCOPE = "up.org_unit_id IN (SELECT id FROM workflows_orgunit WHERE path LIKE ANY(%s))"


def _users():
    names = dict(BOXES)
    for pair in filter(None, os.environ.get("B2_USERS", "").split(",")):
        box, _, name = pair.partition("=")
        names[box] = name
    return names


def _where(box, user):
    """The box's condition in hand-written SQL, scoped by the same paths as the page."""
    from workflows import selectors
    from workflows.roles import ROLE_PERMISSIONS

    if box == "inbox":
        return "t.owner_id = %s AND t.status IN ('ASSIGNED', 'STARTED')", [user.pk]
    if box == "archive":
        return "t.owner_id = %s AND t.status = 'DONE'", [user.pk]
    if box == "overseen":
        paths = [p + "%" for p in selectors.scope_paths(user, perm="workflows.reassign_task")]
        return f"t.status IN ('NEW', 'ASSIGNED', 'STARTED') AND {IN_SCOPE}", [paths]
    by_scope = defaultdict(list)
    perms = sorted({perm for role, _ in selectors._role_rows(user) for perm in ROLE_PERMISSIONS.get(role, ())})
    for perm in perms:
        by_scope[tuple(selectors.scope_paths(user, perm=perm))].append(perm)
    ors, params = [], []
    for paths, scoped in by_scope.items():
        ors.append(f"(t.owner_permission = ANY(%s) AND {IN_SCOPE})")
        params += [scoped, [p + "%" for p in paths]]
    return f"t.status = 'NEW' AND t.owner_id IS NULL AND ({' OR '.join(ors) or 'false'})", params


def _floor_sql(box, user, cursor):
    """``[(sql, params), …]``: the rows of the page, then the capped count."""
    from workflows import keyset, selectors

    where, params = _where(box, user)
    where = "t.flow_task_type = 'HUMAN' AND " + where
    descending = selectors.QUEUE_DESCENDING[box]
    order = "t.created DESC, t.id DESC" if descending else "t.created, t.id"
    rows_where, rows_params = where, list(params)
    if cursor:
        created, pk = keyset.decode(cursor)
        rows_where += f" AND (t.created, t.id) {'<' if descending else '>'} (%s, %s)"
        rows_params += [created, pk]
    size = 20
    return [
        (f"SELECT {COLUMNS} FROM {FROM} WHERE {rows_where} ORDER BY {order} LIMIT {size}", rows_params),
        (
            f"SELECT count(*) FROM (SELECT 1 FROM {COUNT_FROM} WHERE {where} ORDER BY {order} "
            f"LIMIT {keyset.COUNT_CAP}) AS capped",
            params,
        ),
    ]


def _floor(ctx, box, user, cursor):
    """Run the floor's statements once: the page's rows, the records they title, the count."""
    from django.contrib.contenttypes.models import ContentType

    conn = ctx.floor_conn
    (rows_sql, rows_params), (count_sql, count_params) = _floor_sql(box, user, cursor)
    rows = conn.execute(rows_sql, rows_params).fetchall()
    wanted = defaultdict(list)
    for row in rows:
        if row[6] is not None:
            wanted[row[6]].append(int(row[7]))
    for ct_id, pks in wanted.items():
        table = ContentType.objects.get_for_id(ct_id).model_class()._meta.db_table
        conn.execute(f'SELECT * FROM "{table}" WHERE id = ANY(%s)', [pks]).fetchall()
    conn.execute(count_sql, count_params).fetchone()
    return len(rows)


def _walk(client, box, pages):
    """The URL of the ``pages``-th page (following 下一页) and the page number reached."""
    path = f"/tasks/box/{box}/"
    url, reached = path, 1
    while reached < pages:
        found = NEXT.search(client.get(url).content.decode())
        if not found:
            break
        url, reached = path + html.unescape(found.group(1)), reached + 1
    return url, reached


def _plans(name, sqls):
    """EXPLAIN every statement of the page; the big tables read by sequential scan."""
    found = []
    for i, sql in enumerate(sqls):
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        plan = explain(sql.replace("%", "%%"))
        save_plan(f"b2_{name}_{i:02d}", sql, plan)
        found += [f"{name}#{i}:{table}" for table in seq_scans(plan)]
    return found


def _measure(ctx, box, username, pages):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    url, reached = _walk(client, box, pages)
    cursor = re.search(r"after=([0-9.]+)", url)
    cursor = cursor.group(1) if cursor else None

    def get(_=None):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    cache.clear()
    response, sqls = statements(get)  # cold: the badges are counted too, so their plan is checked
    shown = response.content.decode().count('data-testid="task-row"')
    warm = median_time(get, ctx.repeat)
    cold = median_time(get, ctx.repeat, setup=cache.clear)
    floor_rows = _floor(ctx, box, user, cursor)
    floor = median_time(lambda: _floor(ctx, box, user, cursor), ctx.repeat)
    name = f"{box}_{'first' if pages == 1 else 'deep'}"
    seq = _plans(name, sqls)
    for i, (sql, params) in enumerate(_floor_sql(box, user, cursor)):
        plan = ctx.floor_conn.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()[0]
        save_plan(f"b2_{name}_floor{i}", sql, plan)
    return {
        "box": box,
        "user": username,
        "page": reached,
        "rows": shown,
        "floor_rows": floor_rows,
        "ms": round(cold * 1000, 1),
        "warm_ms": round(warm * 1000, 1),
        "floor_ms": round(floor * 1000, 2),
        "ratio": ratio(cold, floor),
        "warm_ratio": ratio(warm, floor),
        "queries": len(sqls),
        "seq_scans": seq,
        "_value": cold,
        "_floor": floor,
    }


def _size():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE status IN ('NEW', 'ASSIGNED', 'STARTED')), "
            "count(*) FILTER (WHERE status = 'DONE') FROM viewflow_task WHERE flow_task_type = 'HUMAN'"
        )
        open_tasks, done = cursor.fetchone()
    return f"{open_tasks} open / {done} done human tasks"


def run(ctx):
    users = _users()
    rows = []
    for box, _ in BOXES:
        for pages in (1, DEEP):
            rows.append(_measure(ctx, box, users[box], pages))
    worst = max(rows, key=lambda r: r["ratio"] or 0)
    return {
        "what": "queue pages (4 boxes, first and deep page)",
        "value": worst["_value"],
        "floor": worst["_floor"],
        "ratio": ratio(worst["_value"], worst["_floor"]),
        "queries": max(r["queries"] for r in rows),
        "size": _size(),
        "seq_scans": [s for r in rows for s in r["seq_scans"]],
        "rows": [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
    }


def growth(ctx):
    """The 可认领 first page (badges counted) and its floor, for the growth curve."""
    row = _measure(ctx, "queue", _users()["queue"], 1)
    return {"value": row["_value"], "floor": row["_floor"], "what": "claimable queue, first page"}
