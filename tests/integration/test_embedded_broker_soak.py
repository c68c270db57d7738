"""The demo's embedded broker under a steady load: worker and beat run for minutes next to a web-like
producer, with notifications, timer sweeps and a period close — no crash, every job done exactly once.

SOAK_SECONDS sets the length (150 s in `make test`'s SQLite pass, 60 s in its PostgreSQL pass).
"""

import collections
import datetime
import email
import json
import os
import subprocess
import sys
import time
from email.header import decode_header, make_header

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from summaries.models import Report
from tests.factories import make_tree, make_user
from workflows import engine, services
from workflows.flows import MembershipFlow
from workflows.models import Heartbeat, Member, Notification, Period

from .conftest import ROOT, database_url_for_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "150"))
TIMERS = 20
FAILURE_MARKS = ("Unrecoverable error", "JSONDecodeError", "Traceback", "ERROR/")


def mail_subjects(folder):
    subjects = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                subjects.append(str(make_header(decode_header(email.message_from_bytes(raw)["Subject"]))))
    return subjects


def staggered_review_timeouts(tree, count, spread):
    """``count`` membership reviews whose 3-day timeout fires at intervals over ``spread`` seconds."""
    timers = []
    for n in range(count):
        applicant = make_user(
            name=f"申请人{n}", unit=tree.a_branch, employer=tree.employer_a, membership=Member.Membership.NON_MEMBER
        )
        application = services.membership_apply(actor=applicant, statement="本人自愿加入工会，遵守章程。")
        review = engine.open_tasks_for(application).get()
        timer = Task.objects.get(process=review.process, flow_task=MembershipFlow.review__timeout)
        at = timezone.now() + datetime.timedelta(seconds=5 + spread * n / count)
        Task.objects.filter(pk=timer.pk).update(scheduled=at)
        timers.append(timer.pk)
    return timers


@pytest.mark.timeout(SOAK_SECONDS + 300)
def test_worker_and_beat_run_for_minutes_on_the_embedded_broker_and_do_every_job_once(tmp_path):
    tree = make_tree()
    for user in (tree.chair, tree.chair_a, tree.committee_a):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    period = Period.objects.create(org_unit=tree.a, year=datetime.date.today().year - 1, kind="H2")
    timers = staggered_review_timeouts(tree, TIMERS, SOAK_SECONDS * 0.6)

    var_dir, mail = tmp_path / "var", tmp_path / "mail"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "PYTEST_CURRENT_TEST")},
        "DATABASE_URL": database_url_for_worker(),
        "UNIONFLOW_VAR_DIR": str(var_dir),
        "EMAIL_URL": f"filemail:///{mail}",
        "TIMER_SWEEP_SECONDS": "1",
        "REMINDER_SWEEP_SECONDS": "2",
        "HEARTBEAT_SECONDS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    celery = [sys.executable, "-m", "celery", "-A", "workflows"]
    commands = {
        "worker": [*celery, "worker", "--loglevel=INFO", "--concurrency=2", "--without-mingle", "--without-gossip"],
        "beat": [*celery, "beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")],
    }
    processes, logs = {}, {}
    var_dir.mkdir()
    try:
        for name, args in commands.items():
            logs[name] = tmp_path / f"{name}.log"
            processes[name] = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=logs[name].open("w"), stderr=subprocess.STDOUT, start_new_session=True
            )
        started = time.monotonic()
        producer = subprocess.run(
            [sys.executable, "-m", "tests.integration.soak_producer", str(SOAK_SECONDS), "0.25"]
            + [str(tree.committee_a.pk), str(period.pk), str(tree.chair_a.pk)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=SOAK_SECONDS + 120,
        )
        assert producer.returncode == 0, producer.stdout + producer.stderr

        def settled():
            return (
                not Notification.objects.filter(email_pending=True).exists()
                and Report.objects.filter(status=Report.Status.DONE).exists()
                and not Task.objects.filter(pk__in=timers).exclude(status=STATUS.DONE).exists()
            )

        # Settled twice in a row: a step a timer opens pings its pool from the worker just after the
        # timer's commit (可认领), so one quiet look may fall between the two.
        deadline, quiet = time.monotonic() + 120, 0
        while quiet < 2 and time.monotonic() < deadline:
            quiet = quiet + 1 if settled() else 0
            time.sleep(0.5)
        minutes = (time.monotonic() - started) / 60
        crashed = {name: p.poll() for name, p in processes.items() if p.poll() is not None}
        # the logs of the soak itself, before the shutdown below adds its own lines
        worker_log = logs["worker"].read_text(errors="replace")
        beat_log = logs["beat"].read_text(errors="replace")
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()  # warm shutdown, as a service manager asks
        for process in processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
    assert not crashed, f"exited during the soak: {crashed}\n{worker_log[-4000:]}"
    for mark in FAILURE_MARKS:
        assert mark not in worker_log and mark not in beat_log, f"{mark!r} in the logs:\n{worker_log[-4000:]}"

    # every e-mail exactly once
    emailed = Notification.objects.exclude(recipient__email="")
    assert not emailed.filter(email_pending=True).exists(), "an e-mail was never sent"
    subjects = collections.Counter(mail_subjects(mail))
    expected = collections.Counter(emailed.values_list("title", flat=True))
    assert subjects == expected, f"missing {expected - subjects}, twice {subjects - expected}"
    soak_mails = sum(n for subject, n in subjects.items() if subject.startswith("soak-"))
    assert soak_mails == int(producer.stdout.split()[-1])

    # every timer fired once, the chair told once per review
    assert Task.objects.filter(pk__in=timers, status=STATUS.DONE).count() == TIMERS
    escalations = Notification.objects.filter(kind=Notification.Kind.ESCALATION, recipient=tree.chair_a)
    assert escalations.count() == escalations.values("dedupe_key").distinct().count() >= TIMERS

    # the period closed once, with its report
    report = Report.objects.get()
    assert report.status == Report.Status.DONE and report.document
    assert Period.objects.get(pk=period.pk).status == Period.Status.CLOSED
    assert worker_log.count("summaries.tasks.close_period_task[") == 2  # received, succeeded: once

    # after the shutdown nothing is claimed and forgotten: unfinished messages went back to the queue
    assert list((var_dir / "broker" / "processed").iterdir()) == []
    assert Heartbeat.objects.count() == 2

    jobs = worker_log.count("] succeeded in ")
    summary = {
        "minutes": round(minutes, 1),
        "jobs": jobs,
        "emails": sum(subjects.values()),
        "timers": TIMERS,
        "crashes": len(crashed),
        "database": database_url_for_worker().split(":", 1)[0],
    }
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / f"soak-{summary['database']}.json").write_text(json.dumps(summary))
    print("soak:", summary)
