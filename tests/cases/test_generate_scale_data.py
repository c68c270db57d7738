"""``manage.py generate_scale_data`` at a tiny size: counts, determinism, queue pages, the close."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import GrievanceCase
from cases.scale_data import BENCH_PASSWORD, BENCH_USERS, digest
from workflows.models import OrgUnit, Period, TaskDeadline

pytestmark = pytest.mark.django_db(transaction=False)

SIZE = {"cases": 300, "aid": 60, "proposals": 15, "units": 40, "open_tasks": 30}
OPEN = [GrievanceCase.Status.REGISTERED, GrievanceCase.Status.MEDIATING, GrievanceCase.Status.AGREED]


def generate(**extra):
    out = io.StringIO()
    options = {**SIZE, **extra}
    call_command(
        "generate_scale_data", *[f"--{k.replace('_', '-')}={v}" for k, v in options.items()], "--seed=1", stdout=out
    )
    return out.getvalue()


@pytest.fixture
def data():
    return generate()


def test_counts_match_the_options(data):
    assert GrievanceCase.objects.count() == SIZE["cases"]
    assert OrgUnit.objects.count() == SIZE["units"]
    assert Task.objects.filter(flow_task_type="HUMAN").exclude(status=STATUS.DONE).count() == SIZE["open_tasks"]
    assert max(OrgUnit.objects.values_list("depth", flat=True)) == 3
    assert "bench_chair" in data


def test_every_open_case_has_exactly_one_open_task_with_a_deadline(data):
    open_tasks = Q(task__status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED])
    from viewflow.workflow.models import Process

    per_process = Process.objects.annotate(n=Count("task", filter=open_tasks)).values_list("artifact_object_id", "n")
    open_ids = set(GrievanceCase.objects.filter(status__in=OPEN).values_list("pk", flat=True))
    assert open_ids
    for case_id, n in per_process:
        assert n == (1 if case_id in open_ids else 0), case_id
    assert TaskDeadline.objects.count() == len(open_ids)
    assert not Task.objects.filter(status=STATUS.NEW, owner__isnull=False).exists()
    assert not Task.objects.filter(status=STATUS.ASSIGNED, owner__isnull=True).exists()


def test_refuses_a_non_empty_database_without_force(data):
    with pytest.raises(CommandError, match="数据库不是空的"):
        generate()


def test_same_seed_gives_the_same_rows():
    with transaction.atomic():
        generate()
        first = digest()
        transaction.set_rollback(True)
    assert not GrievanceCase.objects.exists()
    generate()
    assert digest() == first


@pytest.mark.parametrize(
    ("username", "box"),
    [
        ("bench_committee", "queue"),
        ("bench_committee", "inbox"),
        ("bench_mediator", "inbox"),
        ("bench_mediator", "archive"),
        ("bench_chair", "overseen"),
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


def test_writing_in_chunks_gives_the_same_rows(monkeypatch):
    with transaction.atomic():
        generate()
        whole = digest()
        transaction.set_rollback(True)
    monkeypatch.setattr("cases.scale_data.CHUNK", 70)
    generate()
    assert digest() == whole
    assert TaskDeadline.objects.count() == SIZE["open_tasks"]
