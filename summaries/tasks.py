from celery import shared_task
from django.conf import settings

from workflows.tasks import RETRY


@shared_task(
    acks_late=True,
    soft_time_limit=settings.REPORT_TIME_LIMIT_SECONDS,
    time_limit=settings.REPORT_TIME_LIMIT_SECONDS + 60,
)
def close_period_task(report_id, token=None):
    """Write the period report.  Not retried automatically: a failure is marked on the report with its
    reason and the chair retries (重试); a worker killed mid-run leaves the message unacknowledged and
    the redelivered task resumes from the last finished stage."""
    from .services import report_run

    report_run(report_id, token=token)
    return report_id


@shared_task(**RETRY)
def requeue_lost_reports():
    """Beat job: a close requested but never started (its message lost) is queued again."""
    from .services import report_requeue_lost

    return report_requeue_lost()
