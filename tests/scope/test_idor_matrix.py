"""The IDOR matrix: every record-bearing URL of the site and the API, generated from the URL conf
(the DRF router's routes included), tried with GET and POST (and the API's PATCH, PUT and DELETE
where a route serves them) by everyone who must not reach the record behind it — anonymous, an
employee of the same union who is not the applicant, a member of a sibling union holding every
role there, and each role that does not read the record's domain; at a door that acts, also each
role that reads the record but may not act there (``ACTS``).

Each try must be refused (login redirect / 401 / 403 for anonymous; 403, 404 or 405 otherwise) and
must write nothing: no INSERT/UPDATE/DELETE runs, and every table keeps its row count.  Each URL
is also opened by someone who may reach it, so a URL filled wrongly (refused to everyone) fails
too.  A URL the matrix does not know how to fill fails the test: a new endpoint cannot escape.
"""

import dataclasses
import datetime
import re
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.viewsets import ViewSetMixin
from viewflow.workflow.models import Task

from aid import services as aid_services
from aid.flows import AidBatchFlow
from aid.models import AidApplication, AidBatch, Fund, FundBudget, HardshipFile
from cases import documents
from cases import services as case_services
from cases.models import GrievanceCase
from proposals.models import Proposal
from summaries import figures
from summaries.models import Report
from tests.aid.conftest import apply, hardship_file
from tests.aid.test_aid_flow import through_review, votes
from tests.cases.conftest import file_kwargs
from tests.factories import fresh, grant, make_user
from tests.proposals.conftest import submitted
from workflows import consultations, copies, delegations, engine, services
from workflows.models import (
    Attachment,
    Consultation,
    Delegation,
    Member,
    MembershipApplication,
    Notification,
    Period,
    RecordCopy,
    SavedFilter,
)
from workflows.notifications import notify
from workflows.roles import AID_READ, ALL_DOMAINS_READ, Role, roles_granting

pytestmark = pytest.mark.django_db

# -- how to fill each URL -----------------------------------------------------------------------
# Pages: the model their record parameter names.  (API routes: the ViewSet's model.)
RECORD_PAGES = {
    "task_detail": Task,
    "task_action": Task,
    "record_urge": (GrievanceCase, MembershipApplication, AidApplication, AidBatch, Proposal),  # 催办
    "membership_detail": MembershipApplication,
    "membership_action": MembershipApplication,
    "attachment_download": Attachment,
    "notification_read": Notification,
    "delegation_cancel": Delegation,
    "consultation_action": Consultation,
    "record_copy": (GrievanceCase, MembershipApplication, AidApplication, AidBatch, Proposal),  # 抄送
    "copy_open": RecordCopy,
    "saved_filter_delete": SavedFilter,
    "period_reopen": Period,
    "cases:detail": GrievanceCase,
    "cases:document": GrievanceCase,
    "cases:action": GrievanceCase,
    "proposals:detail": Proposal,
    "proposals:edit": Proposal,
    "proposals:action": Proposal,
    "aid:application": AidApplication,
    "aid:application_action": AidApplication,
    "aid:object": (AidApplication, AidBatch),  # publicity/<kind>/<pk>/object/
    "aid:file": HardshipFile,
    "aid:file_lift": HardshipFile,
    "aid:file_review": HardshipFile,
    "aid:batch": AidBatch,
    "summaries:close_preview": Period,
    "summaries:report": Report,
    "summaries:progress": Report,
    "summaries:reopen": Report,
    "summaries:retry": Report,
    "summaries:file": Report,
    "summaries:figure_records": Report,
    "summaries:versions": Report,
    "summaries:restore": Report,
}


# The other parameters of a record-bearing URL, from the record: (url name, parameter) → values.
def case_documents(case):
    return [kind for kind, (_label, _build, states) in documents.DOCUMENTS.items() if case.status in states]


def report_files(report):
    return [
        kind for kind, field in (("docx", "document"), ("xlsx", "workbook"), ("pdf", "pdf")) if getattr(report, field)
    ]


