"""B1: each transition kind through the service the web and the API call, beside the raw-SQL floor.

For every kind, ``ctx.repeat`` fresh records are prepared untimed (file N cases, then claim each,
then accept each…), and the service call is timed on each; its statements are counted (framing
left out).  The floor writes the same rows with hand-written SQL through ``ctx.floor_conn``, in one
transaction, timed the same way: it takes the same row locks (the process, the record), repeats
the duplicate-dispute check on filing, inserts one row for every row the service inserted (task,
process, audit event linked into the chain, deadline, notification, session, disbursement…) and
updates every row the service updated.  The floor learns which rows those are from the service's
own statements, so it can neither forget a row nor invent one.

``value``/``floor`` are the medians over the kinds of the per-kind medians, ``ratio`` the median
of the per-kind ratios, ``queries`` the largest statement count of any kind.  ``seq_scans`` lists
the big tables the duplicate-dispute query reads by sequential scan (the goal is none).

Users: the ``bench_*`` users of ``generate_scale_data`` (bench_mediator 调解员, bench_committee 工会
委员, bench_chair, bench_worker 职工, bench_finance) when present; in a database without them
(a scratch one), a small organisation is created first.
"""

import datetime
import re
import statistics
import time
import uuid
from decimal import Decimal

from benchmarks.common import explain, ratio, save_plan, seq_scans, statements

TABLES = ("cases_grievancecase", "aid_aidapplication", "viewflow_task", "viewflow_process", "workflows_auditevent")
_INSERT = re.compile(r'^\s*INSERT\s+(?:OR\s+IGNORE\s+)?INTO\s+"(\w+)"', re.IGNORECASE)
_UPDATE = re.compile(r'^\s*UPDATE\s+"(\w+)"\s+SET.*WHERE\s+"\w+"\."(\w+)"\s*=\s*(\d+)', re.IGNORECASE | re.DOTALL)
_DELETE = re.compile(r'^\s*DELETE\s+FROM\s+"(\w+)"', re.IGNORECASE)
# a copy must not collide with its original on a unique column
# (a value, or a SQL expression on the original row)
_UNIQUE = {"aid_disbursement": {"idempotency_key": lambda: uuid.uuid4().hex}, "aid_vote": {"round": '"round" + 1000'}}
# where a copy would collide on a one-per-record row, the floor writes it as an upsert (the same
# index probes and one row version); task links are added as viewflow adds them (ignore existing)
_CONFLICT = {
    "viewflow_task_previous": " ON CONFLICT DO NOTHING",
    "aid_disbursement": " ON CONFLICT (application_id) DO UPDATE SET reference = EXCLUDED.reference",
}
_PK = {"workflows_unionprocess": "process_ptr_id", "workflows_taskdeadline": "task_id"}


# -- people and records -------------------------------------------------------------------------
def _people():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    names = ("bench_mediator", "bench_committee", "bench_chair", "bench_worker", "bench_finance")
    found = {u.username: u for u in users.filter(username__in=(*names, "bench_committee2"))}
    if not all(n in found for n in names):
        found |= _scratch_people()
    if "bench_committee2" not in found:
        found["bench_committee2"] = _second_committee(found["bench_committee"])
    return {name.removeprefix("bench_"): found[name] for name in found}


def _second_committee(committee):
    """Home visits are 会签 by two different committee members; a second one beside bench_committee."""
    from django.contrib.auth import get_user_model

    from workflows.models import Member, RoleAssignment
    from workflows.roles import Role

    unit = RoleAssignment.objects.filter(user=committee, role=Role.COMMITTEE).values_list("org_unit", flat=True)[0]
    user = get_user_model().objects.create_user("bench_committee2", first_name="委员乙")
    member = Member.objects.filter(user=committee).first()
    if member is not None:
        Member.objects.create(user=user, employer_unit=member.employer_unit, org_unit=member.org_unit)
    RoleAssignment.objects.create(user=user, role=Role.COMMITTEE, org_unit_id=unit)
    return user


