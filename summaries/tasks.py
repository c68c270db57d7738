from celery import shared_task

from workflows.tasks import RETRY


@shared_task(**{**RETRY, "max_retries": 3})
def close_period_task(report_id):
    """Write the period report; idempotent and resumable (acks_late: a dead worker's run is redone)."""
    from .services import report_run

    report_run(report_id)
    return report_id