CASE_ACTIONS = ["session", "extend", "withdraw", "sign", "comment", "extend_petition", "attach"]
PARAMS = {
    ("task_action", "action"): lambda task: ["claim", "release", "reassign", "transfer"],
    ("record_urge", "label"): lambda record: [record._meta.label_lower],
    ("record_copy", "label"): lambda record: [record._meta.label_lower],
    ("consultation_action", "action"): lambda consultation: ["answer", "withdraw"],
    ("membership_action", "action"): lambda record: ["withdraw", "comment", "attach"],
    ("cases:action", "action"): lambda case: CASE_ACTIONS,
    ("cases:document", "kind"): case_documents,
    ("case-document", "kind"): case_documents,
    ("proposals:action", "action"): lambda proposal: ["second", "submit", "withdraw"],
    ("aid:application_action", "action"): lambda application: ["withdraw"],
    ("aid:object", "kind"): lambda record: ["application" if isinstance(record, AidApplication) else "batch"],
    ("summaries:file", "kind"): report_files,
    ("summaries:figure_records", "section"): lambda report: ["cases"],
    ("summaries:figure_records", "figure"): lambda report: ["received"],
}
RECORD_PARAMS = {"pk", "period_pk"}
# URLs that name no record (lists, forms, the login): what they show is scoped by the selectors,
# tried per domain in test_domain_scope.py, and the API's lists are swept below.
NO_RECORD = {
    "dashboard", "healthz", "login", "logout", "task_bulk", "task_list", "membership_list", "membership_apply",
    "notification_list", "notification_read_all", "period_list", "cases:list", "cases:file", "cases:register",
    "delegation", "mine", "copied", "notification_settings", "saved_filter_save",
    "proposals:list", "proposals:new", "aid:list", "aid:apply", "aid:publicity", "aid:funds", "aid:files",
    "aid:file_new", "aid:batch_new", "summaries:live", "summaries:close", "schema", "api_docs", "api-root",
}  # fmt: skip
# Rows an API list action returns when they are not the ViewSet's own records.
LIST_ROWS = {"funds": FundBudget, "publicity": AidApplication}


# The queries an API list is read with, per row: the task boxes; the member lookup finds no one
# without a criterion (it is not a roster), so each member is looked up by 工号, by name and as 劳模.
def list_queries(instance):
    if isinstance(instance, Task):
        return ["?box=inbox", "?box=queue", "?box=archive"]
    if isinstance(instance, Member):
        criteria = [{"employee_no": instance.employee_no}, {"name": instance.display_name}]
        if instance.is_model_worker:
            criteria.append({"is_model_worker": "true"})
        return ["?" + urlencode(c) for c in criteria]
    return [""]


# Doors that act on a record some of its readers may not act on: (door, method) → the permission to
# act.  Those readers are tried too and must be refused like any reader (nothing written).
ACTS = {
    ("member-model-worker", "post"): "workflows.change_member",  # 认定劳模: the chair, an administrator
    ("aid-budget-detail", "patch"): "aid.change_fundbudget",  # 调整预算: finance, an administrator
}
WRITES = ("post", "patch", "put", "delete")
# 提案公开: any member of the union reads its proposals; every other door refuses them (with a
# message and nothing written, as any reader who may not act is refused).
UNION_READS = {Proposal: {"proposals:detail", "proposal-detail", "proposal-audit", "proposal-list"}}
# 公示: any member of the union sees the board and may object while a record is publicised.
UNION_ACTS = {
    AidApplication: {"aid:object", "aid-application-objection", "aid-application-publicity"},
    AidBatch: {"aid:object"},
}


@dataclasses.dataclass
class Door:
    name: str  # the URL name, with its namespace
    params: tuple
    api: bool
    viewset: type | None
    methods: dict | None  # DRF: HTTP method → action

    @property
    def key(self):
        return self.name.rsplit(":", 1)[-1] if self.api else self.name


def doors():
    """Every URL pattern of the project except the Django admin (staff only, its own permissions)."""

    def walk(patterns, namespace, params):
        for p in patterns:
            found = tuple(params) + tuple(p.pattern.regex.groupindex)
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                yield from walk(p.url_patterns, ns, found)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace else p.name
                cls = getattr(p.callback, "cls", None)
                is_api = cls is not None and issubclass(cls, ViewSetMixin)
                yield Door(name, found, is_api, cls if is_api else None, getattr(p.callback, "actions", None))

    return list(walk(get_resolver().url_patterns, None, ()))


