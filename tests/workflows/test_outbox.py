"""A broker that is down when a step commits delays the applicant's notice and the 可认领 ping; it
does not lose them (workflows/outbox.py): the call is kept with the step and sent by the sweep."""

import datetime
import logging

import pytest
from django.utils import timezone

from tests.factories import fresh
from workflows import engine, outbox, services, tasks
from workflows.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db
STATEMENT = "本人自愿加入工会，遵守工会章程。"
APPROVE = {"decision": "approve", "note": "同意"}


@pytest.fixture
def grace(settings):
    settings.UNIONFLOW = {**settings.UNIONFLOW, "OUTBOX_GRACE": datetime.timedelta(minutes=2)}
    return settings.UNIONFLOW["OUTBOX_GRACE"]


@pytest.fixture
def broker(monkeypatch):
    """Switch the broker off and on: while off, publishing any task raises as kombu does."""
    from celery.app.task import Task

    state = {"up": True, "published": []}
    real_delay = Task.delay

    def delay(self, *args, **kwargs):
        if not state["up"]:
            raise ConnectionRefusedError("[Errno 111] Connection refused (broker down)")
        state["published"].append(self.name)
        return real_delay(self, *args, **kwargs)

    monkeypatch.setattr(Task, "delay", delay)
    return state


def later(grace):
    return timezone.now() + grace + datetime.timedelta(seconds=1)


def test_the_call_is_struck_off_once_the_broker_took_it(tree, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_apply(actor=tree.applicant_a, statement=STATEMENT)
    assert "workflows.tasks.notify_pool" in broker["published"]
    assert not OutboxMessage.objects.exists()
    assert Notification.objects.filter(recipient=tree.committee_a, kind="pool").count() == 1


def test_a_notice_and_a_ping_lost_to_a_broker_outage_arrive_after_it(
    tree, broker, grace, django_capture_on_commit_callbacks, caplog
):
    broker["up"] = False
    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.ERROR):
        application = services.membership_apply(actor=tree.applicant_a, statement=STATEMENT)
        task = engine.open_tasks_for(application).get()
    assert application.pk and task.pk  # the step is saved regardless
    assert [m.task for m in OutboxMessage.objects.all()] == ["workflows.tasks.notify_pool"]
    assert not Notification.objects.filter(kind="pool").exists()

    assert outbox.resend() == 0  # within the grace: it may still be on its way
    assert outbox.resend(now=later(grace)) == 0  # the broker is still down: kept, nothing lost
    assert OutboxMessage.objects.count() == 1

    broker["up"] = True
    assert outbox.resend(now=later(grace)) == 1
    assert not OutboxMessage.objects.exists()
    [ping] = Notification.objects.filter(recipient=tree.committee_a, kind="pool")
    assert ping.title == "可认领：审核入会申请"

    engine.task_claim(task=task, actor=fresh(tree.committee_a))
    broker["up"] = False
    with django_capture_on_commit_callbacks(execute=True):
        engine.task_complete(task=task, actor=fresh(tree.committee_a), data=APPROVE)
    application.refresh_from_db()
    assert application.status == "approved"
    assert [m.task for m in OutboxMessage.objects.all()] == ["workflows.tasks.tell_applicant"]
    assert not Notification.objects.filter(recipient=tree.applicant_a, kind="info").exists()

    broker["up"] = True
    assert tasks.resend_outbox() == 0  # the beat job: within the grace
    assert outbox.resend(now=later(grace)) == 1
    [notice] = Notification.objects.filter(recipient=tree.applicant_a, kind="info")
    assert "入会申请已批准" in notice.title and notice.url == application.get_absolute_url()


def test_a_call_sent_twice_tells_once(tree, broker, grace, django_capture_on_commit_callbacks):
    """The sweep may publish a call the commit's own publish also got through (a slow broker): the
    tasks dedupe, so the applicant is told once."""
    with django_capture_on_commit_callbacks(execute=True):
        application = services.membership_apply(actor=tree.applicant_a, statement=STATEMENT)
    task = engine.open_tasks_for(application).get()
    engine.task_claim(task=task, actor=fresh(tree.committee_a))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # committed, not yet published
        engine.task_complete(task=task, actor=fresh(tree.committee_a), data=APPROVE)
    assert outbox.resend(now=later(grace)) == 1
    for callback in callbacks:
        callback()
    assert Notification.objects.filter(recipient=tree.applicant_a, kind="info").count() == 1
    assert not OutboxMessage.objects.exists()


def test_a_call_to_a_task_that_no_longer_exists_is_dropped_and_logged(grace, caplog):
    OutboxMessage.objects.create(task="workflows.tasks.no_such_task", args=[1])
    with caplog.at_level(logging.ERROR, logger="workflows.outbox"):
        assert outbox.resend(now=later(grace)) == 0
    assert not OutboxMessage.objects.exists()
    assert "no_such_task" in caplog.text
