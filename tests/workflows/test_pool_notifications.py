# ruff: noqa: F811  (the cases fixtures are imported to be used here)
"""可认领: a task that lands in the pool pings those who may claim it, in the record's own union."""

import pytest

from cases import services as case_services
from tests.cases.conftest import file_kwargs, mediator, mediator_b, worker  # noqa: F401  (fixtures)
from tests.factories import fresh, make_user
from workflows import engine
from workflows.models import Notification
from workflows.tasks import notify_pool

pytestmark = pytest.mark.django_db


def filed(worker, capture):  # noqa: F811
    with capture(execute=True):
        return case_services.case_file(actor=fresh(worker), **file_kwargs())


def test_a_filed_case_pings_its_unions_claimers_once(
    tree,
    worker,
    mediator,
    mediator_b,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    case = filed(worker, django_capture_on_commit_callbacks)
    task = engine.open_tasks_for(case).get()
    pinged = Notification.objects.filter(kind=Notification.Kind.POOL)
    assert set(pinged.values_list("recipient__username", flat=True)) == {"mediator_a", "committee_a", "chair_a"}
    note = pinged.get(recipient=mediator)
    assert note.title == f"可认领：{task.title}" and note.url == f"/tasks/{task.pk}/"
    assert "孙" in note.body  # the record, named as the reader may see it
    assert notify_pool.delay(task.pk).get() == 0  # a redelivered message pings nobody twice
    assert pinged.count() == 3


def test_the_federation_above_is_not_pinged_for_every_case(tree, worker, django_capture_on_commit_callbacks):  # noqa: F811
    filed(worker, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(kind="pool", recipient=tree.chair).exists()  # sees it under 可认领


def test_a_pool_with_nobody_below_pings_the_union_above(tree, django_capture_on_commit_callbacks):
    member = make_user("worker_b", name="乙工人", unit=tree.b, employer=tree.employer_b)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_file(actor=fresh(member), **file_kwargs())
    recipients = set(Notification.objects.filter(kind="pool").values_list("recipient__username", flat=True))
    assert recipients == {"committee_b"}  # 乙's own union has a committee member: nobody above


def test_a_claimed_task_pings_nobody(tree, worker, mediator, django_capture_on_commit_callbacks):  # noqa: F811
    case = case_services.case_file(actor=fresh(worker), **file_kwargs())  # callbacks not run yet
    task = engine.open_tasks_for(case).get()
    engine.task_claim(task=task, actor=fresh(mediator))
    assert notify_pool.delay(task.pk).get() == 0
    assert not Notification.objects.filter(kind="pool").exists()


def test_a_pool_ping_can_be_kept_out_of_email(
    tree, worker, mediator, client, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(tree.committee_a)
    assert "可认领提醒" in client.get("/notifications/settings/").content.decode()
    kinds = [kind for kind in Notification.Kind.values if kind != "pool"]
    client.post("/notifications/settings/", {"email_kinds": kinds})
    filed(worker, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind="pool", recipient=tree.committee_a).exists()  # in the app
    emailed = {address for mail in mailoutbox for address in mail.to}
    assert mediator.email in emailed and tree.committee_a.email not in emailed
