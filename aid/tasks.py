"""Celery tasks of 困难职工帮扶: the yearly review of each hardship file (复核提醒) and paying batches
(批量发放), with the sweep that resumes a batch no worker is paying."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from workflows.tasks import RETRY

logger = logging.getLogger(__name__)


@shared_task(**RETRY)
def remind_file_reviews(days_ahead=7):
    """Tell the committee of a file's union that its yearly review is due; once per file and date."""
    from workflows import pii
    from workflows.notifications import notify
    from workflows.roles import Role
    from workflows.selectors import users_with_role

    from .models import HardshipFile

    today = timezone.localdate()
    due = HardshipFile.objects.filter(
        status=HardshipFile.Status.ACTIVE, next_review_on__lte=today + datetime.timedelta(days=days_ahead)
    )
    sent = 0
    for file in due.select_related("member__user", "org_unit"):
        sent += bool(
            notify(
                users_with_role(Role.COMMITTEE, file.org_unit),
                title=lambda user, file=file: (
                    f"困难职工档案复核：{pii.shown(user, file, 'name')}，{file.next_review_on:%Y-%m-%d}到期"
                ),
                body="请入户复核家庭情况，确认继续在档或办理脱困。",
                url=file.get_absolute_url(),
                kind="reminder",
                dedupe_key=f"file-review:{file.pk}:{file.next_review_on}",
            )
        )
    return sent


@shared_task(**RETRY)
def pay_batch(batch_id):
    """批量发放: pay each household of a 发放中 batch once, as the instruction stored on the batch says.

    Acks late: a worker killed mid-batch leaves the message to be redelivered, and the rerun pays
    only the households still unpaid; a message that never reached a worker is sent again by
    :func:`resume_paying_batches`.
    """
    from .models import AidBatch
    from .services import batch_pay_households

    batch = AidBatch.objects.select_related("fund", "period", "payment_ordered_by").filter(pk=batch_id).first()
    if batch is None or batch.status != AidBatch.Status.PAYING:
        return 0
    return batch_pay_households(batch=batch)


@shared_task(**RETRY)
def resume_paying_batches():
    """Beat job: send again every 发放中 batch that no worker has moved for
    AID_BATCH_RESUME_AFTER_SECONDS — its message was lost (web process died after the commit, broker
    refused the send) or its worker died.  Paying is idempotent, so a batch sent while a slow worker
    still holds it costs a no-op run; the stamp sends each stalled batch at most once per threshold,
    also when two sweeps run at once."""
    from django.db.models import Q

    from .selectors import stalled_paying_batches

    now = timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.AID_BATCH_RESUME_AFTER_SECONDS)
    due = stalled_paying_batches(now=now).filter(
        Q(payment_resubmitted_at__isnull=True) | Q(payment_resubmitted_at__lt=cutoff)
    )
    resumed = 0
    for pk in list(due.values_list("pk", flat=True)):
        # The conditional update is the claim: of two sweeps at once, one sees it still due.
        if due.filter(pk=pk).update(payment_resubmitted_at=now):
            logger.warning(
                "batch %s: nothing paid for %ss; sending it to a worker again",
                pk,
                settings.AID_BATCH_RESUME_AFTER_SECONDS,
            )
            pay_batch.delay(pk)
            resumed += 1
    return resumed
