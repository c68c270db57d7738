"""The personal-data sweep (issue 13 §1): every role of a demo-like union requests every page and
every API GET, for every record, and no response may carry a 身份证号, phone, bank account,
income, illness or 致困原因 that the role may not see.

The URLs come from the URL conf (pages, the DRF router's routes, the admin's registry), so a new
page cannot escape: a route with parameters that this module cannot fill fails the test until
its records are named in ``ARGUMENTS`` (and one naming no record fails too); a list that shows
nothing without a query (the member lookup) is read with the queries in ``QUERIES``.  Downloads
(.docx, .xlsx: a case's documents, a closed period's 工作总结 and its figures) are unzipped and
read too.
"""

import datetime
import io
import json
import zipfile
from decimal import Decimal
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.timers import fire_due_timers

from aid import services as aid_services
from aid.flows import AidFlow
from aid.models import AidApplication, AidBatch, AidType, Fund, FundBudget, HardshipFile
from cases import services as case_services
from cases.flows import GrievanceFlow
from cases.models import GrievanceCase
from proposals.models import Congress, Proposal
from tests.aid.conftest import apply, approved_batch, hardship_file
from tests.aid.test_aid_flow import approve, disburse, through_review, votes
from tests.cases.conftest import register_kwargs
from tests.cases.test_case_flow import AGREEMENT, accept, conclude
from tests.factories import fresh, grant, make_tree, make_user
from workflows import engine
from workflows import services as core_services
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
from workflows.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Models whose admin is a registry maintained by the administrator (the member's phone is entered
# there); the sweep reads every other admin page as a superuser that holds no union role.
ADMIN_REGISTRIES = {"member", "user"}


def household(n):
    """Known, unique personal data of household ``n``."""
    return {
        "id_number": f"3301021990{n:08d}",
        "bank_account": f"62220000{n:08d}",
        "income_per_head": Decimal(f"7{n:02d}.17"),
        "illness": f"罕见病甲{n}",
        "cause": f"致困事由乙{n}",
    }


class Data:
    """A union in every state: who is who, which value is whose, and who may see it."""

    def __init__(self):
        tree = self.tree = make_tree()
        today = timezone.localdate()
        Period.objects.create(
            org_unit=tree.top,
            year=today.year,
            kind=Period.Kind.FIRST_HALF if today.month <= 6 else Period.Kind.SECOND_HALF,
        )
        self.fund = Fund.objects.create(org_unit=tree.a, name="困难职工帮扶资金")
        FundBudget.objects.create(fund=self.fund, period=Period.objects.get(), amount=Decimal("900000"))
        a, emp = tree.a, tree.employer_a

        def person(username, name, role=None, unit=None):
            user = make_user(username, name=name, unit=tree.a_branch if role is None else a, employer=emp)
            return grant(user, role, unit or a) if role else user

        self.committee2 = person("committee_a2", "钱委员", Role.COMMITTEE)
        self.finance = person("finance_a", "赵会计", Role.FINANCE)
        self.mediator = person("mediator_a", "张调解", Role.MEDIATOR)
        self.proposal_committee = person("tiwei", "提委会", Role.PROPOSAL_COMMITTEE)
        self.department = person("hr", "人事部联络人", Role.DEPARTMENT)
        self.upper = person("upper", "上级工会", Role.UPPER_UNION, tree.top)
        self.sysadmin = person("sysadmin", "系统管理员", Role.ADMIN, tree.top)
        self.worker = person("worker_a", "孙工人")
        self.reps = [person(f"rep{i}", f"代表{i}") for i in (1, 2, 3)]
        Member.objects.filter(user__in=self.reps).update(is_representative=True)
        self.needy = {n: person(f"needy{n}", f"困难户{n}") for n in range(1, 10)}
        self.secret = {}  # value -> usernames that may see it
        readers_of_files = {tree.chair.username, tree.chair_a.username, self.finance.username}
        for n, user in self.needy.items():
            hardship_file(tree, user, **household(n))
            for value in household(n).values():
                self.secret[str(value)] = {user.username, *readers_of_files}
        # timers first: each time travel fires only the timer it is for
        self._aid_with_timers()
        self._cases()
        self._aid_now()
        self._rest()
        self._model_workers_and_budgets()
        self._closed_period()  # last: it closes 甲's half-year

    def allow(self, value, *usernames):
        self.secret[str(value)] |= set(usernames)

    def _cases(self):
        tree, m = self.tree, self.mediator
        phones = {}

        def register(k, by, **extra):
            phone = f"1390000000{k}"
            case = case_services.case_register(
                actor=fresh(by), **register_kwargs(tree, applicant_phone=phone, applicant_name=f"申请人{k}", **extra)
            )
            phones[phone] = {by.username}
            return case, phone

        closed, phone = register(1, m, category="overtime")
        accept(closed, tree.chair_a, m)
        conclude(closed, m, **AGREEMENT)
        with time_machine.travel(timezone.now() + datetime.timedelta(days=11)):
            fire_due_timers()
        follow_up = engine.open_tasks_for(closed).get(flow_task=GrievanceFlow.follow_up)
        engine.task_complete(
            task=follow_up, actor=fresh(m), data={"performed": True, "satisfaction": "satisfied", "note": "已履行"}
        )
        self.waiting, _ = register(2, tree.committee_a, category="contract")  # 待受理, nobody holds it
        rejected, _ = register(3, m, category="injury")
        accept_task = engine.open_tasks_for(rejected).get()
        engine.task_claim(task=accept_task, actor=fresh(tree.chair_a))
        engine.task_complete(
            task=accept_task,
            actor=fresh(tree.chair_a),
            data={"decision": "reject", "rejection_reason": "not_labour", "note": "不属于劳动争议"},
        )
        failed, _ = register(4, m, category="compensation")
        conclude(accept(failed, tree.chair_a, m), m, outcome="fail", failure_reason="分歧较大", amount_agreed=None)
        agreed, _ = register(5, m, category="social_insurance")
        conclude(accept(agreed, tree.chair_a, m), m, **AGREEMENT)
        # a worker files for themselves: the phone on their member record; mediation under way
        Member.objects.filter(user=self.worker).update(phone="13900000006")
        mine = case_services.case_file(
            actor=fresh(self.worker),
            category="wages",
            facts="欠薪",
            claims="支付",
            workers_involved=1,
            amount_claimed=1,
        )
        accept(mine, tree.chair_a, m)
        phones["13900000006"] = {self.worker.username, m.username}
        for phone, readers in phones.items():
            self.secret[phone] = readers | {m.username}
        self.secret["13900000002"] = {tree.committee_a.username}  # the registrar; not yet accepted
        core_services.comment_add(record=mine, actor=fresh(m), body="已电话联系申请人。")
        evidence = SimpleUploadedFile("工资条.pdf", b"%PDF-1.4 x", content_type="application/pdf")
        core_services.attachment_add(record=mine, actor=fresh(self.worker), upload=evidence)
        from workflows import copies

        # 抄送 to finance, who reads no labour dispute of its own: the copy opens the case, masked
        copies.copy_record(record=mine, actor=fresh(tree.committee_a), people=[fresh(self.finance)], note="请知悉")

    def _aid_with_timers(self):
        tree, n = self.tree, self.needy
        people = {"committee2": self.committee2}
        paid = after(through_review(tree, people, apply(tree, n[1])))
        approve(paid, AidFlow.approve, tree.chair_a, self.fund)
        disburse(paid, AidFlow.disburse, self.finance)
        approved = after(through_review(tree, people, apply(tree, n[2], aid_type="medical")))
        approve(approved, AidFlow.approve, tree.chair_a, self.fund)
        pay = engine.open_tasks_for(approved).get(flow_task=AidFlow.disburse)
        engine.task_claim(task=pay, actor=fresh(self.finance))  # finance is paying it now
        after(through_review(tree, people, apply(tree, n[3])))  # 主席审批
        # a 送温暖 batch of households of the helper's own, approved and waiting for finance
        approved_batch(tree, second_committee=self.committee2, fund=self.fund, households=2, amount=Decimal("500"))

    def _aid_now(self):
        tree, n = self.tree, self.needy
        people = {"committee2": self.committee2}
        rejected = apply(tree, n[4])
        for who in (tree.committee_a, self.committee2):
            visit = engine.open_tasks_for(rejected).filter(flow_task=AidFlow.home_visit, owner__isnull=True).first()
            engine.task_claim(task=visit, actor=fresh(who))
            data = {"visited_on": timezone.localdate(), "findings": "入户核实。", "returned": False}
            engine.task_complete(task=visit, actor=fresh(who), data=data)
        votes(AidApplication.objects.get(pk=rejected.pk), AidFlow.review, tree.chair_a, {tree.committee_a: "against"})
        through_review(tree, people, apply(tree, n[5], aid_type="emergency"))  # 公示中
        apply(tree, n[6])  # 入户核实, nobody holds it
        held = apply(tree, n[7])
        visit = engine.open_tasks_for(held).filter(flow_task=AidFlow.home_visit).first()
        engine.task_claim(task=visit, actor=fresh(tree.committee_a))  # visiting that household now
        for key in ("income_per_head", "illness", "cause"):
            self.allow(household(7)[key], tree.committee_a.username)

    def _rest(self):
        tree = self.tree
        core_services.membership_apply(actor=fresh(tree.applicant_a), statement="本人自愿加入工会，遵守章程。")
        today = timezone.localdate()
        congress = Congress.objects.create(
            org_unit=tree.a,
            name="职代会",
            window_opens=today - datetime.timedelta(days=5),
            window_closes=today + datetime.timedelta(days=5),
        )
        from proposals import services as proposal_services

        proposal = proposal_services.proposal_draft(
            actor=fresh(self.reps[0]),
            congress=congress,
            title="关于增设休息室的提案",
            category="welfare",
            cause="夜班无休息场所。",
            measures="增设休息室。",
        )
        for rep in self.reps[1:]:
            proposal_services.proposal_second(proposal=proposal, actor=fresh(rep))
        proposal_services.proposal_submit(proposal=proposal, actor=fresh(self.reps[0]))
        from workflows import consultations, engine
        from workflows.delegations import delegation_create

        membership = MembershipApplication.objects.get()
        held = engine.open_tasks_for(membership).get()
        engine.task_claim(task=held, actor=fresh(tree.committee_a))
        consultations.consult(
            task=held, actor=fresh(tree.committee_a), consultant=fresh(self.committee2), question="是否属实？"
        )

        SavedFilter.objects.create(user=tree.chair_a, name="待受理", list_name="cases:list", query="status=registered")
        delegation_create(  # from next week: no task moves in the sweep's data
            principal=fresh(tree.committee_a),
            deputy=fresh(self.committee2),
            starts_on=today + datetime.timedelta(days=7),
            ends_on=today + datetime.timedelta(days=9),
        )

    def _model_workers_and_budgets(self):
        """A 劳模 flagged by the chair (audited on the member), 劳模慰问 under review, and finance adding
        to the fund's budget (audited on the fund)."""
        tree = self.tree
        self.model_worker = make_user("laomo", name="劳模甲", unit=tree.a_branch, employer=tree.employer_a)
        core_services.member_set_model_worker(
            member=Member.objects.get(user=self.model_worker),
            actor=fresh(tree.chair_a),
            is_model_worker=True,
            reason="市级劳动模范",
        )
        aid_services.model_worker_batch_create(
            actor=fresh(tree.chair_a), title="劳模慰问", amount_per_household=Decimal("1000"), fund=self.fund
        )
        aid_services.budget_change(
            budget=FundBudget.objects.get(fund=self.fund), actor=fresh(self.finance), amount=Decimal("950000")
        )

    def _closed_period(self):
        """甲's half-year closed once it has ended: its 工作总结 (.docx) and figures (.xlsx) written from
        every record above, as a worker writes them."""
        from summaries import services as summary_services

        today = timezone.localdate()
        period = Period.objects.create(
            org_unit=self.tree.a,
            year=today.year,
            kind=Period.Kind.FIRST_HALF if today.month <= 6 else Period.Kind.SECOND_HALF,
        )
        with time_machine.travel(period.ends_on + datetime.timedelta(days=1)):
            report = summary_services.report_request(period=period, actor=fresh(self.tree.chair_a), run=lambda pk: 0)
            summary_services.report_run(report.pk)
        report.refresh_from_db()
        assert report.status == report.Status.DONE and report.document and report.workbook, report.error

    def viewers(self):
        """Nobody, then each role once, and the people whose data it is (one of each kind)."""
        t = self.tree
        return [
            None,  # not logged in
            *(t.applicant_a, t.applicant_b, self.worker, self.reps[0], self.needy[1], self.needy[2], self.needy[7]),
            *(self.mediator, t.committee_a, self.committee2, t.committee_b, self.finance, self.proposal_committee),
            *(self.department, t.chair_a, t.chair, self.upper, self.sysadmin),
        ]


def after(application):
    """公示期满 for this one application (the sweep's other timers are not due yet)."""
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        fire_due_timers()
    application.refresh_from_db()
    return application


def ids(queryset):
    return list(queryset.values_list("pk", flat=True))


# What fills each route's parameters: route name -> records (and fixed words for the rest).
def ARGUMENTS(data):
    tasks = ids(Task.objects.filter(flow_task_type="HUMAN"))
    cases, applications = ids(GrievanceCase.objects.all()), ids(AidApplication.objects.all())
    files, batches = ids(HardshipFile.objects.all()), ids(AidBatch.objects.all())
    proposals, memberships = ids(Proposal.objects.all()), ids(MembershipApplication.objects.all())
    periods, notes = ids(Period.objects.all()), ids(Notification.objects.all())
    from summaries.models import Report

    reports = ids(Report.objects.all())
    funds, budgets, members = ids(Fund.objects.all()), ids(FundBudget.objects.all()), ids(Member.objects.all())
    model_worker_batches = ids(AidBatch.objects.filter(aid_type=AidType.MODEL_WORKER))
    each = lambda pks, **fixed: [{"pk": pk, **fixed} for pk in pks]  # noqa: E731
    documents = [{"pk": pk, "kind": kind} for pk in cases for kind in ("agreement", "rejection", "failure")]
    return {
        "task_detail": each(tasks),
        "task_action": each(tasks[:1], action="claim"),
        "record_urge": [{"label": "cases.grievancecase", "pk": pk} for pk in cases[:1]],
        "record_copy": [{"label": "cases.grievancecase", "pk": pk} for pk in cases],
        "copy_open": each(ids(RecordCopy.objects.all())),
        "task_list": [{"box": box} for box in ("inbox", "queue", "archive", "overseen")],
        "membership_detail": each(memberships),
        "membership_action": each(memberships[:1], action="comment"),
        "attachment_download": each(ids(Attachment.objects.all())),
        "notification_read": each(notes[:1]),
        "delegation_cancel": each(ids(Delegation.objects.all())),
        "consultation_action": each(ids(Consultation.objects.all()), action="answer"),
        "saved_filter_delete": each(ids(SavedFilter.objects.all())),
        "period_reopen": each(periods),
        "cases:detail": each(cases),
        "cases:document": documents,
        "cases:action": each(cases[:1], action="comment"),
        "proposals:detail": each(proposals),
        "proposals:edit": each(proposals),
        "proposals:action": each(proposals[:1], action="second"),
        "aid:application": each(applications),
        "aid:application_action": each(applications[:1], action="withdraw"),
        "aid:object": [{"kind": "application", "pk": pk} for pk in applications[:1]],
        "aid:file": each(files),
        "aid:file_lift": each(files[:1]),
        "aid:file_review": each(files[:1]),
        "aid:batch": each(batches),
        "summaries:close_preview": [{"period_pk": pk} for pk in periods],
        "summaries:report": each(reports),
        "summaries:progress": each(reports),
        "summaries:reopen": each(reports),
        "summaries:retry": each(reports),
        "summaries:versions": each(reports),
        "summaries:restore": each(reports),
        "summaries:file": [{"pk": pk, "kind": kind} for pk in reports for kind in ("docx", "xlsx")],
        "summaries:figure_records": [
            {"pk": pk, "section": section, "figure": figure}
            for pk in reports
            for section, figure in (("cases", "received"), ("aid", "people"), ("proposals", "received"))
        ],
        "task-detail": each(tasks),
        "task-claim": each(tasks[:1]),
        "task-complete": each(tasks[:1]),
        "task-reassign": each(tasks[:1]),
        "task-transfer": each(tasks[:1]),
        "task-send-back": each(tasks[:1]),
        "task-release": each(tasks[:1]),
        "consultation-detail": each(ids(Consultation.objects.all())),
        "consultation-answer": each(ids(Consultation.objects.all())),
        "consultation-withdraw": each(ids(Consultation.objects.all())),
        "copy-detail": each(ids(RecordCopy.objects.all())),
        "copy-read": each(ids(RecordCopy.objects.all())),
        "case-detail": each(cases),
        "case-audit": each(cases),
        "case-document": documents,
        "case-extend": each(cases[:1]),
        "case-extend-petition": each(cases[:1]),
        "case-sessions": each(cases[:1]),
        "case-sign": each(cases[:1]),
        "case-withdraw": each(cases[:1]),
        "aid-application-detail": each(applications),
        "aid-application-objection": each(applications[:1]),
        "aid-application-withdraw": each(applications[:1]),
        "aid-file-detail": each(files),
        "aid-file-lift": each(files[:1]),
        "aid-file-review": each(files[:1]),
        "aid-batch-detail": each(batches),
        "proposal-detail": each(proposals),
        "proposal-audit": each(proposals),
        "proposal-second": each(proposals[:1]),
        "proposal-submit": each(proposals[:1]),
        "proposal-withdraw": each(proposals[:1]),
        "membership-application-detail": each(memberships),
        "membership-application-audit": each(memberships),
        "membership-application-withdraw": each(memberships[:1]),
        "member-detail": each(members),
        "member-audit": each(members),
        "member-model-worker": each(members[:1]),
        "aid-fund-detail": each(funds),
        "aid-fund-audit": each(funds),
        "aid-budget-detail": each(budgets),
        "aid-model-worker-batch-detail": each(model_worker_batches),
        "period-detail": each(periods),
        "period-close": each(periods),
        "report-detail": each(reports),
        "report-docx": each(reports),
        "report-xlsx": each(reports),
        "report-retry": each(reports),
    }


# Lists that show nothing without a query: route name -> the queries they are read with.
def QUERIES(data):
    members = Member.objects.select_related("user")
    return {
        # 职工查询 finds no one without a criterion: every worker by 工号 and by full name, and the 劳模
        "member-list": [
            *(urlencode({"employee_no": m.employee_no}) for m in members),
            *(urlencode({"name": m.display_name}) for m in members),
            "is_model_worker=true",
            "is_model_worker=false",
        ],
    }


def routes(patterns=None, namespace=None):
    """``(name, parameters)`` of every named route outside the admin (format-suffix twins skipped)."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from routes(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            params = set(pattern.pattern.regex.groupindex)
            if "format" in params:
                continue
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), params


def admin_urls():
    urls = []
    for model in admin.site._registry:
        meta = model._meta
        if meta.model_name in ADMIN_REGISTRIES:
            continue
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        for pk in model._default_manager.values_list("pk", flat=True)[:30]:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk]))
    return urls


def text_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # .docx / .xlsx: the words are in the XML parts
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    text = content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


@pytest.mark.timeout(1200)
def test_no_page_api_response_or_download_shows_a_role_personal_data_it_may_not_see(client):
    data = Data()
    arguments = ARGUMENTS(data)
    unfillable = sorted(name for name, params in routes() if params and name not in arguments)
    assert not unfillable, f"name the records for these routes in ARGUMENTS: {unfillable}"
    urls, queries = [], QUERIES(data)
    for name, params in routes():
        for kwargs in arguments.get(name, [{}]) if params else [{}]:
            urls.append(reverse(name, kwargs=kwargs or None))
        urls += [f"{reverse(name)}?{query}" for query in queries.get(name, [])]
    empty = sorted(name for name, fills in arguments.items() if not fills)
    assert not empty, f"no record in the data to sweep these routes with: {empty}"
    leaks, requests, by_status, shown_to = [], 0, {}, {value: set() for value in data.secret}
    for viewer in data.viewers():
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        who = viewer.username if viewer else "anonymous"
        for url in urls:
            response = client.get(url)
            requests += 1
            by_status[response.status_code] = by_status.get(response.status_code, 0) + 1
            body = text_of(response)
            for value, allowed in data.secret.items():
                if value in body and who in allowed:
                    shown_to[value].add(who)
                elif value in body:
                    leaks.append((who, url, value))
    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-1")
    client.force_login(root)  # the admin, as a technical account without a union role
    for url in admin_urls():
        response = client.get(url)
        requests += 1
        assert response.status_code == 200, url
        leaks += [("root", url, value) for value in data.secret if value in text_of(response)]
    viewers, named = len(data.viewers()), len({name for name, _params in routes()})
    print(f"\nPII sweep: {named} routes, {len(urls)} URLs × {viewers} viewers + admin pages = {requests} requests;")
    print(f"statuses {by_status}; each value shown to: { {v: sorted(w) for v, w in shown_to.items()} }")
    lines = sorted({f"{who} saw {value} at {url}" for who, url, value in leaks})
    assert not leaks, f"{len(lines)} leaks, e.g.:\n" + "\n".join(lines[:60])
    # the sweep can see each value: someone allowed was shown it (so masking is not all it measured)
    assert not [value for value, seen in shown_to.items() if not seen]
    assert by_status.get(200, 0) > 1000  # it read pages, not only refusals
