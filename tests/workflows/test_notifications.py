"""Notifications: in-app rows, email after commit, idempotent by key."""

import pytest
from django.urls import reverse
from django.utils import timezone

from workflows.models import Notification, NotificationSetting
from workflows.notifications import notify

pytestmark = pytest.mark.django_db


def test_email_goes_out_only_after_commit(tree, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([tree.committee_a], title="新待办：审核入会申请", body="张三的入会申请", url="/tasks/1/")
        assert mailoutbox == []  # nothing is sent while the transaction may still roll back
    for callback in callbacks:
        callback()
    assert [m.subject for m in mailoutbox] == ["新待办：审核入会申请"]
    assert mailoutbox[0].to == ["committee_a@example.org"]


def test_the_same_key_notifies_once(tree):
    for _ in range(3):
        notify([tree.chair], title="督办", dedupe_key="escalate:42", email=False)
    assert Notification.objects.filter(recipient=tree.chair).count() == 1


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, tree):
    (note,) = notify([tree.chair], title="督办", url="/tasks/box/overseen/", email=False)
    client.force_login(tree.chair)
    response = client.post(reverse("notification_read", args=[note.pk]))
    assert response.status_code == 302 and response.url == "/tasks/box/overseen/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_reads_someone_elses_notification(client, tree):
    (note,) = notify([tree.chair], title="督办", email=False)
    client.force_login(tree.committee_a)
    assert client.post(reverse("notification_read", args=[note.pk])).status_code == 404


def test_an_email_is_sent_once_however_often_its_message_arrives(tree, mailoutbox, django_capture_on_commit_callbacks):
    from workflows.tasks import send_notification_email

    with django_capture_on_commit_callbacks(execute=True):
        (note,) = notify([tree.committee_a], title="催办：审核入会申请")
    assert send_notification_email(note.pk) is False  # a redelivered message: already emailed
    note.refresh_from_db()
    assert len(mailoutbox) == 1 and not note.email_pending and note.emailed_at is not None


def test_the_outbox_sends_an_email_whose_message_was_never_queued(tree, mailoutbox, settings):
    """A worker killed between a notification's commit and queueing its email: the sweep sends it."""
    import datetime

    from django.utils import timezone

    from workflows.tasks import send_pending_emails

    settings.UNIONFLOW = {**settings.UNIONFLOW, "EMAIL_OUTBOX_GRACE": datetime.timedelta(minutes=10)}
    (note,) = notify([tree.committee_a], title="催办：审核入会申请")  # on_commit never runs here
    assert send_pending_emails() == 0  # within the grace period: maybe just waiting in the queue
    Notification.objects.filter(pk=note.pk).update(created=timezone.now() - datetime.timedelta(minutes=11))
    assert send_pending_emails() == 1 and len(mailoutbox) == 1
    assert send_pending_emails() == 0 and len(mailoutbox) == 1


def test_the_email_carries_an_absolute_link(tree, mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://gh.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        notify([tree.committee_a], title="新待办：审核入会申请", body="张三的入会申请", url="/tasks/1/")
    assert mailoutbox[0].body == "张三的入会申请\n\nhttps://gh.example.org/tasks/1/"


def test_each_person_chooses_which_notifications_come_by_email(
    client, tree, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("notification_settings")
    client.force_login(tree.committee_a)
    page = client.get(url).content.decode()
    assert page.count('type="checkbox"') == len(Notification.Kind.values) and page.count("checked") == len(
        Notification.Kind.values
    )
    assert client.post(url, {"email_kinds": ["nope"]}).status_code == 200  # refused, nothing saved
    assert not NotificationSetting.objects.exists()
    response = client.post(url, {"email_kinds": ["task", "escalation"]}, follow=True)
    assert "通知设置已保存" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        notify([tree.committee_a], title="新待办：审核入会申请", kind="task")
        (reminder,) = notify([tree.committee_a], title="催办：审核入会申请", kind="reminder")
    assert [m.subject for m in mailoutbox] == ["新待办：审核入会申请"]  # the reminder stays in the app
    reminder.refresh_from_db()
    assert not reminder.email_pending and reminder.emailed_at is None
    client.force_login(tree.applicant_a)
    assert "通知设置已保存" not in client.get(url).content.decode()


def test_the_unread_tab_lists_only_unread_notifications(client, tree):
    (read,) = notify([tree.chair], title="已读的通知", email=False)
    notify([tree.chair], title="未读的通知", email=False)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    client.force_login(tree.chair)
    page = client.get(reverse("notification_list") + "?show=unread").content.decode()
    assert "未读的通知" in page and "已读的通知" not in page
    page = client.get(reverse("notification_list")).content.decode()
    assert "未读的通知" in page and "已读的通知" in page
    Notification.objects.update(read_at=timezone.now())
    assert "没有未读通知" in client.get(reverse("notification_list") + "?show=unread").content.decode()
