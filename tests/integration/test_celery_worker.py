"""A real Celery worker and beat fire viewflow timers and send reminders (催办)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.factories import make_tree
from workflows import engine, services
from workflows.celery import app as celery_app
from workflows.flows import MembershipFlow
from workflows.models import Notification, TaskDeadline

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def an_application_due_now():
    """A review whose timeout timer is already due and whose deadline is within the reminder window."""
    tree = make_tree()
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    review = engine.open_tasks_for(application).get()
    engine.task_claim(task=review, actor=tree.committee_a)
    timer = Task.objects.get(process=review.process, flow_task=MembershipFlow.review__timeout)
    Task.objects.filter(pk=timer.pk).update(scheduled=timezone.now() - timedelta(seconds=1))
    due = timezone.now() + timedelta(hours=2)
    TaskDeadline.objects.filter(task=review).update(due_at=due, remind_at=due - timedelta(days=1))
    return tree, review, timer


def test_beat_fires_the_timer_and_a_reminder_arrives_through_redis(redis_broker, start_worker):
    tree, review, timer = an_application_due_now()
    worker = start_worker(redis_broker)
    worker.wait_for(
        lambda: Task.objects.get(pk=timer.pk).status == STATUS.DONE, what="the review timeout timer to fire"
    )
    worker.wait_for(
        lambda: Notification.objects.filter(kind="reminder", recipient=tree.committee_a).exists(), what="the reminder"
    )
    worker.wait_for(
        lambda: Notification.objects.filter(kind="escalation", recipient=tree.chair).exists(),
        what="the chair's 督办 notice",
    )
    assert Notification.objects.filter(kind="reminder").count() == 1  # beat ran many sweeps; one reminder
    assert Task.objects.get(pk=review.pk).status == STATUS.ASSIGNED  # non-interrupting timeout
    assert "fire_workflow_timers" in worker.log()


def test_the_embedded_filesystem_broker_crosses_processes(tmp_path, start_worker):
    """The demo's default broker: a task sent from this process runs in the worker process."""
    tree, review, timer = an_application_due_now()
    var_dir = tmp_path / "fsvar"
    folder = var_dir / "broker"
    (folder / "queue").mkdir(parents=True)
    (folder / "processed").mkdir()
    (folder / "control").mkdir()
    options = {
        "control_folder": str(folder / "control"),
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }
    worker = start_worker("filesystem://", var_dir=var_dir)
    previous = celery_app.conf.broker_transport_options
    celery_app.conf.broker_transport_options = options
    try:
        with celery_app.connection_for_write("filesystem://") as conn:
            celery_app.send_task("workflows.tasks.send_deadline_reminders", connection=conn)
    finally:
        celery_app.conf.broker_transport_options = previous
    worker.wait_for(
        lambda: Notification.objects.filter(kind="reminder").exists(),
        what="the reminder sent over the filesystem broker",
    )
    worker.wait_for(lambda: Task.objects.get(pk=timer.pk).status == STATUS.DONE, what="beat to fire the timer")


def test_beat_ends_an_expired_mediation_as_failed(redis_broker, start_worker):
    """The 15-day mediation limit, fired by a real beat + worker: 调解不成 and the arbitration advice."""
    import datetime

    from cases import services as case_services
    from cases.flows import GrievanceFlow
    from cases.models import GrievanceCase
    from tests.factories import grant, make_user
    from workflows.roles import Role

    tree = make_tree()
    mediator = grant(
        make_user("mediator_it", name="调解员", unit=tree.a, employer=tree.employer_a), Role.MEDIATOR, tree.a
    )
    worker = make_user("worker_it", name="职工", unit=tree.a, employer=tree.employer_a)
    case = case_services.case_file(
        actor=worker,
        category="wages",
        facts="欠薪",
        claims="支付工资",
        workers_involved=1,
        amount_claimed=1000,
    )
    review = engine.open_tasks_for(case).get()
    engine.task_claim(task=review, actor=mediator)
    review.refresh_from_db()
    engine.task_complete(task=review, actor=mediator, data={"decision": "accept", "mediator": mediator, "note": ""})
    timer = Task.objects.get(flow_task=GrievanceFlow.mediate__timeout, process=review.process)
    Task.objects.filter(pk=timer.pk).update(scheduled=timezone.now() - datetime.timedelta(seconds=1))

    worker_process = start_worker(redis_broker)
    worker_process.wait_for(
        lambda: GrievanceCase.objects.get(pk=case.pk).status == GrievanceCase.Status.FAILED, what="the case to expire"
    )
    case.refresh_from_db()
    assert case.expired and case.failure_reason
    assert Notification.objects.filter(recipient=worker, title__startswith="调解不成").count() == 1


