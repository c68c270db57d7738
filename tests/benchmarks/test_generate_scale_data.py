"""``manage.py generate_scale_data`` at a tiny size: counts, determinism, queue pages, the close."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from aid.models import AidApplication, Disbursement, FundBudget
from benchmarks import scale_data
from benchmarks.scale_data import BENCH_PASSWORD, BENCH_USERS, digest
from cases.models import GrievanceCase
from proposals.models import Proposal
from workflows.models import AuditEvent, OrgUnit, Period, TaskDeadline

pytestmark = pytest.mark.django_db(transaction=False)

SIZE = {"cases": 300, "aid": 60, "proposals": 15, "units": 40, "open_tasks": 30}
OPEN = [GrievanceCase.Status.REGISTERED, GrievanceCase.Status.MEDIATING, GrievanceCase.Status.AGREED]


def generate(*, force=False, **extra):
    out = io.StringIO()
    options = {**SIZE, "seed": 1, **extra}
    args = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()] + (["--force"] if force else [])
    call_command("generate_scale_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def data():
    return generate()


OPEN_TASK = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
OPEN_STATES = {
    GrievanceCase: OPEN,
    AidApplication: ["reviewing", "approving", "approved"],
    Proposal: ["submitted", "handling", "answered"],
}


def test_counts_match_the_options(data):
    assert GrievanceCase.objects.count() == SIZE["cases"]
    assert AidApplication.objects.count() == SIZE["aid"]
    assert Proposal.objects.count() == SIZE["proposals"]
    assert OrgUnit.objects.count() == SIZE["units"]
    assert Task.objects.filter(flow_task_type="HUMAN", status__in=OPEN_TASK).count() == SIZE["open_tasks"]
    assert max(OrgUnit.objects.values_list("depth", flat=True)) == 3
    assert "bench_chair" in data
    # closed tasks outnumber the open queue several times over, as in a real queue
    assert Task.objects.filter(status=STATUS.DONE).count() > 5 * SIZE["open_tasks"]


@pytest.mark.parametrize("model", [GrievanceCase, AidApplication, Proposal])
def test_every_open_record_has_exactly_one_open_task_with_a_deadline(data, model):
    ct = ContentType.objects.get_for_model(model)
    per_process = dict(
        Process.objects.filter(artifact_content_type=ct)
        .annotate(n=Count("task", filter=Q(task__status__in=OPEN_TASK)))
        .values_list("artifact_object_id", "n")
    )
    assert len(per_process) == model.objects.count()
    open_ids = set(model.objects.filter(status__in=OPEN_STATES[model]).values_list("pk", flat=True))
    assert open_ids
    for record_id, n in per_process.items():
        assert n == (1 if record_id in open_ids else 0), (model, record_id)
    done = Process.objects.filter(artifact_content_type=ct, status=STATUS.DONE).values_list(
        "artifact_object_id", flat=True
    )
    assert set(done) == set(per_process) - open_ids
    open_tasks = Task.objects.filter(process__artifact_content_type=ct, status__in=OPEN_TASK)
    assert TaskDeadline.objects.filter(task__in=open_tasks).count() == len(open_ids)
    assert not Task.objects.filter(status=STATUS.NEW, owner__isnull=False).exists()
    assert not Task.objects.filter(status=STATUS.ASSIGNED, owner__isnull=True).exists()


def test_funds_are_never_overdrawn_and_pay_once(data):
    assert FundBudget.objects.exists()
    for budget in FundBudget.objects.all():
        assert budget.reserved + budget.paid <= budget.amount
        paid = Disbursement.objects.filter(fund_budget=budget).aggregate(s=Sum("amount"))["s"] or 0
        assert budget.paid == paid
        reserved = (
            AidApplication.objects.filter(status="approved", fund=budget.fund, period=budget.period).aggregate(
                s=Sum("amount_approved")
            )["s"]
            or 0
        )
        assert budget.reserved == reserved
    paid = AidApplication.objects.filter(status="paid")
    assert paid.count() == Disbursement.objects.count() > 0
    assert not paid.filter(disbursement__isnull=True).exists()
    assert not Disbursement.objects.exclude(amount=F("application__amount_approved")).exists()


def test_the_audit_chain_verifies(data):
    assert AuditEvent.objects.count() > SIZE["cases"] + SIZE["aid"] + SIZE["proposals"]
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "OK" in out.getvalue()
    # one event per status change: the last event of every record reaches its current state
    for model in (GrievanceCase, AidApplication, Proposal):
        record = model.objects.order_by("pk").last()
        last = AuditEvent.objects.for_record(record).exclude(to_state="").order_by("-at", "-seq").first()
        assert last.to_state == record.status


def test_refuses_a_non_empty_database_without_force(data):
    with pytest.raises(CommandError, match="数据库不是空的"):
        generate()


def test_same_seed_gives_the_same_rows(monkeypatch):
    with transaction.atomic():
        generate()
        first = digest()
        transaction.set_rollback(True)
    assert not GrievanceCase.objects.exists()
    # Written in many small chunks this time: the rows do not depend on how they were batched.
    monkeypatch.setattr(scale_data, "CHUNK", 37)
    out = generate(force=True)
    assert "… cases: 37/" in out
    assert digest() == first
    call_command("verify_audit", stdout=io.StringIO())


def test_another_seed_gives_other_rows():
    with transaction.atomic():
        generate()
        first = digest()
        transaction.set_rollback(True)
    generate(seed=2)
    assert digest() != first


@pytest.mark.parametrize(
    ("username", "box"),
    [
        ("bench_committee", "queue"),
        ("bench_mediator", "inbox"),
        ("bench_mediator", "archive"),
        ("bench_committee", "inbox"),
        ("bench_mediator", "queue"),
        ("bench_chair", "overseen"),
        ("bench_chair", "queue"),
        ("bench_finance", "queue"),
        ("bench_rep", "inbox"),
        ("bench_committee", "archive"),
    ],
)
def test_bench_users_see_rows_in_their_queue_pages(data, client, username, box):
    user = get_user_model().objects.get(username=username)
    assert user.check_password(BENCH_PASSWORD)
    client.force_login(user)
    response = client.get(f"/tasks/box/{box}/")
    assert response.status_code == 200
    shown = re.search(r"共 (\d+) 项", response.content.decode())
    assert shown and int(shown.group(1)) > 0


def test_all_bench_users_exist(data):
    assert set(get_user_model().objects.filter(username__in=BENCH_USERS).values_list("username", flat=True)) == set(
        BENCH_USERS
    )


def test_chair_closes_the_first_half_of_2026(data, django_capture_on_commit_callbacks):
    from summaries import services as summary_services
    from summaries.models import Report

    chair = get_user_model().objects.get(username="bench_chair")
    period = Period.objects.get(org_unit__depth=0, year=2026, kind=Period.Kind.FIRST_HALF)
    assert period.status == Period.Status.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        report = summary_services.report_request(
            period=period, actor=chair, run=lambda pk: summary_services.report_run(pk)
        )
    report = Report.objects.get(pk=report.pk)
    assert report.status == Report.Status.DONE, report.error