def _scratch_people():
    """A union with one of each role, for a database that generate_scale_data did not fill."""
    from tests.factories import grant, make_user
    from workflows.models import EmployerUnit, OrgUnit
    from workflows.roles import Role

    top = OrgUnit.objects.create(name="基准总工会", code=f"b1-{uuid.uuid4().hex[:6]}", kind=OrgUnit.Kind.UPPER)
    unit = OrgUnit.objects.create(
        name="基准公司工会", code=f"b1-{uuid.uuid4().hex[:6]}", kind=OrgUnit.Kind.BASE, parent=top
    )
    employer = EmployerUnit.objects.create(name="基准公司", industry="制造", size="large", org_unit=unit)

    def person(username, name, role=None):
        user = make_user(username, name=name, unit=unit, employer=employer)
        return grant(user, role, unit) if role else user

    return {
        "bench_mediator": person("bench_mediator", "调解员", Role.MEDIATOR),
        "bench_committee": person("bench_committee", "委员", Role.COMMITTEE),
        "bench_chair": person("bench_chair", "主席", Role.CHAIR),
        "bench_worker": person("bench_worker", "职工"),
        "bench_finance": person("bench_finance", "财务", Role.FINANCE),
    }


def _aid_ready(people):
    """An open period and a fund with budget in the worker's union (the aid steps need them)."""
    from aid.models import Fund, FundBudget
    from aid.services import half_year_period
    from workflows.models import Member, Period

    member = Member.objects.select_related("org_unit", "employer_unit").get(user=people["worker"])
    today = datetime.date.today()
    if not Period.objects.covering(member.org_unit, today).exists():  # a scratch database
        kind = Period.Kind.FIRST_HALF if today.month <= 6 else Period.Kind.SECOND_HALF
        top = member.org_unit.ancestors().order_by("depth").first()
        Period.objects.create(org_unit=top, year=today.year, kind=kind)
    period = half_year_period(member.org_unit, today)
    fund = Fund.objects.filter(org_unit__in=member.org_unit.ancestors()).order_by("pk").first()
    if fund is None:
        fund = Fund.objects.create(org_unit=member.org_unit, name="基准帮扶资金")
    budget, _ = FundBudget.objects.get_or_create(fund=fund, period=period, defaults={"amount": Decimal("0")})
    FundBudget.objects.filter(pk=budget.pk).update(amount=budget.amount + Decimal("1000000"))
    return member, fund


# -- what the service wrote, and its floor --------------------------------------------------------
def _max_ids(tables):
    from django.db import connection

    with connection.cursor() as cursor:
        out = {}
        for table in tables:
            cursor.execute(f'SELECT COALESCE(MAX("{_PK.get(table, "id")}"), 0) FROM "{table}"')
            out[table] = cursor.fetchone()[0]
        return out


def _writes(sql_list):
    """``(inserted tables in order, {(table, pk column, pk)} updated)`` from the service's statements."""
    inserted, updated = [], []
    for sql in sql_list:
        if m := _INSERT.match(sql):
            inserted.append(m.group(1))
        elif m := _UPDATE.match(sql):
            updated.append((m.group(1), m.group(2), int(m.group(3))))
        elif _DELETE.match(sql):
            raise RuntimeError(f"B1 floor does not model deletes: {sql[:120]}")
    return inserted, updated