def record_doors():
    """The record-bearing doors, each with its model; fails on a door it cannot classify."""
    known, unknown = [], []
    all_doors = doors()
    for door in all_doors:
        if "format" in door.params:  # the router's .json twin of a route: the same view, tried once
            assert any(d.name == door.name and "format" not in d.params for d in all_doors), door
            continue
        if not RECORD_PARAMS & set(door.params):
            if door.api and door.viewset is not None:
                known.append((door, None))  # an API list or create: its rows are swept below
            elif door.key not in NO_RECORD:
                unknown.append(door.name)
            continue
        model = door.viewset.queryset.model if door.api else RECORD_PAGES.get(door.name)
        extra = set(door.params) - RECORD_PARAMS
        if model is None or any((door.key, p) not in PARAMS for p in extra):
            unknown.append(door.name)
            continue
        known.append((door, model))
    assert not unknown, f"the IDOR matrix does not know how to fill {unknown}: add them to RECORD_PAGES/PARAMS"
    return known


def urls_for(door, record):
    """Every URL of ``door`` that names ``record`` (one per value of its other parameters)."""
    kwargs = [{}]
    for param in door.params:
        if param in RECORD_PARAMS:
            values = [record.pk]
        else:
            values = PARAMS[(door.key, param)](record)
        kwargs = [{**k, param: v} for k in kwargs for v in values]
    return [reverse(door.name, kwargs=k) for k in kwargs]


# -- the world: one union's records of every kind, and who must not reach them ------------------
def readers(record):
    return set(roles_granting(record.read_permission))


def reach(instance):
    """The roles (held in the record's union) that legitimately reach ``instance``."""
    if isinstance(instance, Task):
        return readers(instance.process.artifact) | set(roles_granting(instance.owner_permission or ""))
    if isinstance(instance, Attachment):
        return readers(instance.record)
    if isinstance(instance, Period | Report):
        return set(roles_granting("workflows.manage_period"))
    if isinstance(instance, Notification | Delegation | Consultation | SavedFilter | RecordCopy):
        return set()  # the recipient's / the member's own only
    if isinstance(instance, Fund | FundBudget):
        return set(roles_granting(AID_READ))  # a fund and its budgets are read with the union's aid
    if isinstance(instance, Member):
        # 职工查询: a worker is looked up by whoever reads any domain of the worker's union
        return {role for perm in ALL_DOMAINS_READ for role in roles_granting(perm)}
    return readers(instance)


