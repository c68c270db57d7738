"""A worker SIGKILLed mid-task loses nothing: the next worker finishes the job, and nothing happens twice.

The whole worker (its process group: main process, pool child and embedded beat) is killed, as an
OOM killer or a supervisor's last resort would.  Tasks ack late, so Redis still holds the message as
unacked and hands it to the next worker after the visibility timeout (5 s here, an hour in production).
"""

import datetime
import email
import os
import re
import signal
import time
from decimal import Decimal
from email.header import decode_header, make_header

import kombu
import pytest
import redis
from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

from aid.flows import AidBatchFlow
from aid.models import AidApplication, AidBatch, Disbursement, Fund, FundBudget
from aid.tasks import pay_batch
from tests.aid.conftest import approved_batch
from tests.aid.test_aid_flow import disburse
from tests.factories import grant, make_tree, make_user
from workflows import engine, services
from workflows.models import AuditEvent, Member, Notification, Period, TaskDeadline
from workflows.roles import Role

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 5


@pytest.fixture
def short_visibility(monkeypatch):
    """Workers started from here see a killed worker's message again after a few seconds."""
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(VISIBILITY_TIMEOUT))


def kill_when(worker, predicate, *, timeout=60, what):
    """SIGKILL the whole worker the moment ``predicate`` holds (polled every 10 ms)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline or worker.process.poll() is not None:
            pytest.fail(f"never saw {what}; worker log:\n{worker.log()[-4000:]}")
        time.sleep(0.01)
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait()


def send_to_redis(redis_url, task, args):
    """Queue ``task`` on the workers' Redis.  Not ``app.connection_for_write(url)``: this test process
    has the embedded broker's transport configured, which would override the URL's scheme."""
    with kombu.Connection(redis_url) as conn:
        task.apply_async(args=args, connection=conn)


def unacked_messages(redis_url):
    return redis.Redis.from_url(redis_url).hlen("unacked")


def duplicated_audit_events(*actions):
    events = AuditEvent.objects.filter(action__in=actions)
    return list(events.values("content_type", "object_id", "action").annotate(n=Count("pk")).filter(n__gt=1))


# -- (a) batch disbursement ---------------------------------------------------------------------
HOUSEHOLDS = 120
PER_HOUSEHOLD = Decimal("500")


def an_approved_batch(households):
    tree = make_tree()
    today = timezone.localdate()
    period = Period.objects.create(org_unit=tree.top, year=today.year, kind="H1" if today.month <= 6 else "H2")
    fund = Fund.objects.create(org_unit=tree.a, name="困难职工帮扶资金")
    FundBudget.objects.create(fund=fund, period=period, amount=PER_HOUSEHOLD * households)
    committee2 = grant(
        make_user("committee_a2", name="钱委员", unit=tree.a, employer=tree.employer_a), Role.COMMITTEE, tree.a
    )
    finance = grant(make_user("finance_a", name="赵会计", unit=tree.a, employer=tree.employer_a), Role.FINANCE, tree.a)
    batch = approved_batch(tree, second_committee=committee2, fund=fund, households=households, amount=PER_HOUSEHOLD)
    return batch, finance


def test_a_batch_disbursement_killed_midway_pays_each_household_exactly_once(
    redis_broker, start_worker, short_visibility, monkeypatch
):
    batch, finance = an_approved_batch(HOUSEHOLDS)
    queued = []
    monkeypatch.setattr(pay_batch, "delay", lambda *args: queued.append(args))
    disburse(batch, AidBatchFlow.disburse, finance)  # finance decides; the paying is the worker's
    assert batch.status == AidBatch.Status.PAYING and len(queued) == 1

    first = start_worker(redis_broker)
    send_to_redis(redis_broker, pay_batch, queued[0])
    payments = Disbursement.objects.filter(application__batch=batch)
    kill_when(first, lambda: payments.exists(), what="the first household paid")
    paid_before = payments.count()
    print(f"\nbatch: killed the worker after {paid_before} of {HOUSEHOLDS} households were paid")
    assert 0 < paid_before < HOUSEHOLDS, "the kill must land in the middle of the batch"
    assert AidBatch.objects.get(pk=batch.pk).status == AidBatch.Status.PAYING
    assert unacked_messages(redis_broker) == 1  # Redis still holds pay_batch for the next worker

    second = start_worker(redis_broker)
    second.wait_for(
        lambda: AidBatch.objects.get(pk=batch.pk).status == AidBatch.Status.PAID,
        timeout=90,
        what="the next worker to finish the batch",
    )
    print(f"batch: after the restart {payments.count()} payments, {HOUSEHOLDS} households")
    assert_each_household_paid_once(batch)
    assert "aid.tasks.pay_batch" in second.log()  # the redelivered message, not a new one


def assert_each_household_paid_once(batch):
    payments = Disbursement.objects.filter(application__batch=batch)
    assert payments.count() == HOUSEHOLDS
    assert payments.values("application").distinct().count() == HOUSEHOLDS
    assert set(batch.applications.values_list("status", flat=True)) == {AidApplication.Status.PAID}
    budget = FundBudget.objects.get(fund=batch.fund, period=batch.period)
    assert budget.paid == payments.aggregate(s=Sum("amount"))["s"] == PER_HOUSEHOLD * HOUSEHOLDS
    assert budget.reserved == 0
    assert AuditEvent.objects.filter(action="pay").count() == HOUSEHOLDS
    assert AuditEvent.objects.filter(action="mark_paid").count() == 1
    assert duplicated_audit_events("start_paying", "pay", "mark_paid") == []


RESUME_AFTER = 3


def test_a_batch_whose_message_never_reached_the_broker_is_paid_by_the_sweep(redis_broker, start_worker, monkeypatch):
    """The web process died between the commit and the send: no message at all.  Beat's sweep finds
    the batch 发放中 with no progress and sends it from the instruction stored on the batch."""
    monkeypatch.setenv("AID_BATCH_RESUME_AFTER_SECONDS", str(RESUME_AFTER))
    batch, finance = an_approved_batch(HOUSEHOLDS)
    monkeypatch.setattr(pay_batch, "delay", lambda *args: None)  # the message is lost
    disburse(batch, AidBatchFlow.disburse, finance)
    assert batch.status == AidBatch.Status.PAYING

    worker = start_worker(redis_broker)
    worker.wait_for(
        lambda: AidBatch.objects.get(pk=batch.pk).status == AidBatch.Status.PAID,
        timeout=90,
        what="the sweep to send the batch and a worker to pay it",
    )
    assert_each_household_paid_once(batch)
    assert "sending it to a worker again" in worker.log()


def test_a_batch_killed_midway_is_resumed_by_the_sweep_before_the_visibility_timeout(
    redis_broker, start_worker, monkeypatch
):
    """With production's hour-long visibility timeout the killed message comes back only in an hour;
    the sweep resumes the batch after AID_BATCH_RESUME_AFTER_SECONDS, and the late redelivery is a no-op."""
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "3600")
    monkeypatch.setenv("AID_BATCH_RESUME_AFTER_SECONDS", "3600")  # the first worker's sweep stays out of it
    batch, finance = an_approved_batch(HOUSEHOLDS)
    monkeypatch.setattr(pay_batch, "delay", lambda *args: None)
    disburse(batch, AidBatchFlow.disburse, finance)

    first = start_worker(redis_broker)
    send_to_redis(redis_broker, pay_batch, (batch.pk,))
    payments = Disbursement.objects.filter(application__batch=batch)
    kill_when(first, lambda: payments.exists(), what="the first household paid")
    paid_before = payments.count()
    assert 0 < paid_before < HOUSEHOLDS, "the kill must land in the middle of the batch"
    assert unacked_messages(redis_broker) == 1  # held for an hour

    monkeypatch.setenv("AID_BATCH_RESUME_AFTER_SECONDS", str(RESUME_AFTER))
    started = time.monotonic()
    second = start_worker(redis_broker)
    second.wait_for(
        lambda: AidBatch.objects.get(pk=batch.pk).status == AidBatch.Status.PAID,
        timeout=90,
        what="the sweep to resume the batch",
    )
    took = time.monotonic() - started
    print(f"\nbatch: killed after {paid_before} of {HOUSEHOLDS}; the sweep resumed it, paid {took:.0f}s later")
    assert_each_household_paid_once(batch)
    assert "sending it to a worker again" in second.log()


# -- (c) deadline reminders ---------------------------------------------------------------------
DUE_TASKS = 150


def many_tasks_in_their_reminder_window(count):
    """``count`` membership reviews, each held by the committee member and due in two hours."""
    tree = make_tree()
    for n in range(count):
        applicant = make_user(
            name=f"申请人{n}", unit=tree.a_branch, employer=tree.employer_a, membership=Member.Membership.NON_MEMBER
        )
        application = services.membership_apply(actor=applicant, statement="本人自愿加入工会，遵守章程。")
        engine.task_claim(task=engine.open_tasks_for(application).get(), actor=tree.committee_a)
    due = timezone.now() + datetime.timedelta(hours=2)
    assert TaskDeadline.objects.update(due_at=due, remind_at=timezone.now() - datetime.timedelta(minutes=1)) == count
    return tree


def reminder_emails(folder):
    """The task link of each 催办 email Django's file backend wrote (one file per connection)."""
    links = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not raw.strip():
                continue
            message = email.message_from_bytes(raw)
            if str(make_header(decode_header(message["Subject"]))).startswith("催办"):
                links.append(message.get_payload(decode=True).decode().split()[-1])
    return links


