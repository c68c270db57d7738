"""Notifications: in-app rows, email after commit, idempotent by key."""

import pytest
from django.urls import reverse

from workflows.models import Notification
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