class Floor:
    """One kind's hand-written SQL: the same locks, the same inserted and updated rows."""

    def __init__(self, conn, *, locks, inserted, new_ids, updated):
        self.conn, self.locks, self.updated = conn, locks, updated
        self.inserted = [(table, new_ids[table].pop(0)) for table in inserted]
        self.columns = {}

    def _cols(self, table):
        if table not in self.columns:
            rows = self.conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
                [table],
            ).fetchall()
            self.columns[table] = [r[0] for r in rows]
        return self.columns[table]

    def prepare(self):
        for table, _ in self.inserted:
            self._cols(table)

    def run(self):
        conn = self.conn
        mapped = {}
        with conn.transaction():
            for sql, params in self.locks:
                conn.execute(sql, params)
            for table, pk in self.inserted:
                if table == "workflows_auditevent":
                    self._audit(pk)
                    continue
                cols = [c for c in self._cols(table) if c != "id"]
                pk_col = _PK.get(table, "id")
                values, params = [], []
                for c in cols:
                    if c == pk_col or (table == "viewflow_task_previous" and c in ("from_task_id", "to_task_id")):
                        values.append("%s")
                        params.append(None)  # filled below
                    elif isinstance(_UNIQUE.get(table, {}).get(c), str):
                        values.append(_UNIQUE[table][c])
                    elif c in _UNIQUE.get(table, {}):
                        values.append("%s")
                        params.append(_UNIQUE[table][c]())
                    elif table == "viewflow_task" and c == "status":
                        values.append("'CANCELED'")  # the copy never enters a queue
                    else:
                        values.append(f'"{c}"')
                if table == "workflows_unionprocess":
                    params[cols.index(pk_col)] = mapped[("viewflow_process", pk)]
                elif table == "workflows_taskdeadline":
                    params[cols.index(pk_col)] = mapped.get(("viewflow_task", pk), pk)
                elif table == "viewflow_task_previous":
                    row = conn.execute(
                        "SELECT from_task_id, to_task_id FROM viewflow_task_previous WHERE id = %s", [pk]
                    ).fetchone()
                    params[cols.index("from_task_id")] = mapped.get(("viewflow_task", row[0]), row[0])
                    params[cols.index("to_task_id")] = mapped.get(("viewflow_task", row[1]), row[1])
                where_col = pk_col if pk_col != "id" else "id"
                returning = "id" if "id" in self._cols(table) else pk_col
                names = ", ".join(f'"{c}"' for c in cols)
                new = conn.execute(
                    f'INSERT INTO "{table}" ({names}) '
                    f'SELECT {", ".join(values)} FROM "{table}" WHERE "{where_col}" = %s'
                    f"{_CONFLICT.get(table, '')}"
                    f' RETURNING "{returning}"',
                    [*params, pk],
                ).fetchone()
                if new is not None:
                    mapped[(table, pk)] = new[0]
            for table, column, pk in self.updated:
                first = next(c for c in self._cols(table) if c not in ("id", column))
                conn.execute(f'UPDATE "{table}" SET "{first}" = "{first}" WHERE "{column}" = %s', [pk])

    def _audit(self, pk):
        """An audit event linked into the chain the way ``AuditEvent.save`` links it."""
        from workflows.models.audit import CHAIN_LOCK_KEY, GENESIS, chain_digest

        conn = self.conn
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        head = conn.execute("SELECT seq, hash FROM workflows_auditevent ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        src = conn.execute(
            "SELECT e.actor_id, e.content_type_id, ct.app_label, ct.model, e.object_id, e.org_unit_id, e.action,"
            " e.action_label, e.from_state, e.to_state, e.reason, e.request_id, e.client_request_id"
            " FROM workflows_auditevent e JOIN django_content_type ct ON ct.id = e.content_type_id WHERE e.id = %s",
            [pk],
        ).fetchone()
        at = datetime.datetime.now(datetime.UTC)
        digest = chain_digest(
            seq=seq,
            prev_hash=prev,
            at=at,
            actor_id=src[0],
            record_type=f"{src[2]}.{src[3]}",
            object_id=src[4],
            org_unit_id=src[5],
            action=src[6],
            action_label=src[7],
            from_state=src[8],
            to_state=src[9],
            reason=src[10],
            request_id=src[11],
            client_request_id=src[12],
        )
        conn.execute(
            "INSERT INTO workflows_auditevent (at, actor_id, content_type_id, object_id, org_unit_id, action,"
            " action_label, from_state, to_state, reason, request_id, client_request_id, seq, prev_hash, hash)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [at, src[0], src[1], src[4], src[5], *src[6:13], seq, prev, digest],
        )


WRITE_TABLES = (
    "cases_grievancecase",
    "cases_mediationsession",
    "aid_aidapplication",
    "aid_disbursement",
    "aid_verification",
    "aid_vote",
    "aid_objection",
    "viewflow_process",
    "workflows_unionprocess",
    "viewflow_task",
    "viewflow_task_previous",
    "workflows_taskdeadline",
    "workflows_auditevent",
    "workflows_notification",
)


def _existing_tables(tables):
    from django.db import connection

    present = set(connection.introspection.table_names())
    return [t for t in tables if t in present]