@pytest.fixture
def world(tree, worker, mediator, fund, period, aid_people, congress, people):
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.cases.test_case_flow import open_task

    def upload():
        return SimpleUploadedFile("证据.pdf", b"%PDF-1.4 x", content_type="application/pdf")

    case = case_services.case_file(actor=fresh(worker), **file_kwargs())
    services.attachment_add(record=case, actor=fresh(worker), upload=upload())
    services.comment_add(record=case, actor=fresh(worker), body="请尽快处理")
    notify([worker], title="案件已登记", url=case.get_absolute_url())
    refused = case_services.case_file(
        actor=fresh(make_user(name="钱工人", unit=tree.a_branch, employer=tree.employer_a)),
        **file_kwargs(category="social_insurance", facts="未缴社保。"),
    )
    review = open_task(refused)
    engine.task_claim(task=review, actor=fresh(mediator))
    engine.task_complete(
        task=review,
        actor=fresh(mediator),
        data={"decision": "reject", "rejection_reason": "in_arbitration", "note": "已申请仲裁", "mediator": None},
    )
    membership = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    services.attachment_add(record=membership, actor=fresh(tree.applicant_a), upload=upload())
    verifying = apply(tree, aid_people["needy"])
    publicised = through_review(tree, aid_people, apply(tree, aid_people["needy2"]))
    households = [
        hardship_file(
            tree,
            make_user(name=f"困难户{n}", unit=tree.a_branch, employer=tree.employer_a),
            id_number=f"3301021980000000{n}X",
        )
        for n in range(2)
    ]
    batch, _ = aid_services.batch_create(
        actor=fresh(tree.chair_a),
        title="送温暖",
        aid_type="festival",
        amount_per_household=500,
        fund=fund,
        files=households,
    )
    votes(batch, AidBatchFlow.review, tree.chair_a, {tree.committee_a: "for", aid_people["committee2"]: "for"})
    # 劳模: the chair flags a worker (audited on the member) and starts 劳模慰问 for the union's 劳模
    model_worker = services.member_set_model_worker(
        member=Member.objects.get(user=worker), actor=fresh(tree.chair_a), is_model_worker=True, reason="市级劳动模范"
    )
    model_batch, _ = aid_services.model_worker_batch_create(
        actor=fresh(tree.chair_a), title="劳模慰问", amount_per_household=Decimal("1000"), fund=fund
    )
    votes(model_batch, AidBatchFlow.review, tree.chair_a, {tree.committee_a: "for", aid_people["committee2"]: "for"})
    # finance adds to the fund's budget (audited on the fund)
    aid_services.budget_change(
        budget=FundBudget.objects.get(fund=fund), actor=fresh(aid_people["finance"]), amount=Decimal("30000")
    )
    proposal = submitted(congress, people)
    held = engine.open_tasks_for(membership).get()
    engine.task_claim(task=held, actor=fresh(tree.committee_a))
    asked = consultations.consult(
        task=held, actor=fresh(tree.committee_a), consultant=fresh(aid_people["committee2"]), question="是否属实？"
    )
    copied = copies.copy_record(record=case, actor=fresh(tree.committee_a), people=[fresh(aid_people["finance"])])
    away = delegations.delegation_create(  # from next week: the world's tasks stay where they are
        principal=fresh(tree.committee_a),
        deputy=fresh(aid_people["committee2"]),
        starts_on=datetime.date.today() + datetime.timedelta(days=7),
        ends_on=datetime.date.today() + datetime.timedelta(days=9),
    )
    closing = Period.objects.create(org_unit=tree.a, year=period.year, kind=Period.Kind.FULL_YEAR)
    snapshot = figures.collect(tree.a, closing)  # the figure → records pages read it
    report = Report.objects.create(org_unit=tree.a, period=closing, status=Report.Status.DONE, snapshot=snapshot)
    report.document.save("总结.docx", ContentFile(b"PK docx"), save=True)
    report.workbook.save("总结.xlsx", ContentFile(b"PK xlsx"), save=True)
    records = {
        GrievanceCase: [case, refused],
        MembershipApplication: [membership],
        AidApplication: [verifying, publicised],
        AidBatch: [batch, model_batch],
        HardshipFile: households[:1],
        Proposal: [proposal],
        Task: list(engine.open_tasks_for_all().filter(status__in=["NEW", "ASSIGNED", "STARTED"])),
        Attachment: list(Attachment.objects.all()),
        Notification: list(Notification.objects.filter(recipient=worker)),
        Delegation: [away],
        Consultation: [asked],
        RecordCopy: copied,
        SavedFilter: [
            SavedFilter.objects.create(user=tree.chair_a, name="待受理", list_name="cases:list", query="s=1")
        ],
        Period: [closing],
        Report: [report],
        FundBudget: list(FundBudget.objects.all()),
        Fund: [fund],
        Member: [model_worker],
    }
    assert all(records.values()), records
    for instance in (r for rs in records.values() for r in rs):
        instance.refresh_from_db()
    assert {type(t.process.artifact) for t in records[Task]} == {
        GrievanceCase,
        MembershipApplication,
        AidApplication,
        Proposal,
    }
    assert publicised.status == batch.status == model_batch.status == "publicizing"
    assert model_batch.aid_type == "model_worker" and model_worker.is_model_worker

    employee = grant(
        make_user("employee_a", name="周职工", unit=tree.a_branch, employer=tree.employer_a), Role.EMPLOYEE, tree.a
    )
    sibling = make_user("sibling_b", name="乙全能", unit=tree.b, employer=tree.employer_b)
    for role in Role:
        grant(sibling, role, tree.b)
    role_holders = {role: grant(make_user(f"only_{role}", member=False), role, tree.a) for role in Role}
    return SimpleNamespace(tree=tree, records=records, employee=employee, sibling=sibling, role_holders=role_holders)


