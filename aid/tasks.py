"""Celery tasks of 困难职工帮扶: the yearly review of each hardship file (复核提醒)."""

import datetime

from celery import shared_task
from django.utils import timezone

from workflows.tasks import RETRY


@shared_task(**RETRY)
def remind_file_reviews(days_ahead=7):
    """Tell the committee of a file's union that its yearly review is due; once per file and date."""
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
                title=f"困难职工档案复核：{file.member.display_name}，{file.next_review_on:%Y-%m-%d}到期",
                body="请入户复核家庭情况，确认继续在档或办理脱困。",
                url=file.get_absolute_url(),
                kind="reminder",
                dedupe_key=f"file-review:{file.pk}:{file.next_review_on}",
            )
        )
    return sent


@shared_task(**RETRY)
def pay_batch(batch_id, actor_id, method, reference, paid_on, key):
    """批量发放: pay each household of a 发放中 batch once.  Acks late: a worker killed mid-batch
    leaves the message to be redelivered, and the rerun pays only the households still unpaid."""
    from django.contrib.auth import get_user_model

    from .models import AidBatch
    from .services import batch_pay_households

    batch = AidBatch.objects.select_related("fund", "period").filter(pk=batch_id).first()
    if batch is None or batch.status != AidBatch.Status.PAYING:
        return 0
    return batch_pay_households(
        batch=batch,
        actor=get_user_model().objects.get(pk=actor_id),
        method=method,
        reference=reference,
        paid_on=datetime.date.fromisoformat(paid_on),
        key=key,
    )