def test_reminders_killed_mid_sweep_are_each_sent_once(
    redis_broker, start_worker, short_visibility, monkeypatch, tmp_path
):
    tree = many_tasks_in_their_reminder_window(DUE_TASKS)
    mail = tmp_path / "mail"
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{mail}")
    monkeypatch.setenv("EMAIL_OUTBOX_GRACE_SECONDS", "3")
    reminders = Notification.objects.filter(kind=Notification.Kind.REMINDER)

    first = start_worker(redis_broker)  # its beat starts the sweep within a second
    kill_when(first, lambda: reminders.exists(), what="the first reminder")
    before = reminders.count()
    queued = redis.Redis.from_url(redis_broker).lrange("celery", 0, -1)
    emails_queued = sum(b"send_notification_email" in message for message in queued)
    print(f"\nreminders: killed the worker after {before} of {DUE_TASKS}; {emails_queued} of their emails queued")
    assert 0 < before < DUE_TASKS, "the kill must land in the middle of the sweep"

    second = start_worker(redis_broker)
    second.wait_for(
        lambda: reminders.count() == DUE_TASKS and not reminders.filter(email_pending=True).exists(),
        timeout=90,
        what="every reminder sent and emailed",
    )
    time.sleep(VISIBILITY_TIMEOUT + 3)  # the killed sweep's message comes back and must change nothing
    links = reminder_emails(mail)
    print(f"reminders: after the restart {reminders.count()} notifications, {len(links)} emails")
    assert reminders.count() == DUE_TASKS
    assert reminders.values("dedupe_key").distinct().count() == DUE_TASKS
    assert set(reminders.values_list("recipient", flat=True)) == {tree.committee_a.pk}
    assert not TaskDeadline.objects.filter(reminded_at__isnull=True).exists()
    expected = {f"{settings.SITE_URL}{url}" for url in reminders.values_list("url", flat=True)}  # absolute links
    assert sorted(links) == sorted(expected), "each reminder emailed once"
    if emails_queued < before:  # killed between a reminder's commit and queueing its email: the outbox sent it
        assert re.search(r"send_pending_emails\[[^]]+\] succeeded in \S+: [1-9]", second.log())
    assert reminders.filter(emailed_at__isnull=True).count() == 0
