"""A worker SIGKILLed in the middle of a period close: the next worker finishes it, once.

On Redis the unacknowledged message comes back after the visibility timeout (5 s here); on the
embedded broker the next worker takes back the dead worker's claim at once (workflows/broker.py).
"""

import datetime
import os
import signal
import time

import pytest

from summaries import services
from summaries.models import Report
from summaries.tasks import close_period_task
from tests.factories import fresh, make_tree
from workflows.celery import app as celery_app
from workflows.models import AuditEvent, Period

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def filesystem_broker(var_dir):
    folder = var_dir / "broker"
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return options


@pytest.mark.parametrize("broker", ["redis", "embedded"])
def test_a_close_killed_midway_is_finished_by_the_next_worker_exactly_once(
    broker, request, start_worker, tmp_path, monkeypatch
):
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "5")
    var_dir = tmp_path / "var"
    if broker == "redis":
        url, options = request.getfixturevalue("redis_broker"), {}
    else:
        url, options = "filesystem://", filesystem_broker(var_dir)

    tree = make_tree()
    period = Period.objects.create(org_unit=tree.a, year=datetime.date.today().year - 1, kind="H2")
    report = services.report_request(period=period, actor=fresh(tree.chair_a), run=lambda pk: None)
    first = start_worker(url, var_dir=var_dir)
    previous = celery_app.conf.broker_transport_options
    celery_app.conf.broker_transport_options = options or previous
    try:
        with celery_app.connection_for_write(url) as conn:
            close_period_task.apply_async(args=[report.pk, report.run_token], connection=conn)
    finally:
        celery_app.conf.broker_transport_options = previous

    # the moment the run has started, freeze the whole worker (so the kill lands mid-close), then kill it
    deadline = time.monotonic() + 90
    while Report.objects.filter(pk=report.pk, started_at__isnull=True).exists():
        assert time.monotonic() < deadline and first.process.poll() is None, first.log()[-4000:]
        time.sleep(0.002)
    os.killpg(first.process.pid, signal.SIGSTOP)
    os.killpg(first.process.pid, signal.SIGKILL)
    first.process.wait()
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING and not report.document, "the kill must land mid-close"
    assert Period.objects.get(pk=period.pk).status == Period.Status.CLOSING

    second = start_worker(url, var_dir=var_dir)
    second.wait_for(
        lambda: Report.objects.get(pk=report.pk).status == Report.Status.DONE, timeout=90, what="the close to finish"
    )
    report.refresh_from_db()
    assert Period.objects.get(pk=period.pk).status == Period.Status.CLOSED
    assert AuditEvent.objects.filter(object_id=period.pk, action="finish_closing").count() == 1
    files = sorted(p.name for p in (var_dir / "media" / "reports").iterdir())
    # exactly one of each file the close makes: no orphan from the killed run (the PDF only where LibreOffice is)
    made = [report.document, report.workbook] + ([report.pdf] if report.pdf else [])
    assert files == sorted(os.path.basename(f.name) for f in made)
    assert second.log().count("close_period_task[") == 2  # redelivered once, finished once
    assert "succeeded" in second.log().split("close_period_task[", 2)[-1]
