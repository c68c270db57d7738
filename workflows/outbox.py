"""Background calls a broker outage cannot lose (the transactional outbox).

``transaction.on_commit(lambda: task.delay(...))`` loses the call when the broker is down at that
moment, or the process dies between the commit and the publish: the change is saved, its consequence
(the applicant's notice, the 可认领 ping) never happens.  :func:`send_after_commit` writes the call in
the caller's transaction, publishes it after the commit and strikes it off once the broker took it;
:func:`resend` (the beat job ``workflows.tasks.resend_outbox``) publishes again what is still there
after ``UNIONFLOW["OUTBOX_GRACE"]``.  A call may therefore run twice: the task must be idempotent
(both callers' tasks dedupe by a key).
"""

import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

log = logging.getLogger(__name__)


def send_after_commit(task, *args):
    """Queue ``task(*args)`` once the current transaction commits, kept until the broker has it."""
    message = OutboxMessage.objects.create(task=task.name, args=list(args))
    transaction.on_commit(lambda: _publish(message.pk, task, args), robust=True)
    return message


def _publish(pk, task, args):
    task.delay(*args)  # a broker that is down raises here: the row stays for the sweep
    OutboxMessage.objects.filter(pk=pk).delete()


def resend(*, now=None, limit=500):
    """Publish again the calls left in the outbox past the grace period, oldest first; stop at the
    first the broker refuses (it is still down: the next sweep tries again).  Returns how many went."""
    cutoff = (now or timezone.now()) - settings.UNIONFLOW["OUTBOX_GRACE"]
    sent = 0
    for message in OutboxMessage.objects.filter(created__lt=cutoff).order_by("pk")[:limit]:
        task = current_app.tasks.get(message.task)
        if task is None:  # a task renamed or removed since: nothing can run it
            log.error("outbox: no task %s, dropping %s", message.task, message)
            OutboxMessage.objects.filter(pk=message.pk).delete()
            continue
        try:
            task.delay(*message.args)
        except Exception:
            log.warning("outbox: the broker refused %s; %s left for the next sweep", message, "the rest")
            break
        OutboxMessage.objects.filter(pk=message.pk).delete()
        sent += 1
    return sent