def _measure(kind, records, call, locks_for):
    """Time ``call(record)`` on each record, count its statements, then time its floor on each."""
    from django.db import connections

    tables = _existing_tables(WRITE_TABLES)
    timings, counts, floors = [], [], []
    for record in records:
        before = _max_ids(tables)
        start = time.perf_counter()
        _, sql = statements(lambda record=record: call(record))
        timings.append(time.perf_counter() - start)
        counts.append(len(sql))
        inserted, updated = _writes(sql)
        new_ids = {}
        from django.db import connection

        with connection.cursor() as cursor:
            for t in tables:
                cursor.execute(
                    f'SELECT "{_PK.get(t, "id")}" FROM "{t}" WHERE "{_PK.get(t, "id")}" > %s ORDER BY 1', [before[t]]
                )
                new_ids[t] = [r[0] for r in cursor.fetchall()]
        floors.append(
            Floor(
                _FLOOR_CONN[0],
                locks=locks_for(record),
                inserted=[t for t in inserted if t in new_ids],
                new_ids=new_ids,
                updated=updated,
            )
        )
    connections["default"].close_if_unusable_or_obsolete()
    for floor in floors:
        floor.prepare()
    floor_times = []
    for floor in floors:
        start = time.perf_counter()
        floor.run()
        floor_times.append(time.perf_counter() - start)
    value, floor = statistics.median(timings), statistics.median(floor_times)
    return {
        "kind": kind,
        "ms": round(value * 1000, 2),
        "floor_ms": round(floor * 1000, 2),
        "ratio": ratio(value, floor),
        "statements": max(counts),
    }


_FLOOR_CONN = [None]


def _lock(table, pk, column="id"):
    return (f'SELECT 1 FROM "{table}" WHERE "{column}" = %s FOR UPDATE', [pk])


def _process_of(record):
    from workflows.engine import open_tasks_for

    task = open_tasks_for(record).order_by("pk").first()
    return task.process_id if task else None


# -- the kinds ----------------------------------------------------------------------------------
def _case_kinds(ctx, people):
    from django.utils import timezone

    from cases import services
    from cases.flows import GrievanceFlow
    from cases.models import GrievanceCase
    from workflows import engine
    from workflows.models import Member

    n = ctx.repeat
    mediator, member = people["mediator"], Member.objects.select_related("employer_unit").get(user=people["worker"])
    tag = uuid.uuid4().hex[:8]
    rows = []

    def task_of(case, node):
        return engine.open_tasks_for(case).filter(flow_task=node).order_by("pk").first()

    def case_lock(case):
        return [
            _lock("workflows_unionprocess", _process_of(case), "process_ptr_id"),
            _lock("cases_grievancecase", case.pk),
        ]

    cases = []

    def file(i):
        case = services.case_register(
            actor=mediator,
            employer_unit=member.employer_unit,
            channel="phone",
            applicant_name=f"基准{tag}{i}",
            applicant_phone=f"139{i:08d}",
            filed_on=timezone.localdate(),
            category="wages",
            facts="工资未按时足额发放。",
            claims="请求支付拖欠工资。",
            workers_involved=1,
            amount_claimed=Decimal("8600.00"),
        )
        cases.append(case)
        return case

    counter = iter(range(n))
    rows.append(
        _measure("case file", list(range(n)), lambda _i: file(next(counter)), lambda _i: [_duplicate_lookup(cases[-1])])
    )
    rows.append(
        _measure(
            "case claim",
            cases,
            lambda c: engine.task_claim(task=task_of(c, GrievanceFlow.review), actor=mediator),
            lambda c: [_lock("workflows_unionprocess", _process_of(c), "process_ptr_id")],
        )
    )
    rows.append(
        _measure(
            "case accept",
            cases,
            lambda c: engine.task_complete(
                task=task_of(c, GrievanceFlow.review),
                actor=mediator,
                data={"decision": "accept", "mediator": mediator, "note": ""},
            ),
            case_lock,
        )
    )
    for c in cases:
        c.refresh_from_db()
    rows.append(
        _measure(
            "case session",
            cases,
            lambda c: services.case_add_session(
                case=c, actor=mediator, held_on=timezone.localdate(), attendees="双方", notes="调解。"
            ),
            lambda c: [_lock("cases_grievancecase", c.pk)],
        )
    )
    rows.append(
        _measure(
            "case extend",
            cases,
            lambda c: services.case_extend(case=c, actor=mediator, days=10, reason="双方同意延长。"),
            lambda c: [_lock("cases_grievancecase", c.pk)],
        )
    )
    agreement = {
        "outcome": "agree",
        "amount_agreed": Decimal("8000.00"),
        "agreement_terms": "被申请人支付拖欠工资8000元。",
        "performance_due": timezone.localdate() + datetime.timedelta(days=10),
        "failure_reason": "",
    }
    rows.append(
        _measure(
            "case agree",
            cases,
            lambda c: engine.task_complete(task=task_of(c, GrievanceFlow.mediate), actor=mediator, data=agreement),
            case_lock,
        )
    )
    assert all(
        c.status == GrievanceCase.Status.AGREED for c in GrievanceCase.objects.filter(pk__in=[c.pk for c in cases])
    )
    return rows


