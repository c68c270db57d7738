"""A close that fails is marked failed with its reason and retried by the chair; a queued close says so."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from summaries import services
from summaries.models import Report
from tests.factories import fresh, grant, make_user
from workflows.health import heartbeat
from workflows.models import Heartbeat, Period
from workflows.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def h2(tree):
    return Period.objects.create(org_unit=tree.a, year=datetime.date.today().year - 1, kind=Period.Kind.SECOND_HALF)


def request_close(period, chair):
    return services.report_request(period=period, actor=fresh(chair), run=lambda pk: None)


def fail_with(monkeypatch, exc):
    def boom(*args, **kwargs):
        ballast = [bytearray(1024) for _ in range(1000)]  # held by the frame, as real figures would be
        raise exc from None if ballast else None

    monkeypatch.setattr(services.figures, "collect", boom)


@pytest.mark.timeout(30)
def test_a_memory_error_marks_the_close_failed_with_its_reason_and_the_period_is_not_closed(tree, h2, monkeypatch):
    report = request_close(h2, tree.chair_a)
    fail_with(monkeypatch, MemoryError())
    with pytest.raises(MemoryError):
        services.report_run(report.pk)
    report.refresh_from_db()
    h2.refresh_from_db()
    assert report.status == Report.Status.FAILED and "内存不足" in report.error
    assert h2.status == Period.Status.CLOSING  # never closed without its report
    assert not report.document


def test_retry_finishes_a_failed_close_and_closes_the_period(tree, h2, monkeypatch, django_capture_on_commit_callbacks):
    report = request_close(h2, tree.chair_a)
    original = services.figures.collect
    fail_with(monkeypatch, RuntimeError("磁盘已满"))
    with pytest.raises(RuntimeError):
        services.report_run(report.pk)
    monkeypatch.setattr(services.figures, "collect", original)

    client = Client()
    client.force_login(tree.chair_a)
    page = client.get(reverse("summaries:report", args=[report.pk])).content.decode()
    assert "生成失败：RuntimeError: 磁盘已满" in page and 'data-testid="report-retry"' in page
    assert "重试" in client.get(reverse("summaries:close")).content.decode()

    ran = []
    monkeypatch.setattr("summaries.tasks.close_period_task.delay", lambda pk, token: ran.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("summaries:retry", args=[report.pk]))
    assert response.status_code == 302 and ran == [report.pk]
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING and report.error == "" and report.queued
    services.report_run(report.pk)
    report.refresh_from_db()
    h2.refresh_from_db()
    assert report.status == Report.Status.DONE and report.document and h2.status == Period.Status.CLOSED


def test_retry_is_refused_to_others_and_for_a_report_that_did_not_fail(
    tree, h2, client, monkeypatch, django_capture_on_commit_callbacks
):
    report = request_close(h2, tree.chair_a)
    url = reverse("summaries:retry", args=[report.pk])
    other_chair = grant(make_user("chair_b", name="乙主席", unit=tree.b, employer=tree.employer_b), Role.CHAIR, tree.b)
    for outsider in (tree.committee_a, tree.applicant_a, other_chair):
        client.force_login(outsider)
        assert client.post(url).status_code == 404
    client.logout()
    assert client.post(url).status_code == 302 and "/login/" in client.post(url)["Location"]
    client.force_login(tree.chair_a)
    assert client.get(url).status_code == 405
    ran = []
    monkeypatch.setattr("summaries.tasks.close_period_task.delay", lambda pk, token: ran.append(pk))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client.post(url, follow=True).content.decode()
    assert "只有生成失败的工作总结可以重试" in page and ran == [] and callbacks == []


def test_a_queued_close_says_so_and_then_that_no_worker_is_taking_it(tree, h2, client, settings):
    report = request_close(h2, tree.chair_a)
    client.force_login(tree.chair_a)
    for source in Heartbeat.Source.values:
        heartbeat(source)
    progress = client.get(reverse("summaries:progress", args=[report.pk])).json()
    assert progress["queued"] and not progress["stalled"] and progress["status"] == "running"
    assert "排队中" in client.get(reverse("summaries:report", args=[report.pk])).content.decode()

    Report.objects.filter(pk=report.pk).update(
        queued_at=timezone.now() - datetime.timedelta(seconds=settings.REPORT_QUEUE_PATIENCE_SECONDS + 1)
    )
    assert client.get(reverse("summaries:progress", args=[report.pk])).json()["stalled"]
    page = client.get(reverse("summaries:report", args=[report.pk])).content.decode()
    assert "后台任务未响应" in page

    services.report_run(report.pk)  # a worker picks it up
    progress = client.get(reverse("summaries:progress", args=[report.pk])).json()
    assert not progress["queued"] and progress["status"] == "done"
    report.refresh_from_db()
    assert report.queued_at < report.started_at < report.generated_at


def test_a_queued_close_is_stalled_at_once_when_the_worker_is_down(tree, h2, client):
    report = request_close(h2, tree.chair_a)
    client.force_login(tree.chair_a)
    assert client.get(reverse("summaries:progress", args=[report.pk])).json()["stalled"]  # no heartbeat at all


def test_a_close_whose_message_was_lost_is_queued_again_and_the_old_message_does_nothing(
    tree, h2, settings, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("summaries.tasks.close_period_task.delay", lambda pk, token: sent.append((pk, token)))
    report = request_close(h2, tree.chair_a)  # the message never reached the broker (run=lambda pk: None)
    lost_token = report.run_token
    assert services.report_requeue_lost() == 0  # still within the patience

    past = timezone.now() - datetime.timedelta(seconds=settings.REPORT_QUEUE_PATIENCE_SECONDS + 1)
    Report.objects.filter(pk=report.pk).update(queued_at=past)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.report_requeue_lost() == 1
    report.refresh_from_db()
    assert sent == [(report.pk, report.run_token)] and report.run_token != lost_token and report.queued

    services.report_run(report.pk, token=lost_token)  # the lost message turns up after all
    report.refresh_from_db()
    assert report.queued and report.status == Report.Status.RUNNING  # superseded: it did nothing
    services.report_run(report.pk, token=report.run_token)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    with django_capture_on_commit_callbacks(execute=True):
        assert services.report_requeue_lost() == 0
    assert len(sent) == 1


def test_a_started_close_is_never_queued_twice(tree, h2, settings):
    report = request_close(h2, tree.chair_a)
    past = timezone.now() - datetime.timedelta(seconds=settings.REPORT_QUEUE_PATIENCE_SECONDS + 1)
    Report.objects.filter(pk=report.pk).update(queued_at=past, started_at=past)
    assert services.report_requeue_lost() == 0