def test_beat_ends_the_publicity_period(redis_broker, start_worker):
    """公示 ends by the clock through a real beat + worker: the application goes to the chair."""
    import datetime
    from decimal import Decimal

    from aid import services as aid_services
    from aid.flows import AidFlow
    from aid.models import AidApplication
    from tests.factories import grant, make_user
    from workflows.models import Member, Period
    from workflows.roles import Role

    tree = make_tree()
    today = timezone.localdate()
    Period.objects.create(org_unit=tree.top, year=today.year, kind="H1" if today.month <= 6 else "H2")
    second = grant(
        make_user("committee_it", name="委员二", unit=tree.a, employer=tree.employer_a), Role.COMMITTEE, tree.a
    )
    needy = make_user("needy_it", name="困难职工", unit=tree.a, employer=tree.employer_a)
    application = aid_services.application_submit(
        actor=needy,
        member=Member.objects.get(user=needy),
        aid_type="living",
        amount_requested=Decimal("1000"),
        reasons="困难",
    )
    for verifier in (tree.committee_a, second):
        visit = engine.open_tasks_for(application).filter(flow_task=AidFlow.home_visit, owner__isnull=True).first()
        engine.task_claim(task=visit, actor=verifier)
        visit.refresh_from_db()
        engine.task_complete(
            task=visit, actor=verifier, data={"visited_on": today, "findings": "属实", "returned": False}
        )
    review = engine.open_tasks_for(application).get(flow_task=AidFlow.review)
    engine.task_claim(task=review, actor=tree.chair_a)
    review.refresh_from_db()
    votes = {"votes": {tree.committee_a: "for", second: "for"}, "note": ""}
    engine.task_complete(task=review, actor=tree.chair_a, data=votes)
    timer = Task.objects.get(flow_task=AidFlow.publicity, process__artifact_object_id=application.pk)
    Task.objects.filter(pk=timer.pk).update(scheduled=timezone.now() - datetime.timedelta(seconds=1))

    worker = start_worker(redis_broker)
    worker.wait_for(
        lambda: AidApplication.objects.get(pk=application.pk).status == AidApplication.Status.APPROVING,
        what="the publicity period to end",
    )


def test_a_close_left_half_done_by_a_dead_worker_completes_on_a_real_worker(redis_broker, start_worker):
    """A worker killed after the figures stage leaves the report RUNNING at the charts stage (acks_late
    redelivers its message); the redelivered task finishes from there without recomputing figures."""
    import datetime

    from summaries import services as summary_services
    from summaries.models import Report
    from summaries.tasks import close_period_task
    from workflows.celery import app as celery_app
    from workflows.models import Period

    tree = make_tree()
    period = Period.objects.create(org_unit=tree.a, year=datetime.date.today().year - 1, kind="H2")
    report = summary_services.report_request(period=period, actor=tree.chair_a, run=lambda pk: None)
    snapshot = summary_services.figures.collect(tree.a, period)
    snapshot["unit"] = "快照标记"  # shows the redelivered run used the saved snapshot instead of recomputing it
    Report.objects.filter(pk=report.pk).update(snapshot=snapshot, stage=Report.Stage.CHARTS, progress=60)

    worker = start_worker(redis_broker)
    with celery_app.connection_for_write(redis_broker) as conn:
        close_period_task.apply_async(args=[report.pk], connection=conn)
    worker.wait_for(lambda: Report.objects.get(pk=report.pk).status == Report.Status.DONE, what="the report to finish")
    report.refresh_from_db()
    assert report.snapshot["unit"] == "快照标记" and report.document and report.workbook
    assert Period.objects.get(pk=period.pk).status == Period.Status.CLOSED
