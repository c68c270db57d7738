"""A batch being paid (发放中) never stays stuck: the instruction lives on the batch, and a sweep sends
a batch no worker is moving to a worker again; however often it is sent, each household is paid once."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from aid import services
from aid.flows import AidBatchFlow
from aid.models import AidApplication, AidBatch, Disbursement, FundBudget
from aid.tasks import pay_batch, resume_paying_batches
from tests.aid.conftest import approved_batch as shared_approved_batch
from tests.aid.test_aid_flow import disburse
from workflows.models import AuditEvent, Heartbeat

pytestmark = pytest.mark.django_db

PER_HOUSEHOLD = Decimal("200")
HOUSEHOLDS = 4
RESUME_AFTER = 300


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.AID_BATCH_RESUME_AFTER_SECONDS = RESUME_AFTER


def approved_batch(tree, aid_people, fund, households=HOUSEHOLDS):
    return shared_approved_batch(
        tree, second_committee=aid_people["committee2"], fund=fund, households=households, amount=PER_HOUSEHOLD
    )


def paying_with_the_message_lost(tree, aid_people, fund, django_capture_on_commit_callbacks, **kwargs):
    """Finance decides; the web process dies before the message reaches the broker."""
    batch = approved_batch(tree, aid_people, fund, **kwargs)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        disburse(batch, AidBatchFlow.disburse, aid_people["finance"], reference="转账2026-01")
    assert batch.status == AidBatch.Status.PAYING and len(sent) == 1
    return batch


def later(seconds=RESUME_AFTER + 1):
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds))


def assert_paid_once(batch, households=HOUSEHOLDS):
    batch.refresh_from_db()
    payments = Disbursement.objects.filter(application__batch=batch)
    assert batch.status == AidBatch.Status.PAID
    assert payments.count() == households
    assert payments.values("application").distinct().count() == households
    assert set(batch.applications.values_list("status", flat=True)) == {AidApplication.Status.PAID}
    budget = FundBudget.objects.get(fund=batch.fund, period=batch.period)
    assert budget.paid == payments.aggregate(s=Sum("amount"))["s"] == PER_HOUSEHOLD * households
    assert budget.reserved == 0
    assert AuditEvent.objects.filter(action="pay").count() == households
    assert AuditEvent.objects.filter(action="mark_paid").count() == 1


def test_the_payment_instruction_is_stored_on_the_batch(tree, aid_people, fund, django_capture_on_commit_callbacks):
    batch = paying_with_the_message_lost(tree, aid_people, fund, django_capture_on_commit_callbacks)
    assert batch.payment_ordered_by == aid_people["finance"]
    assert (batch.payment_method, batch.payment_reference) == ("bank", "转账2026-01")
    assert batch.payment_paid_on == timezone.localdate()
    assert batch.payment_key.startswith("task-") and batch.paying_since is not None and batch.last_paid_at is None


def test_a_lost_message_is_sent_again_by_the_sweep_and_pays_each_household_once(
    tree, aid_people, fund, django_capture_on_commit_callbacks
):
    batch = paying_with_the_message_lost(tree, aid_people, fund, django_capture_on_commit_callbacks)
    assert resume_paying_batches() == 0  # fresh: the message may still be on its way
    with later():
        assert resume_paying_batches() == 1
    assert_paid_once(batch)
    payment = Disbursement.objects.filter(application__batch=batch).first()
    assert (payment.paid_by, payment.reference) == (aid_people["finance"], "转账2026-01")
    with later(3 * RESUME_AFTER):
        assert resume_paying_batches() == 0  # paid: nothing left to send


def test_a_send_the_broker_refuses_leaves_the_batch_paying_and_the_sweep_pays_it(
    tree, aid_people, fund, django_capture_on_commit_callbacks, monkeypatch
):
    batch = approved_batch(tree, aid_people, fund)

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    with monkeypatch.context() as patch:
        patch.setattr(pay_batch, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            disburse(batch, AidBatchFlow.disburse, aid_people["finance"])  # finance sees no error
    assert AidBatch.objects.get(pk=batch.pk).status == AidBatch.Status.PAYING
    with later():
        assert resume_paying_batches() == 1
    assert_paid_once(batch)


def test_the_sweep_leaves_fresh_paying_and_other_batches_alone(
    tree, aid_people, fund, django_capture_on_commit_callbacks, monkeypatch
):
    stalled = paying_with_the_message_lost(tree, aid_people, fund, django_capture_on_commit_callbacks, households=1)
    approved = approved_batch(tree, aid_people, fund, households=1)
    sent = []
    monkeypatch.setattr(pay_batch, "delay", lambda *args: sent.append(args))
    with later():
        fresh_one = paying_with_the_message_lost(tree, aid_people, fund, django_capture_on_commit_callbacks)
        assert resume_paying_batches() == 1
    assert sent == [(stalled.pk,)]
    assert AidBatch.objects.get(pk=approved.pk).status == AidBatch.Status.APPROVED
    assert AidBatch.objects.get(pk=fresh_one.pk).payment_resubmitted_at is None


def test_a_batch_that_is_moving_is_not_sent_again(tree, aid_people, fund, django_capture_on_commit_callbacks):
    batch = paying_with_the_message_lost(tree, aid_people, fund, django_capture_on_commit_callbacks)
    first = batch.applications.order_by("pk").first()
    with later(RESUME_AFTER - 10):
        services._pay(  # a worker paid a household just now, long after the start
            first,
            budget=services._locked_budget(fund, batch.period),
            amount=PER_HOUSEHOLD,
            actor=aid_people["finance"],
            method="bank",
            reference="转账2026-01",
            paid_on=timezone.localdate(),
            key=f"{batch.payment_key}-{first.pk}",
        )
        AidBatch.objects.filter(pk=batch.pk).update(last_paid_at=timezone.now())
    with later(RESUME_AFTER + 10):  # older than the threshold from the start, not from the last payment
        assert resume_paying_batches() == 0
    with later(2 * RESUME_AFTER):
        assert resume_paying_batches() == 1
    assert_paid_once(batch)


def test_the_sweep_sends_a_stalled_batch_once_per_threshold(
    tree, aid_people, fund, django_capture_on_commit_callbacks, monkeypatch
):
    batch = paying_with_the_message_lost(tree, aid_people, fund, django_capture_on_commit_callbacks)
    sent = []
    monkeypatch.setattr(pay_batch, "delay", lambda *args: sent.append(args))  # no worker takes it
    with later():
        assert resume_paying_batches() == 1
        assert resume_paying_batches() == 0  # a second sweep (or beat running twice) sends nothing more
    with later(2 * RESUME_AFTER + 2):
        assert resume_paying_batches() == 1  # still no progress: sent again
    assert sent == [(batch.pk,), (batch.pk,)]


def test_paying_twice_pays_nobody_twice(tree, aid_people, fund, django_capture_on_commit_callbacks):
    batch = paying_with_the_message_lost(tree, aid_people, fund, django_capture_on_commit_callbacks)
    assert pay_batch(batch.pk) == HOUSEHOLDS
    assert pay_batch(batch.pk) == 0
    with later():
        assert resume_paying_batches() == 0
    assert_paid_once(batch)


# -- the page ---------------------------------------------------------------------------------
def page(client, user, batch):
    client.force_login(user)
    response = client.get(reverse("aid:batch", args=[batch.pk]))
    assert response.status_code == 200
    return response.content.decode()


def workers_alive():
    for source in Heartbeat.Source.values:
        Heartbeat.objects.update_or_create(source=source, defaults={"seen_at": timezone.now()})


def test_the_page_shows_progress_while_the_worker_pays(
    client, tree, aid_people, fund, django_capture_on_commit_callbacks
):
    batch = paying_with_the_message_lost(tree, aid_people, fund, django_capture_on_commit_callbacks)
    first = batch.applications.order_by("pk").first()
    services._pay(
        first,
        budget=services._locked_budget(fund, batch.period),
        amount=PER_HOUSEHOLD,
        actor=aid_people["finance"],
        method="bank",
        reference="转账2026-01",
        paid_on=timezone.localdate(),
        key=f"{batch.payment_key}-{first.pk}",
    )
    AidBatch.objects.filter(pk=batch.pk).update(last_paid_at=timezone.now())
    html = page(client, aid_people["finance"], batch)
    assert f"发放中：已发放 1 / {HOUSEHOLDS} 户" in html
    assert "由后台任务逐户发放" in html and "后台任务未在处理" not in html

    with later():
        workers_alive()
        html = page(client, aid_people["finance"], batch)
        assert "后台任务未在处理，系统将自动重新提交" in html
        assert resume_paying_batches() == 1
    html = page(client, aid_people["finance"], batch)
    assert 'data-testid="paying-progress"' not in html  # paid: the progress card is gone


def test_the_page_says_when_no_worker_runs_to_resume_a_stalled_batch(
    client, tree, aid_people, fund, django_capture_on_commit_callbacks
):
    batch = paying_with_the_message_lost(tree, aid_people, fund, django_capture_on_commit_callbacks)
    with later():
        html = page(client, aid_people["finance"], batch)  # no heartbeat at all
    assert f"发放中：已发放 0 / {HOUSEHOLDS} 户" in html
    assert "后台任务未运行，恢复运行后系统将自动重新提交" in html and "后台任务未在处理" not in html
