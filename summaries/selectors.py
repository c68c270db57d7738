"""Reads of the period close: the periods a chair closes and their reports, scoped in SQL."""

from django.utils import timezone

from workflows.models import AuditEvent, Period
from workflows.selectors import in_scope_q

from .models import Report

CLOSE_PERM = "workflows.manage_period"


def periods_closable_by(user):
    """Periods of the units where ``user`` closes periods (the chair, an administrator)."""
    return (
        Period.objects.filter(in_scope_q(user, perm=CLOSE_PERM))
        .select_related("org_unit")
        .order_by("-year", "ends_on", "-starts_on", "org_unit__path")
    )


def reports_visible_to(user):
    return (
        Report.objects.filter(in_scope_q(user, perm=CLOSE_PERM))
        .select_related("period", "org_unit")
        .order_by("-period__ends_on", "org_unit__path", "pk")
    )


def period_closed_on(period):
    """The day the chair last closed ``period`` (its last 开始结账 in the audit trail), or None."""
    at = (
        AuditEvent.objects.for_record(period)
        .filter(action="start_closing")
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localdate(at) if at else None
