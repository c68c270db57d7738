"""Bulk generator behind ``manage.py generate_scale_data``: a provincial federation's data at scale.

Rows are written with precomputed primary keys straight into the tables (COPY on PostgreSQL,
``executemany`` elsewhere), shaped like what the services and the viewflow engine write:

* an org tree four levels deep — 省总工会 → 市总工会 (10) → 县/区总工会 (10 per city) → 基层工会 —
  one employer per 基层工会, workers with logins (unusable passwords), role assignments;
* 劳动争议 cases filed 2021-01 … 2026-11 with monthly seasonality; finished cases (closed after
  an agreement ~80% of mediated ones, failed, rejected, withdrawn) carry a finished
  ``UnionProcess`` and DONE human tasks (受理审查, 调解, 回访结案); each open case carries a
  running process and exactly one open human task with its ``TaskDeadline``:
  待受理 → ``review`` NEW in the pool of ``cases.accept_grievancecase``,
  调解中 → ``mediate`` ASSIGNED to the case's mediator;
* half-year and full-year periods 2021–2026 of the top unit, all OPEN.

Not generated (yet): aid applications, proposals, audit events, viewflow's start/end/timer task
rows and task ``previous`` links.  The command says so when it runs.
"""

import datetime
import hashlib
import random
import time
from decimal import Decimal

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection
from viewflow.workflow.models import Process, Task

from cases.models import GrievanceCase
from workflows.models import EmployerUnit, Member, OrgUnit, Period, RoleAssignment, TaskDeadline, UnionProcess
from workflows.roles import Role

BENCH_PASSWORD = "bench2026"
# make_password("bench2026", salt="unionflowbench") with PBKDF2: precomputed so 6 logins cost nothing.
BENCH_USERS = ("bench_chair", "bench_committee", "bench_mediator", "bench_finance", "bench_worker", "bench_rep")
FIRST_DAY = datetime.date(2021, 1, 1)
CHUNK = 100_000  # cases generated and written at a time
LAST_DAY = datetime.date(2026, 11, 30)
NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
# Filings per month, relative: fewer around 春节 (Feb), more before it (Jan, 欠薪) and at year end.
SEASON = (1.4, 0.6, 1.0, 1.0, 1.0, 0.9, 1.0, 1.0, 0.9, 0.9, 1.1, 1.3)
CATEGORIES = (
    ("wages", 38),
    ("social_insurance", 15),
    ("contract", 14),
    ("injury", 9),
    ("overtime", 8),
    ("compensation", 11),
    ("other", 5),
)
CHANNELS = (("phone", 30), ("visit", 30), ("online", 25), ("letter", 5), ("referral", 10))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚文华建国志红玉海燕春梅晓东"
CITIES = "省会市 江北市 临海市 东山市 西岭市 南湖市 北川市 清河市 云台市 石门市".split()
INDUSTRIES = ("电子制造", "纺织", "建筑", "交通运输", "餐饮", "零售", "化工", "机械", "公共管理", "物流")


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