def outsiders(world, instance, door, method="get"):
    """(label, user, mode) of everyone who must not get through ``door`` to ``instance``; user None
    is anonymous; mode "reader" is someone who reads the record but may not act through this door."""
    people = [("anonymous", None, "outsider"), ("sibling union, every role", world.sibling, "outsider")]
    kind = type(instance)
    if kind in UNION_READS:
        if door.key not in UNION_READS[kind]:
            people.append(("employee of the union", world.employee, "reader"))
    elif door.key not in UNION_ACTS.get(kind, ()):
        people.append(("employee, not the applicant", world.employee, "outsider"))
    roles = [role for role in Role if role not in reach(instance)]
    people += [(f"role {role.label} only", world.role_holders[role], "outsider") for role in roles]
    if (door.key, method) in ACTS:
        actors = set(roles_granting(ACTS[(door.key, method)]))
        people += [
            (f"role {role.label} only (reads, may not act)", world.role_holders[role], "reader")
            for role in Role
            if role in reach(instance) and role not in actors
        ]
    return people


def insiders(world, instance):
    """Who reaches ``instance``: the chair of 甲 (reads every domain, manages its periods) and the
    person the record is about (the only one who may withdraw, edit or read a notification)."""
    own = [
        getattr(instance, "created_by", None),
        getattr(getattr(instance, "member", None), "user", None),
        getattr(getattr(instance, "proposer", None), "user", None),
        getattr(instance, "recipient", None),
        getattr(instance, "principal", None),
        getattr(instance, "consultant", None),
        getattr(instance, "asked_by", None),  # 加签: who asked may withdraw it
        getattr(instance, "user", None) if isinstance(instance, SavedFilter) else None,
    ]
    return [world.tree.chair_a, *{u for u in own if u is not None}]


# -- trying a door -----------------------------------------------------------------------------
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)


def row_counts():
    tables = sorted(
        m._meta.db_table
        for m in apps.get_models()
        if m._meta.app_label in {"workflows", "cases", "aid", "proposals", "summaries", "viewflow"}
        and not m._meta.proxy
    )
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def attempt(client, user, method, url, api):
    """One request, rolled back afterwards; returns (status, location, writes, rows changed)."""
    writes = []

    def watch(execute, sql, params, many, context):
        if WRITE.match(sql) and "django_session" not in sql:
            writes.append(sql[:80])
        return execute(sql, params, many, context)

    if getattr(client, "acting_as", "nobody") != user:  # log in once per person, outside the watch
        client.logout()
        if user is not None:
            client.force_login(user)
        client.acting_as = user
    with transaction.atomic():
        before = row_counts() if method in WRITES else {}
        with connection.execute_wrapper(watch):
            try:
                if method == "get":
                    response = client.get(url, HTTP_ACCEPT="application/json" if api else "text/html")
                elif api:
                    response = getattr(client, method)(url, data={}, content_type="application/json")
                else:
                    response = client.post(url, data={})
            except Exception as exc:  # a 500 is a failure of its own
                transaction.set_rollback(True)
                return 500, repr(exc)[:120], writes, {}
        after = row_counts() if method in WRITES else {}
        transaction.set_rollback(True)
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    return response.status_code, response.get("Location", ""), writes, changed


def refused(status, location, user, api, method, mode):
    if user is None:
        if api:
            return status in (401, 403)
        return (status == 302 and location.startswith(resolve_url(settings.LOGIN_URL))) or status == 405
    if mode == "reader" and method in WRITES:  # refused like any reader: a message, or 400/403/409
        return status in (302, 400, 403, 404, 405, 409)
    return status in (403, 404, 405)


def served(client, world, door, instance, url):
    """The methods ``url`` serves at all (a method answered 405 to someone who reaches the record is
    answered 405 to everyone), and whether an insider reached the record through it."""
    methods, reached = [], False
    for method in ("get", *WRITES) if door.api else ("get", "post"):
        if door.api and method not in door.methods:
            continue
        for user in insiders(world, instance):
            status, _location, _writes, _changed = attempt(client, user, method, url, door.api)
            if status != 405 and method not in methods:
                methods.append(method)
            reached |= status not in (403, 404, 405) and status < 500
    return methods, reached


