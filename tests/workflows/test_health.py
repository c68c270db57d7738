"""The system says when background work has stopped: banner, /healthz/, manage.py health."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from workflows.health import background_status, heartbeat
from workflows.models import Heartbeat

pytestmark = pytest.mark.django_db


def beat_all(at=None):
    for source in Heartbeat.Source.values:
        heartbeat(source, now=at)


def test_background_work_is_running_only_while_every_heartbeat_is_fresh(settings):
    assert not background_status().running and background_status().last_seen is None
    beat_all()
    assert background_status().running
    old = timezone.now() - datetime.timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS + 1)
    heartbeat(Heartbeat.Source.BEAT, now=old)
    status = background_status()
    assert not status.running and status.stale == ("beat",)


def test_the_banner_names_the_silent_part_when_only_the_schedule_is_missing(tree, client):
    heartbeat(Heartbeat.Source.WORKER)  # the worker beats, no scheduled job has run yet
    client.force_login(tree.chair_a)
    page = client.get(reverse("dashboard")).content.decode()
    assert "后台任务未运行</strong>（定时调度（beat）无心跳）" in page


def test_the_chair_and_the_administrator_see_the_banner_others_do_not(tree, client, django_user_model):
    admin = django_user_model.objects.create_user("root", password="x", is_staff=True, is_superuser=True)
    stale = timezone.now() - datetime.timedelta(hours=2)
    beat_all(stale)
    for user in (tree.chair_a, admin):
        client.force_login(user)
        page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
        assert "后台任务未运行" in page and "报告生成、到期提醒、期限届满处理已暂停" in page
        assert "（2小时0分钟前）" in page
        assert timezone.localtime(stale).strftime("%Y-%m-%d %H:%M") in page
    for user in (tree.committee_a, tree.applicant_a):
        client.force_login(user)
        assert "后台任务未运行" not in client.get(reverse("dashboard")).content.decode()
    beat_all()
    client.force_login(tree.chair_a)
    assert "后台任务未运行" not in client.get(reverse("dashboard")).content.decode()


def test_healthz_answers_503_without_a_worker_and_200_with_one_and_names_no_one(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": True, "broker": True, "worker": False}
    beat_all()
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")
    assert client.post(reverse("healthz"), data="[]", content_type="application/json").status_code == 405


def test_the_health_command_exits_non_zero_when_the_worker_is_down(capsys):
    with pytest.raises(CommandError, match="worker"):
        call_command("health")
    assert "DOWN" in capsys.readouterr().out
    beat_all()
    call_command("health")
    out = capsys.readouterr().out
    assert out.count(" OK ") == 3 and "DOWN" not in out


def test_the_heartbeat_job_stamps_beat():
    from workflows.tasks import heartbeat as heartbeat_task

    heartbeat_task()
    assert Heartbeat.objects.get(source="beat").seen_at > timezone.now() - datetime.timedelta(seconds=5)


@pytest.mark.parametrize(
    ("seconds", "words"), [(5, "不到1分钟"), (125, "2分钟"), (3 * 3600 + 60, "3小时1分钟"), (5 * 86400, "5天")]
)
def test_how_long_background_work_has_been_silent_is_said_in_chinese_whatever_the_browser(seconds, words):
    from workflows.health import elapsed_words

    assert elapsed_words(seconds) == words
