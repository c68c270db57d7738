"""Celery tasks of the engine: the timer sweep, reminders (催办) and escalations (督办), email.

Every task is idempotent (safe to run twice or concurrently) and retried on failure.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from viewflow.workflow.timers import fire_due_timers

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_kwargs": {"max_retries": 5}, "acks_late": True}


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
    from .engine import task_url
    from .models import TaskDeadline
    from .notifications import notify
    from .roles import Role
    from .selectors import OPEN_STATUSES, users_who_may, users_with_role

    now = timezone.now()
    remind_from = now + settings.UNIONFLOW["REMIND_BEFORE"]
    sent = 0
    due_soon = TaskDeadline.objects.filter(
        task__status__in=OPEN_STATUSES, reminded_at__isnull=True, due_at__lte=remind_from
    ).select_related("task__owner", "task__process__unionprocess__org_unit")
    for deadline in due_soon:
        task = deadline.task
        process = task.process.unionprocess
        with transaction.atomic():
            # The conditional update is the claim: a concurrent sweep updates 0 rows and skips.
            if not TaskDeadline.objects.filter(pk=deadline.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            recipients = (
                [task.owner]
                if task.owner
                else list(users_who_may(task.owner_permission, process.org_unit))
                if task.owner_permission
                else []
            )
            notify(
                recipients,
                title=_("催办：%(task)s将于%(due)s到期")
                % {"task": task.title, "due": formats.date_format(timezone.localtime(deadline.due_at), "Y-m-d H:i")},
                body=str(process.title),
                url=task_url(task),
                kind="reminder",
                dedupe_key=f"remind:{task.pk}",
            )
            sent += 1
    overdue = TaskDeadline.objects.filter(
        task__status__in=OPEN_STATUSES, escalated_at__isnull=True, due_at__lt=now
    ).select_related("task__owner", "task__process__unionprocess__org_unit")
    for deadline in overdue:
        task = deadline.task
        process = task.process.unionprocess
        with transaction.atomic():
            if not TaskDeadline.objects.filter(pk=deadline.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            notify(
                users_with_role(Role.CHAIR, process.org_unit),
                title=_("督办：%(task)s已超期") % {"task": task.title},
                body=_("“%(title)s”的“%(task)s”已超过办理期限（%(due)s），办理人：%(owner)s。")
                % {
                    "title": process.title,
                    "task": task.title,
                    "due": formats.date_format(timezone.localtime(deadline.due_at), "Y-m-d H:i"),
                    "owner": (task.owner.get_full_name() or task.owner.username) if task.owner else _("未认领"),
                },
                url=task_url(task),
                kind="escalation",
                dedupe_key=f"escalate:{task.pk}",
            )
            sent += 1
    return sent


@shared_task(**RETRY)
def send_notification_email(notification_id):
    """Email one notification; marks nothing, so a retry after a failure simply sends again."""
    from .models import Notification

    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if note is None or not note.recipient.email:
        return False
    send_mail(
        subject=note.title, message=f"{note.body}\n\n{note.url}", from_email=None, recipient_list=[note.recipient.email]
    )
    return True