def instances_for(world, door, model):
    """The fixture records behind ``door``: one of each kind of reach (the first the insider reaches)."""
    models = model if isinstance(model, tuple) else (model,)
    instances = [r for m in models for r in world.records.get(m, [])]
    assert instances, f"no fixture record of {models} for {door.name}"
    groups = {}
    for instance in instances:
        key = (
            type(instance),
            frozenset(reach(instance)),
            type(getattr(instance, "process", None) and instance.process.artifact),
        )
        groups.setdefault(key, []).append(instance)
    return list(groups.values())


def test_no_record_bearing_url_lets_anyone_else_in(client, world):
    failures, unreached, tries = [], [], 0
    matrix = {}  # endpoint → the outsiders tried there
    for door, model in record_doors():
        if model is None:
            continue
        door_reached = False
        for group in instances_for(world, door, model):
            for instance in group:
                urls = [(url, *served(client, world, door, instance, url)) for url in urls_for(door, instance)]
                if urls and all(reached for _url, _methods, reached in urls):
                    break
            door_reached |= any(reached for _url, _methods, reached in urls)
            for url, methods, _reached in urls:
                for method in methods:
                    for label, user, mode in outsiders(world, instance, door, method):
                        tries += 1
                        matrix.setdefault(door.name, set()).add(label)
                        status, location, writes, changed = attempt(client, user, method, url, door.api)
                        if not refused(status, location, user, door.api, method, mode) or writes or changed:
                            failures.append(
                                f"{method.upper()} {url} as {label}: {status} {location} {writes} {changed}"
                            )
        if not door_reached:
            unreached.append(door.name)
    assert not failures, f"{len(failures)} of {tries} tries got in:\n" + "\n".join(failures)
    assert not unreached, f"nobody reaches {unreached}: the matrix fills these URLs wrongly"
    print(f"IDOR matrix: {len(matrix)} record-bearing endpoints × their outsiders = {tries} refused tries")


def test_no_api_list_shows_anyone_elses_records(client, world):
    failures, unseen = [], []
    for door, model in record_doors():
        if model is not None or "get" not in (door.methods or {}):
            continue
        action = door.methods["get"]
        rows_model = door.viewset.queryset.model if action == "list" else LIST_ROWS.get(action)
        assert rows_model is not None, f"{door.name}: which records does the list action {action!r} return?"
        url = reverse(door.name)

        def shown(user, query, url=url):
            client.force_login(user)
            response = client.get(url + query)
            assert response.status_code == 200, (url + query, user.username, response.status_code)
            body = response.json()
            return {row["id"] for row in (body["results"] if isinstance(body, dict) else body)}

        assert world.records[rows_model], f"no fixture record of {rows_model.__name__} for {door.name}"
        # the list is read in a way that finds records: those who reach them (the chair of 甲, or for
        # one's own rows — a copy, a request for an opinion — their recipient) find one at least
        # (not so for tasks, which are in the boxes of whoever holds them: every box is read)
        if rows_model is not Task:
            records = world.records[rows_model]
            finders = {i: insiders(world, i)[1:] if not reach(i) else [world.tree.chair_a] for i in records}
            seen = {pk for i in records for u in finders[i] for q in list_queries(i) for pk in shown(u, q)}
            if not seen & {i.pk for i in records}:
                unseen.append(f"{url} shows none of the {rows_model.__name__} records to those who reach them")
        for instance in world.records[rows_model]:
            queries = list_queries(instance)
            for label, user, mode in outsiders(world, instance, door):
                if user is None or mode == "reader":
                    continue
                for query in queries:
                    if instance.pk in shown(user, query):
                        failures.append(f"{url}{query} shows {rows_model.__name__} {instance.pk} to {label}")
    assert not failures, "\n".join(failures)
    assert not unseen, "the sweep reads these lists wrongly:\n" + "\n".join(unseen)
