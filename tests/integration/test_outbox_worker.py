"""A step committed while the broker is down: its 可认领 ping waits in the outbox and reaches the
committee once a real worker's beat sweeps it through Redis (workflows/outbox.py)."""

import os
import subprocess
import sys

import pytest

from tests.factories import make_tree
from workflows.models import MembershipApplication, Notification, OutboxMessage

from .conftest import ROOT, database_url_for_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

APPLY = """
from django.contrib.auth import get_user_model
from workflows import services
services.membership_apply(
    actor=get_user_model().objects.get(username="applicant_a"), statement="本人自愿加入工会，遵守工会章程。"
)
"""


def test_a_ping_lost_to_a_dead_broker_arrives_through_the_outbox(redis_broker, start_worker, monkeypatch, tmp_path):
    tree = make_tree()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_worker(),
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # nothing listens there: the broker is down
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "UNIONFLOW_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    filed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", APPLY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert filed.returncode == 0, filed.stdout + filed.stderr  # the request succeeds: the step is saved
    assert MembershipApplication.objects.filter(member__user=tree.applicant_a).exists()
    assert list(OutboxMessage.objects.values_list("task", flat=True)) == ["workflows.tasks.notify_pool"]
    assert not Notification.objects.filter(kind="pool").exists()

    monkeypatch.setenv("OUTBOX_GRACE_SECONDS", "1")
    worker = start_worker(redis_broker)
    worker.wait_for(
        lambda: Notification.objects.filter(kind="pool", recipient=tree.committee_a).exists(),
        what="the 可认领 ping sent again from the outbox",
    )
    worker.wait_for(lambda: not OutboxMessage.objects.exists(), what="the outbox to be emptied")
    assert Notification.objects.filter(kind="pool", recipient=tree.committee_a).count() == 1
    assert "resend_outbox" in worker.log()