class Writer:
    """Inserts rows (dicts of field name → python value) into a model's own table, fast."""

    def __init__(self, out):
        self.out = out
        self.counts = {}

    def write(self, model, rows, *, label=None):
        fields = model._meta.local_concrete_fields
        columns = [f.column for f in fields]
        table = model._meta.db_table
        start = time.perf_counter()
        n = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                names = ", ".join(connection.ops.quote_name(c) for c in columns)
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([self._prep(f, row) for f in fields])
                        n += 1
            else:
                names = ", ".join(connection.ops.quote_name(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})"
                batch = []
                for row in rows:
                    batch.append([self._prep(f, row) for f in fields])
                    n += 1
                    if len(batch) >= 5000:
                        cursor.executemany(sql, batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
        label = label or table
        self.counts[label] = self.counts.get(label, 0) + n
        self.out(f"  {label}: {n} rows in {time.perf_counter() - start:.1f}s")
        return n

    @staticmethod
    def _prep(field, row):
        if field.attname in row:
            value = row[field.attname]
        elif field.name in row:
            value = row[field.name]
        else:
            value = field.get_default()
        if isinstance(value, str) and field.get_internal_type() == "CharField":
            return value  # viewflow's flow_task/token fields take their stored strings as they are
        return field.get_db_prep_save(value, connection)


def org_shape(units):
    """(cities, counties per city) for a tree of ``units`` units four levels deep."""
    cities = max(2, min(10, units // 20))
    counties = max(1, min(10, (units - 1 - cities) // (cities * 4)))
    return cities, counties


def generate(*, cases, aid, proposals, units, open_tasks, seed, out=print):
    rng = random.Random(seed)
    writer = Writer(out)
    if connection.vendor == "postgresql":
        # For this transaction only: the foreign-key triggers would check every generated row at
        # commit, doubling the run; the ids are generated consistently (the tests check them on SQLite).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    cities_n, counties_n = org_shape(units)

    # -- org tree ------------------------------------------------------------------------------
    org_rows, city_ids, county_ids, base_ids = [], [], [], []
    pk = 1
    top = {"id": 1, "name": "某省总工会", "code": "province", "kind": "upper", "parent_id": None}
    top["path"], top["depth"] = "000001/", 0
    org_rows.append(top)
    paths = {1: top["path"]}
    for c in range(cities_n):
        pk += 1
        paths[pk] = f"{paths[1]}{pk:06d}/"
        name = CITIES[c] if c < len(CITIES) else f"第{c + 1}市"
        org_rows.append(
            dict(id=pk, name=f"{name}总工会", code=f"c{c + 1}", kind="upper", parent_id=1, path=paths[pk], depth=1)
        )
        city_ids.append(pk)
    for c, city in enumerate(city_ids):
        for k in range(counties_n):
            pk += 1
            paths[pk] = f"{paths[city]}{pk:06d}/"
            label = (
                f"{CITIES[c % len(CITIES)][:-1]}第{k + 1}区总工会"
                if k % 3
                else f"{CITIES[c % len(CITIES)][:-1]}产业工会{k + 1}"
            )
            org_rows.append(
                dict(id=pk, name=label, code=f"c{c + 1}k{k + 1}", kind="upper", parent_id=city, path=paths[pk], depth=2)
            )
            county_ids.append(pk)
    base_total = max(len(county_ids), units - pk)
    for b in range(base_total):
        county = county_ids[b % len(county_ids)]
        pk += 1
        paths[pk] = f"{paths[county]}{pk:06d}/"
        org_rows.append(
            dict(
                id=pk,
                name=f"基层工会{b + 1:05d}",
                code=f"b{b + 1}",
                kind="base",
                parent_id=county,
                path=paths[pk],
                depth=3,
            )
        )
        base_ids.append(pk)
    writer.write(OrgUnit, org_rows)
    city_of = {}
    for row in org_rows:
        parts = row["path"].strip("/").split("/")
        city_of[row["id"]] = int(parts[1]) if len(parts) > 1 else None
    employers = [
        dict(
            id=i + 1,
            name=f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{INDUSTRIES[i % 10]}有限公司{i + 1}",
            credit_code="",
            industry=INDUSTRIES[i % 10],
            size=_weighted(rng, (("micro", 2), ("small", 5), ("medium", 2), ("large", 1))),
            org_unit_id=b,
        )
        for i, b in enumerate(base_ids)
    ]
    writer.write(EmployerUnit, employers)
    employer_of = {e["org_unit_id"]: e["id"] for e in employers}

    # -- users, members, roles -----------------------------------------------------------------
    from django.contrib.auth.hashers import make_password

    bench_hash = make_password(BENCH_PASSWORD, salt="unionflowbench")
    users, members, roles = [], [], []
    uid = 0

    def add_user(username, *, password="!", last=None, first=None):
        nonlocal uid
        uid += 1
        users.append(
            dict(
                id=uid,
                password=password,
                last_login=None,
                is_superuser=False,
                username=username,
                first_name=first or rng.choice(GIVEN),
                last_name=last or rng.choice(SURNAMES),
                email="",
                is_staff=False,
                is_active=True,
                date_joined=NOW,
            )
        )
        return uid

    def add_role(user_id, role, unit_id):
        roles.append(dict(id=len(roles) + 1, user_id=user_id, role=role, org_unit_id=unit_id, granted_at=NOW))

    def add_member(user_id, base, *, representative=False):
        members.append(
            dict(
                id=len(members) + 1,
                user_id=user_id,
                employee_no=f"E{user_id:08d}",
                department="",
                employer_unit_id=employer_of[base],
                org_unit_id=base,
                membership="member",
                joined_on=FIRST_DAY,
                is_representative=representative,
                is_model_worker=False,
                phone="",
            )
        )
        return len(members)

    city1 = city_ids[0]
    bench = {
        "bench_chair": add_user("bench_chair", password=bench_hash),
        "bench_committee": add_user("bench_committee", password=bench_hash),
        "bench_mediator": add_user("bench_mediator", password=bench_hash),
        "bench_finance": add_user("bench_finance", password=bench_hash),
        "bench_worker": add_user("bench_worker", password=bench_hash),
        "bench_rep": add_user("bench_rep", password=bench_hash),
    }
    city1_bases = [b for b in base_ids if city_of[b] == city1]
    add_role(bench["bench_chair"], Role.CHAIR, 1)
    add_role(bench["bench_committee"], Role.COMMITTEE, city1)
    add_role(bench["bench_mediator"], Role.MEDIATOR, city1)
    add_role(bench["bench_finance"], Role.FINANCE, 1)
    add_member(bench["bench_worker"], city1_bases[0])
    add_role(bench["bench_worker"], Role.EMPLOYEE, city1_bases[0])
    add_member(bench["bench_rep"], city1_bases[0], representative=True)
    add_role(bench["bench_rep"], Role.REPRESENTATIVE, city1_bases[0])
    # Staff: a committee member per city, a mediator per county.
    committee_of = {}
    for city in city_ids:
        committee_of[city] = add_user(f"committee_{city}")
        add_role(committee_of[city], Role.COMMITTEE, city)
    mediators_of = {}
    for county in county_ids:
        mediators_of[county] = [add_user(f"mediator_{county}_{j}") for j in range(2)]
        for m in mediators_of[county]:
            add_role(m, Role.MEDIATOR, county)
    mediators_of_city1 = [bench["bench_mediator"]]
    # Workers: about one per 20 cases, spread over the 基层工会.
    workers_by_base = {}
    for i in range(max(len(base_ids), cases // 20)):
        base = base_ids[i % len(base_ids)]
        w = add_user(f"w{i + 1:07d}")
        add_member(w, base)
        workers_by_base.setdefault(base, []).append(w)
    workers_by_base[city1_bases[0]].append(bench["bench_worker"])
    writer.write(User, users)
    writer.write(Member, members)
    writer.write(RoleAssignment, roles)

    # -- periods -------------------------------------------------------------------------------
    periods = []
    for year in range(2021, 2027):
        for kind in ("H1", "H2", "FY"):
            starts, ends = Period.bounds(year, kind)
            periods.append(
                dict(
                    id=len(periods) + 1,
                    org_unit_id=1,
                    year=year,
                    kind=kind,
                    starts_on=starts,
                    ends_on=ends,
                    status="open",
                )
            )
    writer.write(Period, periods)

    # -- cases, processes, tasks ---------------------------------------------------------------
    case_ct = ContentType.objects.get_for_model(GrievanceCase).pk
    flow_class = "cases/flows.GrievanceFlow"
    open_tasks = min(open_tasks, cases)
    month_days = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        month_days.append(day)
        day += datetime.timedelta(days=1)
    day_weights = [
        SEASON[d.month - 1] * (1 + (d.year - 2021) * 0.08) * (0.3 if d.weekday() >= 5 else 1) for d in month_days
    ]
    recent = [d for d in month_days if d >= datetime.date(2026, 9, 1)]
    finished_days = rng.choices(month_days, day_weights, k=cases - open_tasks)
    open_days = rng.choices(recent, k=open_tasks)
    case_days = sorted(finished_days) + sorted(open_days)

    case_rows, proc_rows, uproc_rows, task_rows, deadline_rows = [], [], [], [], []
    task_id = 0

    def task(cid, node, perm, status_, owner, created_at, finished_at=None):
        nonlocal task_id
        task_id += 1
        task_rows.append(
            dict(
                id=task_id,
                flow_task=f"{flow_class}.{node}",
                flow_task_type="HUMAN",
                status=status_,
                created=created_at,
                assigned=created_at if owner else None,
                started=None,
                finished=finished_at,
                scheduled=None,
                token="start",
                external_task_id=None,
                owner_id=owner,
                owner_permission=perm,
                owner_permission_content_type_id=None,
                owner_permission_obj_pk=None,
                process_id=cid,
                data={},
                artifact_content_type_id=None,
                artifact_object_id=None,
            )
        )
        return task_id

    bench_turns = {"claimed": 0, "mediating": 0}

    def flush():
        # Written per chunk so that memory stays flat at a million cases.
        for model, rows in (
            (GrievanceCase, case_rows),
            (Process, proc_rows),
            (UnionProcess, uproc_rows),
            (Task, task_rows),
            (TaskDeadline, deadline_rows),
        ):
            writer.write(model, rows)
            rows.clear()

    for i, filed in enumerate(case_days):
        cid = i + 1
        if i and i % CHUNK == 0:
            flush()
        is_open = i >= cases - open_tasks
        # The first city gets ~1/10 of everything (it is one of ten), bench staff work there.
        base = rng.choice(base_ids)
        city = city_of[base]
        county = int(paths[base].strip("/").split("/")[2])
        workers = workers_by_base[base]
        applicant_user = workers[rng.randrange(len(workers))]
        category = _weighted(rng, CATEGORIES)
        workers_involved = 1 if rng.random() < 0.9 else rng.randint(10, 80)
        claimed = Decimal(rng.randint(20, 800) * 100)
        mediator = None
        if city == city1:
            mediator = rng.choice(mediators_of_city1 + mediators_of[county])
        else:
            mediator = rng.choice(mediators_of[county])
        reviewer = committee_of[city] if rng.random() < 0.5 else mediator
        if city == city1 and rng.random() < 0.5:
            reviewer = bench["bench_committee"] if rng.random() < 0.5 else bench["bench_mediator"]
        if is_open:
            status = "registered" if rng.random() < 0.5 else "mediating"
        else:
            r = rng.random()
            status = "rejected" if r < 0.08 else "withdrawn" if r < 0.13 else "mediated"
            if status == "mediated":
                status = "closed" if rng.random() < 0.8 else "failed"
        accepted_on = (
            filed + datetime.timedelta(days=rng.randint(0, 3)) if status in ("mediating", "closed", "failed") else None
        )
        if accepted_on and accepted_on > LAST_DAY:
            accepted_on = LAST_DAY
        mediation_due = accepted_on + datetime.timedelta(days=15) if accepted_on else None
        concluded_on = (
            accepted_on + datetime.timedelta(days=rng.randint(3, 15)) if status in ("closed", "failed") else None
        )
        agreed = status == "closed"
        closed_on = None
        if status == "closed":
            closed_on = concluded_on + datetime.timedelta(days=rng.randint(20, 45))
        elif status in ("failed",):
            closed_on = concluded_on
        elif status in ("rejected", "withdrawn"):
            closed_on = filed + datetime.timedelta(days=rng.randint(1, 5))
        created_by = applicant_user
        if rng.random() < 0.01 and city == city1:
            created_by = bench["bench_worker"]
        filed_at = datetime.datetime.combine(filed, datetime.time(9 + i % 8, i % 60), tzinfo=datetime.UTC)
        last_at = datetime.datetime.combine(closed_on or accepted_on or filed, datetime.time(16), tzinfo=datetime.UTC)
        case_rows.append(
            dict(
                id=cid,
                org_unit_id=base,
                filed_on=filed,
                created_by_id=created_by,
                created=filed_at,
                updated=last_at,
                channel=_weighted(rng, CHANNELS),
                category=category,
                applicant_name="（生成）",
                applicant_phone="",
                applicant_id=None,
                employer_unit_id=employer_of[base],
                facts="生成的案情。",
                claims="支付拖欠工资。",
                workers_involved=workers_involved,
                amount_claimed=claimed,
                is_collective=workers_involved >= 10,
                is_petition=False,
                status=status,
                accepted_on=accepted_on,
                mediator_id=mediator if accepted_on else None,
                mediation_due=mediation_due,
                concluded_on=concluded_on,
                amount_agreed=(claimed * Decimal(rng.randint(50, 100)) / 100).quantize(Decimal("0.01"))
                if agreed
                else None,
                agreement_terms="按期支付。" if agreed else "",
                performance_due=concluded_on + datetime.timedelta(days=15) if agreed else None,
                agreement_signed_on=concluded_on if agreed else None,
                failure_reason="双方分歧较大。" if status == "failed" else "",
                rejection_reason="not_labour" if status == "rejected" else "",
                withdrawal_reason="已自行协商。" if status == "withdrawn" else "",
                performed=True if agreed else None,
                satisfaction="satisfied" if agreed else "",
                closed_on=closed_on,
            )
        )
        proc_rows.append(
            dict(
                id=cid,
                flow_class=flow_class,
                status="NEW" if is_open else "DONE",
                created=filed_at,
                finished=None if is_open else last_at,
                data={},
                parent_task_id=None,
                artifact_content_type_id=case_ct,
                artifact_object_id=cid,
            )
        )
        uproc_rows.append(
            dict(process_ptr_id=cid, org_unit_id=base, title=f"调字〔{filed.year}〕第{cid}号（{category}）")
        )

        accept_perm, mediate_perm = "cases.accept_grievancecase", "cases.mediate_grievancecase"
        if status == "registered":
            # Some of the first city's pool is already claimed into bench_committee's inbox.
            claimed_by = None
            if city == city1:
                bench_turns["claimed"] += 1
                claimed_by = bench["bench_committee"] if bench_turns["claimed"] % 10 == 1 else None
            t = task(cid, "review", accept_perm, "ASSIGNED" if claimed_by else "NEW", claimed_by, filed_at)
            deadline_rows.append(dict(task_id=t, due_at=filed_at + datetime.timedelta(days=3)))
            continue
        done_review = filed_at + datetime.timedelta(days=(accepted_on - filed).days if accepted_on else 1, hours=2)
        task(cid, "review", accept_perm, "DONE", reviewer, filed_at, done_review)
        if status == "mediating":
            if city == city1:
                # Every other open mediation of the first city is in bench_mediator's inbox.
                bench_turns["mediating"] += 1
                if bench_turns["mediating"] % 2 == 1:
                    mediator = bench["bench_mediator"]
                    case_rows[-1]["mediator_id"] = mediator
            t = task(cid, "mediate", mediate_perm, "ASSIGNED", mediator, done_review)
            deadline_rows.append(
                dict(
                    task_id=t,
                    due_at=datetime.datetime.combine(mediation_due, datetime.time(23, 59), tzinfo=datetime.UTC),
                    remind_at=datetime.datetime.combine(
                        mediation_due - datetime.timedelta(days=3), datetime.time(9), tzinfo=datetime.UTC
                    ),
                )
            )
        elif status in ("closed", "failed"):
            concluded_at = datetime.datetime.combine(concluded_on, datetime.time(15), tzinfo=datetime.UTC)
            task(cid, "mediate", mediate_perm, "DONE", mediator, done_review, concluded_at)
            if status == "closed":
                task(cid, "follow_up", mediate_perm, "DONE", mediator, concluded_at, last_at)

    flush()
    out(
        f"  aid applications: {aid} requested — not generated yet; proposals: {proposals} requested — not generated yet"
    )

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [OrgUnit, EmployerUnit, User, Member, RoleAssignment, Period, GrievanceCase, Process, Task]
        ):
            cursor.execute(sql)
        cursor.execute("ANALYZE")
    return {"counts": writer.counts, "bench_users": bench}


def digest():
    """A hash over the generated rows that matter, for determinism checks."""
    h = hashlib.sha256()
    for row in GrievanceCase.objects.order_by("pk").values_list(
        "pk", "org_unit_id", "filed_on", "status", "category", "amount_claimed", "mediator_id"
    ):
        h.update(repr(row).encode())
    for row in Task.objects.order_by("pk").values_list("pk", "process_id", "flow_task", "status", "owner_id"):
        h.update(repr(row).encode())
    return h.hexdigest()
