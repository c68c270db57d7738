"""Celery tasks of the engine: the timer sweep, reminders (催办) and escalations (督办), email.

Every task is idempotent (safe to run twice or concurrently) and retried on failure.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_kwargs": {"max_retries": 5}, "acks_late": True}


@shared_task(ignore_result=True)
def heartbeat():
    """Beat job: stamps the time, so the pages know beat, the broker and a worker all run."""
    from .health import heartbeat as stamp
    from .models import Heartbeat

    stamp(Heartbeat.Source.BEAT)


@shared_task(**RETRY)
def fire_workflow_timers():
    """Beat job: fire every due viewflow timer (deadlines, publicity periods, escalations)."""
    fired = fire_due_timers()
    if fired:
        logger.info("fired %s workflow timers", fired)
    return fired


@shared_task(**RETRY)
def send_deadline_reminders():
    """Beat job: remind assignees before a due date (催办) and tell the chair after it (督办)."""
    from .engine import task_escalate, task_remind
    from .models import TaskDeadline
    from .selectors import OPEN_STATUSES

    now = timezone.now()
    related = ("task__owner", "task__process__unionprocess__org_unit")
    open_deadlines = TaskDeadline.objects.filter(task__status__in=OPEN_STATUSES).select_related(*related)
    sent = 0
    for deadline in open_deadlines.filter(reminded_at__isnull=True, remind_at__lte=now):
        sent += bool(task_remind(deadline.task, now=now))
    for deadline in open_deadlines.filter(escalated_at__isnull=True, due_at__lt=now):
        sent += bool(task_escalate(deadline.task, now=now))
    return sent


@shared_task(**RETRY)
def apply_delegations():
    """Beat job: on a delegation's first day, move the member's tasks to the deputy (代理)."""
    from .delegations import apply_due_delegations

    return apply_due_delegations()


@shared_task(**RETRY)
def notify_pool(task_id):
    """可认领: ping those who may claim a task that landed in the pool (idempotent: once per task)."""
    from viewflow.workflow.models import Task

    from .engine import notify_pool as notify

    task = Task.objects.select_related("process").filter(pk=task_id).first()
    return len(notify(task)) if task is not None else 0


@shared_task(**RETRY)
def tell_applicant(model_label, pk, transition, event_id):
    """Tell the applicant of ``transition`` on the record, once per ``event_id`` (the audit event's
    id, or a key made for the call when the event had none yet): idempotent, as the outbox needs."""
    from django.apps import apps

    from .notifications import tell_applicant as tell

    record = apps.get_model(model_label)._default_manager.filter(pk=pk).first()
    return len(tell(record, transition, key=f"notice:{event_id}" if event_id else None)) if record else 0


@shared_task(**RETRY)
def send_notification_email(notification_id):
    """Email one notification, unless it was emailed already (a redelivered or re-queued message).

    Email is at least once: a worker killed after the mail server took the email and before the
    stamp below commits sends it again on redelivery.  Checking the stamp first narrows that to
    the moment between the two.
    """
    from .models import Notification, NotificationSetting

    note = Notification.objects.select_related("recipient").filter(pk=notification_id, email_pending=True).first()
    if note is None or not note.recipient.email:
        return False
    setting = NotificationSetting.objects.filter(user_id=note.recipient_id).first()
    if setting is not None and not setting.emails(note.kind):
        Notification.objects.filter(pk=note.pk).update(email_pending=False)  # in the app only, as they chose
        return False
    link = f"{settings.SITE_URL}{note.url}" if note.url.startswith("/") else note.url
    message = "\n\n".join(part for part in (note.body, link) if part)
    send_mail(subject=note.title, message=message, from_email=None, recipient_list=[note.recipient.email])
    Notification.objects.filter(pk=note.pk).update(email_pending=False, emailed_at=timezone.now())
    return True


@shared_task(**RETRY)
def resend_outbox():
    """Beat job: publish again the background calls the broker never took (``workflows.outbox``)."""
    from .outbox import resend

    return resend()


@shared_task(**RETRY)
def send_pending_emails():
    """Beat job: queue again the email of a notification committed but never emailed (its worker
    died between the commit and queueing the email).  The grace period leaves a normal backlog alone."""
    from .models import Notification

    grace = settings.UNIONFLOW["EMAIL_OUTBOX_GRACE"]
    pending = Notification.objects.filter(email_pending=True, created__lt=timezone.now() - grace)
    ids = list(pending.values_list("pk", flat=True)[:500])
    for pk in ids:
        send_notification_email.delay(pk)
    return len(ids)