def _aid_kinds(ctx, people):
    from django.utils import timezone
    from viewflow.workflow.timers import fire_due_timers

    from aid import services
    from aid.flows import AidFlow
    from workflows import engine

    member, fund = _aid_ready(people)
    committee, committee2, chair, finance = (people[k] for k in ("committee", "committee2", "chair", "finance"))
    rows, apps_ = [], []
    # one application per member, type and period: each measured application is a new applicant's
    from django.contrib.auth import get_user_model

    from workflows.models import Member

    tag = uuid.uuid4().hex[:6]
    applicants = []
    for i in range(ctx.repeat):
        user = get_user_model().objects.create_user(f"b1_{tag}_{i}", first_name=f"申请人{i}")
        applicant = Member.objects.create(
            user=user, employee_no=f"B1{tag}{i}", employer_unit=member.employer_unit, org_unit=member.org_unit
        )
        applicant = Member.objects.select_related("user", "org_unit").get(pk=applicant.pk)  # as a page has it
        services.file_open(
            actor=committee,
            member=applicant,
            household_size=3,
            income_per_head=Decimal("800"),
            ill_or_disabled=1,
            sudden_loss=Decimal("0"),
            cause="家庭困难。",
            category="deep",
            id_number="330102198001011234",
            illness="",
            bank_account="6222020202020202",
            consent_signed_on=timezone.localdate(),
        )
        applicants.append((user, applicant))

    def submit(i):
        user, applicant = applicants[i]
        app = services.application_submit(
            actor=user, member=applicant, aid_type="living", amount_requested=Decimal("100"), reasons="家庭困难。"
        )
        apps_.append(app)
        return app

    n = ctx.repeat
    counter = iter(range(n))
    app_lock = lambda a: [  # noqa: E731
        _lock("workflows_unionprocess", _process_of(a), "process_ptr_id"),
        _lock("aid_aidapplication", a.pk),
    ]
    rows.append(_measure("aid file", list(range(n)), lambda _i: submit(next(counter)), lambda _i: []))

    def visit(app, user):
        task = (
            engine.open_tasks_for(app).filter(flow_task=AidFlow.home_visit, owner__isnull=True).order_by("pk").first()
        )
        engine.task_claim(task=task, actor=user)
        return task

    visit_data = {"visited_on": timezone.localdate(), "findings": "属实。", "returned": False}
    for a in apps_:
        visit(a, committee)
    rows.append(
        _measure(
            "aid verify",
            apps_,
            lambda a: engine.task_complete(
                task=engine.open_tasks_for(a).get(flow_task=AidFlow.home_visit, owner=committee),
                actor=committee,
                data=visit_data,
            ),
            app_lock,
        )
    )
    for a in apps_:
        t = visit(a, committee2)
        engine.task_complete(task=engine.open_tasks_for(a).get(pk=t.pk), actor=committee2, data=visit_data)
        engine.task_claim(task=engine.open_tasks_for(a).get(flow_task=AidFlow.review), actor=chair)

    def review(app):
        task = engine.open_tasks_for(app).get(flow_task=AidFlow.review)
        voters = AidFlow.review.make_form(None, task=task)
        ballots = {name: "for" for name in voters.fields if name.startswith("vote_")}
        form = AidFlow.review.make_form(ballots | {"note": ""}, task=task)
        assert form.is_valid(), form.errors
        return engine.task_complete(task=task, actor=chair, data=form.cleaned_data)

    rows.append(_measure("aid review", apps_, review, app_lock))
    # the 公示 period passes (untimed), as in the tests: its timers fire a few days ahead
    import time_machine

    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        fire_due_timers()
    for a in apps_:
        engine.task_claim(task=engine.open_tasks_for(a).get(flow_task=AidFlow.approve), actor=chair)
    rows.append(
        _measure(
            "aid approve",
            apps_,
            lambda a: engine.task_complete(
                task=engine.open_tasks_for(a).get(flow_task=AidFlow.approve),
                actor=chair,
                data={"decision": "approve", "fund": fund, "note": ""},
            ),
            lambda a: [*app_lock(a), ("SELECT 1 FROM aid_fundbudget WHERE fund_id = %s FOR UPDATE", [fund.pk])],
        )
    )
    for a in apps_:
        engine.task_claim(task=engine.open_tasks_for(a).get(flow_task=AidFlow.disburse), actor=finance)
    rows.append(
        _measure(
            "aid disburse",
            apps_,
            lambda a: engine.task_complete(
                task=engine.open_tasks_for(a).get(flow_task=AidFlow.disburse),
                actor=finance,
                data={"method": "bank", "reference": f"B1{a.pk}", "paid_on": timezone.localdate()},
            ),
            lambda a: [*app_lock(a), ("SELECT 1 FROM aid_fundbudget WHERE fund_id = %s FOR UPDATE", [fund.pk])],
        )
    )
    return rows


