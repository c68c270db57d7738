"""Bulk generator behind ``manage.py generate_scale_data``: a provincial federation's data at scale.

Rows are written with precomputed primary keys straight into the tables (COPY on PostgreSQL,
``executemany`` elsewhere), shaped like what the services and the viewflow engine write (checked
against rows written by the real flows in tests/aid/test_aid_flow.py):

* an org tree four levels deep — 省总工会 → 市总工会 (up to 10) → 县/区/产业工会 (up to 10 per city)
  → 基层工会 — one employer per 基层工会, workers with logins (unusable passwords; one in ten a
  职工代表), staff per city (chair, finance, two committee members, proposal committee, five
  department contacts) and two mediators per county, role assignments;
* 劳动争议 cases filed 2021-01 … 2026-08 (finished) with monthly seasonality and yearly growth:
  ~80% of concluded mediations closed with an agreement and an amount, the rest failed; rejected
  and withdrawn ones.  Open cases were filed since 2026-10-15: 待受理 (``review`` NEW in the pool of
  ``cases.accept_grievancecase``, some ASSIGNED to bench_committee), 调解中 (``mediate`` ASSIGNED
  to the mediator), 已达成协议 (``follow_up`` ASSIGNED to the mediator);
* 困难帮扶: one fund per city with a budget for every half year (covering what was approved in it
  with room to spare: never overdrawn, reserved = approved-unpaid, paid = disbursements), one
  application per member, type and period, exactly one disbursement per paid application.  Open:
  民主评议 (``review`` NEW), 主席审批 (``approve`` NEW), 已批准待发放 (``disburse`` NEW, reserved);
* 职代会提案: a congress per city and year (window Sep–Oct), five departments per city, proposals
  archived with an answer and a rating, rejected or merged; open (2026's congress): 待审查
  (``review`` NEW), 办理中 (``answer`` ASSIGNED to the lead department's contact), 已答复
  (``feedback`` ASSIGNED to the proposer);
* every record has its ``UnionProcess`` (DONE when finished) and its human tasks (DONE, or
  CANCELED when withdrawn); each open record exactly one open human task with its ``TaskDeadline``;
  ``--open-tasks`` open tasks in all (~80% cases, ~15% aid, ~5% proposals);
* one audit event per status change (plus the two 入户核实 visits), chained in time order with the
  same SHA-256 links as ``AuditEvent.link``, so ``manage.py verify_audit`` passes;
* half-year and full-year periods 2021–2026 of the top unit, all OPEN (2026年上半年 can be closed).

Measured on PostgreSQL 15, two shared cores (wall clock, fresh migrated database): 20k cases
10 s (230 MB peak RSS), 100k 43 s (400 MB), the full 1M/200k/50k/20k-unit size 8 min 20 s
(1.7 GB peak RSS, mostly the audit events held for their time-ordered chain; 3.8 GB database).

Not generated: hardship files and batches, membership applications, votes, seconds, comments and
attachments, viewflow's start/gateway/timer/end task rows and task ``previous`` links.
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

from aid.models import AidApplication, AidType, Disbursement, Fund, FundBudget
from cases.models import GrievanceCase
from proposals.models import Congress, Department, Proposal
from workflows.models import (
    AuditEvent,
    EmployerUnit,
    Member,
    OrgUnit,
    Period,
    RoleAssignment,
    TaskDeadline,
    UnionProcess,
)
from workflows.models.audit import GENESIS, chain_digest
from workflows.roles import Role

BENCH_PASSWORD = "bench2026"
# make_password("bench2026", salt="unionflowbench") with PBKDF2: precomputed so 6 logins cost nothing.
BENCH_USERS = ("bench_chair", "bench_committee", "bench_mediator", "bench_finance", "bench_worker", "bench_rep")
CHUNK = 50_000  # records generated before their rows are written
FIRST_DAY = datetime.date(2021, 1, 1)
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
DEPARTMENTS = ("人力资源部", "生产管理部", "后勤保障部", "安全环保部", "财务部")
AID_TYPES = (("living", 40), ("medical", 25), ("education", 15), ("festival", 10), ("emergency", 10))
PROPOSAL_CATEGORIES = (
    ("pay", 30),
    ("welfare", 25),
    ("safety", 15),
    ("development", 15),
    ("democracy", 10),
    ("other", 5),
)
INDUSTRIES = ("电子制造", "纺织", "建筑", "交通运输", "餐饮", "零售", "化工", "机械", "公共管理", "物流")


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


class AuditChain:
    """Collects audit events as compact tuples and writes them as one hash chain (seq 1, 2, …),
    exactly as :meth:`AuditEvent.link` would, so ``manage.py verify_audit`` passes."""

    def __init__(self):
        self.events = []
        self.seq, self.prev = 0, GENESIS
        self.record_types = {}

    def add(self, at, ct, object_id, org_unit_id, actor_id, action, label, from_state, to_state, reason=""):
        # The running number keeps a record's events in the order added and ends every comparison
        # before the fields that may be None (sorting needs no key tuples: less memory).
        self.events.append(
            (at, len(self.events), ct, object_id, org_unit_id, actor_id, action, label, from_state, to_state, reason)
        )

    def rows(self):
        # Time order (then record, then the order the record's events were added in): the chain
        # reads like the trail a live system would have written.
        self.events.sort()
        for at, _n, ct, object_id, org_unit_id, actor_id, action, label, from_state, to_state, reason in self.events:
            self.seq += 1
            digest = chain_digest(
                seq=self.seq,
                prev_hash=self.prev,
                at=at,
                actor_id=actor_id,
                record_type=self.record_types[ct],
                object_id=object_id,
                org_unit_id=org_unit_id,
                action=action,
                action_label=label,
                from_state=from_state,
                to_state=to_state,
                reason=reason,
                request_id="",
                client_request_id="",
            )
            yield dict(
                id=self.seq,
                at=at,
                actor_id=actor_id,
                content_type_id=ct,
                object_id=object_id,
                org_unit_id=org_unit_id,
                action=action,
                action_label=label,
                from_state=from_state,
                to_state=to_state,
                reason=reason,
                request_id="",
                client_request_id="",
                seq=self.seq,
                prev_hash=self.prev,
                hash=digest,
            )
            self.prev = digest
        self.events = []


class Writer:
    """Inserts rows (dicts of field name → python value) into a model's own table, fast."""

    def __init__(self, out):
        self.out = out
        self.counts = {}
        self.seconds = {}
        self.started = time.perf_counter()

    def write(self, model, rows, *, label=None, quiet=False):
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
        self.seconds[label] = self.seconds.get(label, 0) + time.perf_counter() - start
        if not quiet:
            self.out(f"  {label}: {n} rows in {time.perf_counter() - start:.1f}s")
        return n

    def progress(self, what, done, total):
        self.out(f"  … {what}: {done}/{total} generated, {time.perf_counter() - self.started:.0f}s since the start")

    def report(self, *labels):
        """Totals of tables written in chunks (quietly): rows and seconds spent writing them."""
        for label in labels:
            self.out(
                f"  {label}: {self.counts.get(label, 0)} rows so far, {self.seconds.get(label, 0):.1f}s writing them"
            )

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
    committee2_of = {}
    for city in city_ids:
        committee_of[city] = add_user(f"committee_{city}")
        add_role(committee_of[city], Role.COMMITTEE, city)
        committee2_of[city] = add_user(f"committee2_{city}")
        add_role(committee2_of[city], Role.COMMITTEE, city)
    mediators_of = {}
    for county in county_ids:
        mediators_of[county] = [add_user(f"mediator_{county}_{j}") for j in range(2)]
        for m in mediators_of[county]:
            add_role(m, Role.MEDIATOR, county)
    mediators_of_city1 = [bench["bench_mediator"]]
    # Each city: a chair (approves aid), finance (pays it), a proposal committee member, and the
    # contacts of five departments that answer proposals.
    chair_of, finance_of, proposal_committee_of, departments_of = {}, {}, {}, {}
    for city in city_ids:
        chair_of[city] = add_user(f"chair_{city}")
        add_role(chair_of[city], Role.CHAIR, city)
        finance_of[city] = add_user(f"finance_{city}")
        add_role(finance_of[city], Role.FINANCE, city)
        proposal_committee_of[city] = add_user(f"proposal_committee_{city}")
        add_role(proposal_committee_of[city], Role.PROPOSAL_COMMITTEE, city)
        departments_of[city] = []
        for j in range(len(DEPARTMENTS)):
            contact = add_user(f"dept_{city}_{j}")
            add_role(contact, Role.DEPARTMENT, city)
            departments_of[city].append(contact)
    finance_of[city1] = bench["bench_finance"]
    # Workers: about one per 20 cases (and per 4 aid applications), spread over the 基层工会;
    # one in ten is a 职工代表.
    workers_by_base, member_of, reps_by_city = {}, {}, {}
    for i in range(max(len(base_ids), cases // 20, aid // 4)):
        base = base_ids[i % len(base_ids)]
        w = add_user(f"w{i + 1:07d}")
        is_rep = i % 10 == 3
        member_of[w] = add_member(w, base, representative=is_rep)
        workers_by_base.setdefault(base, []).append(w)
        if is_rep:
            add_role(w, Role.REPRESENTATIVE, base)
            reps_by_city.setdefault(city_of[base], []).append(w)
    workers_by_base[city1_bases[0]].append(bench["bench_worker"])
    member_of[bench["bench_worker"]] = 1
    member_of[bench["bench_rep"]] = 2
    reps_by_city.setdefault(city1, []).append(bench["bench_rep"])
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
    chain = AuditChain()

    def content_type(model):
        ct = ContentType.objects.get_for_model(model)
        chain.record_types[ct.pk] = f"{ct.app_label}.{ct.model}"
        return ct.pk

    case_ct = content_type(GrievanceCase)
    flow_class = "cases/flows.GrievanceFlow"
    # The open queue: mostly cases, some aid applications and proposals (each capped so that most
    # of a domain's records are finished).
    open_tasks = min(open_tasks, cases + aid + proposals)
    open_aid = min(aid * 2 // 5, open_tasks * 3 // 20)
    open_props = min(proposals * 2 // 5, open_tasks // 20)
    open_cases = min(cases, open_tasks - open_aid - open_props)
    open_aid = min(aid, open_tasks - open_cases - open_props)
    all_days = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        all_days.append(day)
        day += datetime.timedelta(days=1)
    # Finished records were filed before the autumn of 2026; the open ones since mid-October.
    finished_pool = [d for d in all_days if d < datetime.date(2026, 9, 1)]
    day_weights = [
        SEASON[d.month - 1] * (1 + (d.year - 2021) * 0.08) * (0.3 if d.weekday() >= 5 else 1) for d in finished_pool
    ]
    recent = [d for d in all_days if d >= datetime.date(2026, 10, 15)]
    finished_days = rng.choices(finished_pool, day_weights, k=cases - open_cases)
    open_days = rng.choices(recent, k=open_cases)
    case_days = sorted(finished_days) + sorted(open_days)

    def at(day, hour=10, minute=0):
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=datetime.UTC)

    proc_rows, uproc_rows, task_rows, deadline_rows = [], [], [], []
    task_id = 0

    def task(process_id, flow, node, perm, status_, owner, created_at, finished_at=None, token="start"):
        nonlocal task_id
        task_id += 1
        task_rows.append(
            dict(
                id=task_id,
                flow_task=f"{flow}.{node}",
                flow_task_type="HUMAN",
                status=status_,
                created=created_at,
                assigned=created_at if owner else None,
                started=None,
                finished=finished_at,
                scheduled=None,
                token=token,
                external_task_id=None,
                owner_id=owner,
                owner_permission=perm,
                owner_permission_content_type_id=None,
                owner_permission_obj_pk=None,
                process_id=process_id,
                data={},
                artifact_content_type_id=None,
                artifact_object_id=None,
            )
        )
        return task_id

    def process(process_id, flow, ct, object_id, unit, title, created_at, finished_at):
        proc_rows.append(
            dict(
                id=process_id,
                flow_class=flow,
                status="NEW" if finished_at is None else "DONE",
                created=created_at,
                finished=finished_at,
                data={},
                parent_task_id=None,
                artifact_content_type_id=ct,
                artifact_object_id=object_id,
            )
        )
        uproc_rows.append(dict(process_ptr_id=process_id, org_unit_id=unit, title=title[:200]))

    def deadline(t, due_at, remind_days=1):
        deadline_rows.append(dict(task_id=t, due_at=due_at, remind_at=due_at - datetime.timedelta(days=remind_days)))

    process_tables = ("viewflow_process", "workflows_unionprocess", "viewflow_task", "workflows_taskdeadline")

    def flush_processes():
        writer.write(Process, proc_rows, quiet=True)
        writer.write(UnionProcess, uproc_rows, quiet=True)
        writer.write(Task, task_rows, quiet=True)
        writer.write(TaskDeadline, deadline_rows, quiet=True)
        for rows in (proc_rows, uproc_rows, task_rows, deadline_rows):
            rows.clear()

    case_rows = []
    bench_claimed = None  # bench_committee has claimed at least one review, whatever the size
    accept_perm, mediate_perm = "cases.accept_grievancecase", "cases.mediate_grievancecase"
    for i, filed in enumerate(case_days):
        cid = i + 1
        if len(case_rows) >= CHUNK:  # bounded memory: write what is ready
            writer.write(GrievanceCase, case_rows, quiet=True)
            case_rows.clear()
            flush_processes()
            writer.progress("cases", i, cases)
        is_open = i >= cases - open_cases
        # The first city gets ~1/10 of everything (it is one of ten), bench staff work there.
        base = rng.choice(base_ids)
        city = city_of[base]
        county = int(paths[base].strip("/").split("/")[2])
        workers = workers_by_base[base]
        applicant_user = workers[rng.randrange(len(workers))]
        category = _weighted(rng, CATEGORIES)
        workers_involved = 1 if rng.random() < 0.9 else rng.randint(10, 80)
        claimed = Decimal(rng.randint(20, 800) * 100)
        if city == city1:
            mediator = rng.choice(mediators_of_city1 + mediators_of[county])
        else:
            mediator = rng.choice(mediators_of[county])
        reviewer = committee_of[city] if rng.random() < 0.5 else mediator
        if city == city1 and rng.random() < 0.5:
            reviewer = bench["bench_committee"] if rng.random() < 0.5 else bench["bench_mediator"]
        if is_open:
            if filed >= datetime.date(2026, 11, 10):
                status = "registered"
            else:
                status = "mediating" if rng.random() < 0.85 else "agreed"
        else:
            r = rng.random()
            status = "rejected" if r < 0.08 else "withdrawn" if r < 0.13 else "mediated"
            if status == "mediated":
                status = "closed" if rng.random() < 0.8 else "failed"
        accepted_on = (
            filed + datetime.timedelta(days=rng.randint(0, 3))
            if status in ("mediating", "agreed", "closed", "failed")
            else None
        )
        if accepted_on and accepted_on > LAST_DAY:
            accepted_on = LAST_DAY
        mediation_due = accepted_on + datetime.timedelta(days=15) if accepted_on else None
        concluded_on = None
        if status in ("closed", "failed"):
            concluded_on = accepted_on + datetime.timedelta(days=rng.randint(3, 15))
        elif status == "agreed":
            concluded_on = min(LAST_DAY, accepted_on + datetime.timedelta(days=rng.randint(3, 15)))
        agreed = status in ("closed", "agreed")
        closed_on = None
        if status == "closed":
            closed_on = concluded_on + datetime.timedelta(days=rng.randint(20, 45))
        elif status == "failed":
            closed_on = concluded_on
        elif status in ("rejected", "withdrawn"):
            closed_on = filed + datetime.timedelta(days=rng.randint(1, 5))
        created_by = applicant_user
        if rng.random() < 0.01 and city == city1:
            created_by = bench["bench_worker"]
        filed_at = at(filed, 9 + i % 8, i % 60)
        last_at = at(closed_on or concluded_on or accepted_on or filed, 16)
        amount_agreed = None
        if agreed:
            amount_agreed = (claimed * Decimal(rng.randint(50, 100)) / 100).quantize(Decimal("0.01"))
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
                amount_agreed=amount_agreed,
                agreement_terms="按期支付。" if agreed else "",
                performance_due=concluded_on + datetime.timedelta(days=15) if agreed else None,
                agreement_signed_on=concluded_on if agreed else None,
                failure_reason="双方分歧较大。" if status == "failed" else "",
                rejection_reason="not_labour" if status == "rejected" else "",
                withdrawal_reason="已自行协商。" if status == "withdrawn" else "",
                performed=True if status == "closed" else None,
                satisfaction="satisfied" if status == "closed" else "",
                closed_on=closed_on,
            )
        )
        process(
            cid,
            flow_class,
            case_ct,
            cid,
            base,
            f"调字〔{filed.year}〕第{cid}号（{category}）",
            filed_at,
            None if is_open else last_at,
        )
        chain.add(filed_at, case_ct, cid, base, created_by, "submit", "登记", "", "registered")
        if status == "registered":
            claimed_by = None
            if city == city1 and (rng.random() < 0.2 or not bench_claimed):
                claimed_by = bench_claimed = bench["bench_committee"]
            t = task(cid, flow_class, "review", accept_perm, "ASSIGNED" if claimed_by else "NEW", claimed_by, filed_at)
            deadline(t, filed_at + datetime.timedelta(days=3))
            continue
        done_review = filed_at + datetime.timedelta(days=(accepted_on - filed).days if accepted_on else 1, hours=2)
        if status == "withdrawn":
            withdrawn_at = at(closed_on, 11)
            task(cid, flow_class, "review", accept_perm, "CANCELED", None, filed_at, withdrawn_at)
            chain.add(withdrawn_at, case_ct, cid, base, created_by, "withdraw", "撤回申请", "registered", "withdrawn")
            continue
        task(cid, flow_class, "review", accept_perm, "DONE", reviewer, filed_at, done_review)
        if status == "rejected":
            chain.add(done_review, case_ct, cid, base, reviewer, "reject", "不予受理", "registered", "rejected")
            continue
        chain.add(done_review, case_ct, cid, base, reviewer, "accept", "受理", "registered", "mediating")
        if status == "mediating":
            t = task(cid, flow_class, "mediate", mediate_perm, "ASSIGNED", mediator, done_review)
            deadline(t, at(mediation_due, 23, 59), remind_days=3)
            continue
        concluded_at = at(concluded_on, 15)
        task(cid, flow_class, "mediate", mediate_perm, "DONE", mediator, done_review, concluded_at)
        if status == "failed":
            chain.add(concluded_at, case_ct, cid, base, mediator, "fail", "调解不成", "mediating", "failed")
            continue
        chain.add(concluded_at, case_ct, cid, base, mediator, "agree", "调解成功", "mediating", "agreed")
        if status == "agreed":
            t = task(cid, flow_class, "follow_up", mediate_perm, "ASSIGNED", mediator, concluded_at)
            deadline(t, at(concluded_on + datetime.timedelta(days=15), 23, 59), remind_days=3)
            continue
        task(cid, flow_class, "follow_up", mediate_perm, "DONE", mediator, concluded_at, last_at)
        chain.add(last_at, case_ct, cid, base, mediator, "close", "回访结案", "agreed", "closed")

    writer.write(GrievanceCase, case_rows, quiet=True)
    case_rows.clear()
    flush_processes()
    writer.report("cases_grievancecase", *process_tables)
    next_process = cases + 1

    # -- aid: funds, budgets, applications, disbursements ----------------------------------------
    aid_ct = content_type(AidApplication)
    aid_flow = "aid/flows.AidFlow"
    fund_rows = [dict(id=k + 1, org_unit_id=city, name="困难职工帮扶资金") for k, city in enumerate(city_ids)]
    fund_of = {row["org_unit_id"]: row["id"] for row in fund_rows}
    period_id = {(p["year"], p["kind"]): p["id"] for p in periods}
    budget_use = {}  # (fund, period) -> [reserved, paid, awaiting approval]
    budget_ids = {}
    applied = set()  # (member, aid type, period): one application of a type per period
    aid_rows, disbursement_rows = [], []
    aid_days = sorted(rng.choices(finished_pool, day_weights, k=aid - open_aid)) + sorted(
        rng.choices(recent, k=open_aid)
    )
    amounts = {
        "living": (20, 50),
        "medical": (30, 200),
        "education": (10, 50),
        "festival": (5, 10),
        "emergency": (20, 100),
    }
    writer.write(Fund, fund_rows)
    for k, filed in enumerate(aid_days):
        aid_id = k + 1
        if len(aid_rows) >= CHUNK:
            writer.write(AidApplication, aid_rows, quiet=True)
            aid_rows.clear()
            flush_processes()
            writer.progress("aid applications", k, aid)
        pid = next_process + k
        is_open = k >= aid - open_aid
        kind = "H1" if filed.month <= 6 else "H2"
        period = period_id[(filed.year, kind)]
        for _attempt in range(20):
            base = rng.choice(base_ids)
            user = rng.choice(workers_by_base[base])
            aid_type = _weighted(rng, AID_TYPES)
            if (user, aid_type, period) not in applied:
                break
        else:
            raise RuntimeError("no worker left without an application of this type in the period")
        applied.add((user, aid_type, period))
        city = city_of[base]
        fund = fund_of[city]
        low, high = amounts[aid_type]
        requested = Decimal(rng.randint(low, high) * 100)
        if is_open:
            r = rng.random()
            status = "reviewing" if r < 0.4 else "approving" if r < 0.8 else "approved"
        else:
            r = rng.random()
            status = "paid" if r < 0.78 else "rejected" if r < 0.9 else "withdrawn"
        committee = committee_of[city]
        if city == city1 and rng.random() < 0.5:
            committee = bench["bench_committee"]
        chair = bench["bench_chair"] if city == city1 and rng.random() < 0.3 else chair_of[city]
        finance = finance_of[city]
        filed_at = at(filed, 10, k % 60)
        visits_at = filed_at + datetime.timedelta(days=3)
        verified_at = filed_at + datetime.timedelta(days=5)
        reviewed_at = filed_at + datetime.timedelta(days=10)
        publicity_ends = (reviewed_at + datetime.timedelta(days=7)).date()
        approving_at = at(publicity_ends, 16)
        decided_at = filed_at + datetime.timedelta(days=20)
        paid_at = filed_at + datetime.timedelta(days=25)
        rejected_at_review = status == "rejected" and rng.random() < 0.5
        passed = status in ("approving", "approved", "paid") or (status == "rejected" and not rejected_at_review)
        approved = status in ("approved", "paid")
        amount = None
        if approved:
            amount = min(requested, Decimal(rng.randint(low, high) * 100))
            use = budget_use.setdefault((fund, period), [Decimal(0), Decimal(0), Decimal(0)])
            use[0 if status == "approved" else 1] += amount
        elif status == "approving":
            budget_use.setdefault((fund, period), [Decimal(0), Decimal(0), Decimal(0)])[2] += requested
        ends_at = {
            "paid": paid_at,
            "rejected": reviewed_at if rejected_at_review else decided_at,
            "withdrawn": reviewed_at,
        }.get(status)
        aid_rows.append(
            dict(
                id=aid_id,
                org_unit_id=base,
                filed_on=filed,
                created_by_id=user,
                created=filed_at,
                updated=ends_at or filed_at,
                publicity_ends_on=publicity_ends if passed else None,
                decision_note="评议未通过。"
                if rejected_at_review
                else "不符合救助条件。"
                if status == "rejected"
                else "",
                member_id=member_of[user],
                hardship_file_id=None,
                period_id=period,
                batch_id=None,
                aid_type=aid_type,
                amount_requested=requested,
                reasons="家庭困难，申请救助。",
                fund_id=fund if approved else None,
                amount_approved=amount,
                status=status,
                decided_on=decided_at.date() if approved or (status == "rejected" and not rejected_at_review) else None,
            )
        )
        title = f"{AidType(aid_type).label}申请（第{aid_id}号）"
        process(pid, aid_flow, aid_ct, aid_id, base, title, filed_at, ends_at)
        chain.add(filed_at, aid_ct, aid_id, base, user, "submit", "提交申请", "", "verifying")
        visitors = (committee, committee2_of[city])
        for n, visitor in enumerate(visitors):
            task(
                pid,
                aid_flow,
                "home_visit",
                "aid.verify_aidapplication",
                "DONE",
                visitor,
                filed_at,
                visits_at,
                token=f"start/2_{n + 1}",
            )
            chain.add(visits_at, aid_ct, aid_id, base, visitor, "visit", "入户核实", "", "", "入户核实，情况属实。")
        chain.add(verified_at, aid_ct, aid_id, base, None, "verified", "核实完毕", "verifying", "reviewing")
        if status == "reviewing":
            t = task(pid, aid_flow, "review", "aid.review_aidapplication", "NEW", None, verified_at)
            deadline(t, verified_at + datetime.timedelta(days=10))
            continue
        if status == "withdrawn":
            t = task(pid, aid_flow, "review", "aid.review_aidapplication", "CANCELED", None, verified_at, reviewed_at)
            chain.add(reviewed_at, aid_ct, aid_id, base, user, "withdraw", "撤回申请", "reviewing", "withdrawn")
            continue
        task(pid, aid_flow, "review", "aid.review_aidapplication", "DONE", committee, verified_at, reviewed_at)
        if rejected_at_review:
            chain.add(
                reviewed_at,
                aid_ct,
                aid_id,
                base,
                committee,
                "fail_review",
                "评议未通过",
                "reviewing",
                "rejected",
                "同意1票，不同意2票，弃权0票。",
            )
            continue
        chain.add(
            reviewed_at,
            aid_ct,
            aid_id,
            base,
            committee,
            "pass_review",
            "评议通过，进入公示",
            "reviewing",
            "publicizing",
            "同意3票，不同意0票，弃权0票。",
        )
        chain.add(approving_at, aid_ct, aid_id, base, None, "end_publicity", "公示期满", "publicizing", "approving")
        if status == "approving":
            t = task(pid, aid_flow, "approve", "aid.approve_aidapplication", "NEW", None, approving_at)
            deadline(t, approving_at + datetime.timedelta(days=7))
            continue
        task(pid, aid_flow, "approve", "aid.approve_aidapplication", "DONE", chair, approving_at, decided_at)
        if status == "rejected":
            chain.add(decided_at, aid_ct, aid_id, base, chair, "reject", "审批不同意", "approving", "rejected")
            continue
        chain.add(decided_at, aid_ct, aid_id, base, chair, "approve", "主席审批同意", "approving", "approved")
        if status == "approved":
            t = task(pid, aid_flow, "disburse", "aid.disburse_aidapplication", "NEW", None, decided_at)
            deadline(t, decided_at + datetime.timedelta(days=7))
            continue
        t = task(pid, aid_flow, "disburse", "aid.disburse_aidapplication", "DONE", finance, decided_at, paid_at)
        reference = f"转账{aid_id:07d}"
        budget_key = (fund, period)
        budget_ids.setdefault(budget_key, len(budget_ids) + 1)
        disbursement_rows.append(
            dict(
                id=len(disbursement_rows) + 1,
                application_id=aid_id,
                fund_budget_id=budget_ids[budget_key],
                amount=amount,
                method="bank",
                reference=reference,
                paid_on=paid_at.date(),
                paid_by_id=finance,
                idempotency_key=f"task-{t}",
            )
        )
        chain.add(paid_at, aid_ct, aid_id, base, finance, "pay", "发放", "approved", "paid", f"{reference} {amount}元")
    # Every fund has a budget in every half year; each covers what was approved in it with room to
    # spare (the bench approves the open applications), so none is ever overdrawn.
    budget_rows = []
    for fund in fund_of.values():
        for (_year, kind), period in period_id.items():
            if kind != "FY":
                budget_ids.setdefault((fund, period), len(budget_ids) + 1)
    for (fund, period), bid in sorted(budget_ids.items(), key=lambda item: item[1]):
        reserved, paid, waiting = budget_use.get((fund, period), (Decimal(0), Decimal(0), Decimal(0)))
        needed = (reserved + paid + waiting) * Decimal("1.25")
        amount = Decimal((int(needed) // 10000 + 2) * 10000)
        budget_rows.append(dict(id=bid, fund_id=fund, period_id=period, amount=amount, reserved=reserved, paid=paid))
    writer.write(FundBudget, budget_rows)
    writer.write(AidApplication, aid_rows, quiet=True)
    aid_rows.clear()
    writer.write(Disbursement, disbursement_rows)
    disbursement_rows.clear()
    flush_processes()
    writer.report("aid_aidapplication", *process_tables)
    next_process += aid

    # -- proposals: congresses, departments, proposals -------------------------------------------
    proposal_ct = content_type(Proposal)
    proposal_flow = "proposals/flows.ProposalFlow"
    congress_rows, department_rows = [], []
    congress_of = {}
    for city in city_ids:
        for year in range(2021, 2027):
            congress_rows.append(
                dict(
                    id=len(congress_rows) + 1,
                    org_unit_id=city,
                    name=f"{year}年职工代表大会",
                    window_opens=datetime.date(year, 9, 1),
                    window_closes=datetime.date(year, 10, 31),
                    held_on=datetime.date(year, 11, 20) if year < 2026 else None,
                )
            )
            congress_of[(city, year)] = len(congress_rows)
        for j, name in enumerate(DEPARTMENTS):
            department_rows.append(
                dict(id=len(department_rows) + 1, org_unit_id=city, name=name, contact_id=departments_of[city][j])
            )
    department_of = {}
    for row in department_rows:
        department_of.setdefault(row["org_unit_id"], []).append((row["id"], row["contact_id"]))
    writer.write(Congress, congress_rows)
    writer.write(Department, department_rows)
    # Finished proposals come from the congresses of 2021–2025, the open ones from 2026's.
    window_days = [d for d in all_days if 9 <= d.month <= 10]
    old_windows = [d for d in window_days if d.year < 2026]
    new_window = [d for d in window_days if d.year == 2026]
    old_weights = [1 + (d.year - 2021) * 0.1 for d in old_windows]
    proposal_days = sorted(rng.choices(old_windows, old_weights, k=proposals - open_props)) + sorted(
        rng.choices(new_window, k=open_props)
    )
    proposal_rows = []
    rep_to_rate = False
    by_congress = {}
    topics = ("职工食堂", "夜班津贴", "劳动防护用品", "带薪年休假", "职工体检", "通勤班车", "技能培训", "厂务公开")
    for k, submitted in enumerate(proposal_days):
        prop_id = k + 1
        pid = next_process + k
        is_open = k >= proposals - open_props
        city = rng.choice(city_ids)
        reps = reps_by_city.get(city) or [w for b in base_ids if city_of[b] == city for w in workers_by_base[b]]
        proposer = rng.choice(reps)
        if city == city1 and rng.random() < 0.1:
            proposer = bench["bench_rep"]
        congress = congress_of[(city, submitted.year)]
        committee = proposal_committee_of[city]
        if is_open:
            r = rng.random()
            status = "submitted" if r < 0.4 else "handling" if r < 0.75 else "answered"
            if not rep_to_rate:  # bench_rep has an answer to rate, whatever the size
                city, proposer, status = city1, bench["bench_rep"], "answered"
                rep_to_rate = True
                congress, committee = congress_of[(city, submitted.year)], proposal_committee_of[city]
        else:
            r = rng.random()
            status = "archived" if r < 0.8 else "rejected" if r < 0.92 else "merged"
            if status == "merged" and not by_congress.get(congress):
                status = "rejected"
        lead, contact = rng.choice(department_of[city])
        closes = datetime.date(submitted.year, 10, 31)
        drafted_at = at(submitted, 9, k % 60)
        submitted_at = drafted_at + datetime.timedelta(hours=2)
        decided = closes + datetime.timedelta(days=5)
        decided_at = at(decided, 15)
        if is_open:
            decided = min(decided, LAST_DAY)
        handled = status in ("handling", "answered", "archived")
        answered = status in ("answered", "archived")
        assigned_on = decided + datetime.timedelta(days=2)
        answered_on = assigned_on + datetime.timedelta(days=rng.randint(10, 25))
        feedback_on = answered_on + datetime.timedelta(days=rng.randint(2, 10))
        category = _weighted(rng, PROPOSAL_CATEGORIES)
        topic = topics[k % len(topics)]
        satisfaction = _weighted(rng, (("satisfied", 70), ("fairly", 22), ("unsatisfied", 8)))
        proposal_rows.append(
            dict(
                id=prop_id,
                org_unit_id=city,
                filed_on=submitted,
                created_by_id=proposer,
                created=drafted_at,
                updated=at(feedback_on if status == "archived" else submitted, 17),
                congress_id=congress,
                proposer_id=member_of[proposer],
                title=f"关于改善{topic}的提案",
                cause=f"职工反映{topic}方面存在不足。",
                measures=f"建议公司研究改进{topic}。",
                category=category,
                status=status,
                submitted_on=submitted,
                decided_on=decided if status != "submitted" else None,
                decision_note={"rejected": "不属于提案范围。", "merged": "与同类提案合并办理。"}.get(status, ""),
                merged_into_id=rng.choice(by_congress[congress]) if status == "merged" else None,
                is_suggestion=False,
                lead_department_id=lead if handled else None,
                assigned_on=assigned_on if handled else None,
                answer_due=assigned_on + datetime.timedelta(days=30) if handled else None,
                answered_on=answered_on if answered else None,
                answer_status="resolved" if answered else "",
                answer="已研究落实。" if answered else "",
                answer_reason="",
                answered_late=False,
                rehandled=False,
                first_answer="",
                satisfaction=satisfaction if status == "archived" else "",
                first_satisfaction="",
                feedback_note="",
                feedback_on=feedback_on if status == "archived" else None,
                archived_on=feedback_on if status == "archived" else None,
            )
        )
        by_congress.setdefault(congress, []).append(prop_id)
        ends_at = None if is_open else at(feedback_on, 17) if status == "archived" else decided_at
        process(pid, proposal_flow, proposal_ct, prop_id, city, f"提案：关于改善{topic}的提案", submitted_at, ends_at)
        chain.add(drafted_at, proposal_ct, prop_id, city, proposer, "draft", "起草提案", "", "draft")
        chain.add(submitted_at, proposal_ct, prop_id, city, proposer, "submit", "提交提案", "draft", "submitted")
        if status == "submitted":
            t = task(pid, proposal_flow, "review", "proposals.review_proposal", "NEW", None, submitted_at)
            deadline(t, at(closes + datetime.timedelta(days=10), 23, 59))
            continue
        task(pid, proposal_flow, "review", "proposals.review_proposal", "DONE", committee, submitted_at, decided_at)
        if status == "rejected":
            chain.add(decided_at, proposal_ct, prop_id, city, committee, "reject", "不予立案", "submitted", "rejected")
            continue
        if status == "merged":
            chain.add(decided_at, proposal_ct, prop_id, city, committee, "merge", "并案", "submitted", "merged")
            continue
        chain.add(decided_at, proposal_ct, prop_id, city, committee, "accept", "立案", "submitted", "accepted")
        assigned_at = at(assigned_on, 10)
        chain.add(assigned_at, proposal_ct, prop_id, city, committee, "assign", "交办", "accepted", "handling")
        if status == "handling":
            t = task(pid, proposal_flow, "answer", "proposals.answer_proposal", "ASSIGNED", contact, assigned_at)
            deadline(t, at(assigned_on + datetime.timedelta(days=30), 23, 59), remind_days=3)
            continue
        answered_at = at(answered_on, 14)
        task(pid, proposal_flow, "answer", "proposals.answer_proposal", "DONE", contact, assigned_at, answered_at)
        chain.add(answered_at, proposal_ct, prop_id, city, contact, "give_answer", "答复", "handling", "answered")
        if status == "answered":
            t = task(pid, proposal_flow, "feedback", "proposals.rate_proposal", "ASSIGNED", proposer, answered_at)
            deadline(t, answered_at + datetime.timedelta(days=21), remind_days=3)
            continue
        feedback_at = at(feedback_on, 17)
        task(pid, proposal_flow, "feedback", "proposals.rate_proposal", "DONE", proposer, answered_at, feedback_at)
        chain.add(feedback_at, proposal_ct, prop_id, city, proposer, "rate", "提案人反馈", "answered", "answered")
        chain.add(feedback_at, proposal_ct, prop_id, city, None, "archive", "办结归档", "answered", "archived")
    writer.write(Proposal, proposal_rows)
    proposal_rows.clear()
    flush_processes()
    writer.report(*process_tables)

    # -- the audit trail, one hash chain over every record's transitions -------------------------
    writer.write(AuditEvent, chain.rows())

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(),
            [
                OrgUnit,
                EmployerUnit,
                User,
                Member,
                RoleAssignment,
                Period,
                GrievanceCase,
                Process,
                Task,
                Fund,
                FundBudget,
                AidApplication,
                Disbursement,
                Congress,
                Department,
                Proposal,
                AuditEvent,
            ],
        ):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
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
    for row in AidApplication.objects.order_by("pk").values_list(
        "pk", "member_id", "period_id", "aid_type", "status", "amount_requested", "amount_approved"
    ):
        h.update(repr(row).encode())
    for row in FundBudget.objects.order_by("pk").values_list("pk", "amount", "reserved", "paid"):
        h.update(repr(row).encode())
    for row in Proposal.objects.order_by("pk").values_list("pk", "proposer_id", "congress_id", "status", "title"):
        h.update(repr(row).encode())
    # the chain's head hash covers every audit event's content
    h.update(repr(AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()).encode())
    return h.hexdigest()