def duplicate_query_plan():
    """EXPLAIN of the duplicate-dispute check, both ways it asks (by member, by name and phone)."""
    from cases.models import GrievanceCase
    from cases.services import open_duplicates

    case = GrievanceCase.objects.exclude(applicant=None).order_by("-pk").first()
    found, indexes = [], []
    for label, kwargs in (
        ("by_member", {"applicant": case.applicant_id if case else 1}),
        ("by_name", {"applicant_name": "某某", "applicant_phone": "13800000000"}),
    ):
        query = open_duplicates(employer_unit=case.employer_unit_id if case else 1, category="wages", **kwargs)
        sql, params = query.query.sql_with_params()
        plan = explain(sql, params)
        save_plan(f"b1_duplicate_{label}", sql, plan)
        found += seq_scans(plan, tables=("cases_grievancecase",))
        indexes += _index_names(plan)
    return found, indexes


def _index_names(plan):
    names = []

    def walk(node):
        if "Index Name" in node:
            names.append(node["Index Name"])
        for child in node.get("Plans", ()):
            walk(child)

    for item in plan:
        walk(item["Plan"])
    return names


def growth(ctx):
    """Filing's time and floor at this size (the growth curve's point)."""
    _FLOOR_CONN[0] = ctx.floor_conn
    row = _case_kinds_file_only(ctx, _people())
    return {"value": row["ms"] / 1000, "floor": row["floor_ms"] / 1000, "what": "file a case"}


def _case_kinds_file_only(ctx, people):
    from django.utils import timezone

    from cases import services
    from workflows.models import Member

    member = Member.objects.select_related("employer_unit").get(user=people["worker"])
    tag = uuid.uuid4().hex[:8]
    last = []

    def file(i):
        last.append(
            services.case_register(
                actor=people["mediator"],
                employer_unit=member.employer_unit,
                channel="phone",
                applicant_name=f"增长{tag}{i}",
                applicant_phone=f"138{i:08d}",
                filed_on=timezone.localdate(),
                category="wages",
                facts="工资未按时足额发放。",
                claims="请求支付拖欠工资。",
                workers_involved=1,
                amount_claimed=Decimal("8600.00"),
            )
        )

    return _measure(
        "case file",
        list(range(ctx.repeat)),
        file,
        lambda _i: [_duplicate_lookup(last[-1])],
    )


def _duplicate_lookup(case):
    from cases.services import open_duplicates

    query = open_duplicates(
        employer_unit=case.employer_unit_id,
        category=case.category,
        applicant_name=case.applicant_name,
        applicant_phone=case.applicant_phone,
    )
    return query.query.sql_with_params()


def run(ctx):
    _FLOOR_CONN[0] = ctx.floor_conn
    people = _people()
    rows = _case_kinds(ctx, people) + _aid_kinds(ctx, people)
    found, indexes = duplicate_query_plan()
    ratios = [r["ratio"] for r in rows]
    return {
        "what": "each transition kind (median over kinds)",
        "value": statistics.median(r["ms"] for r in rows) / 1000,
        "floor": statistics.median(r["floor_ms"] for r in rows) / 1000,
        "ratio": round(statistics.median(ratios), 2),
        "queries": max(r["statements"] for r in rows),
        "size": ctx.size.get("cases") if ctx.size else None,
        "seq_scans": found,
        "duplicate_check_indexes": indexes,  # expected: case_open_dispute_by_member, _by_name
        "rows": rows,
    }
