"""Reads of the period close: the periods a chair closes and their reports, scoped in SQL."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


@dataclass(frozen=True)
class CloseState:
    """What a page says of a period and its 工作总结, read from both at once."""

    label: str  # the period as the chair should understand it
    report: str  # the report's part ("" when there is none)
    action: str  # close | generate | view | running | retry | wait


def close_state(period, report, *, today):
    """The one truth of a period and its report: a closed period without a report says so and
    offers to write it, a reopened one is 待重新结账, never 已结账 beside a 结账 button."""
    P, R = Period.Status, Report.Status
    status = report.status if report else None
    if status == R.RUNNING:
        return CloseState(_("结账中") if period.status != P.CLOSED else _("已结账"), _("生成中"), "running")
    if status == R.FAILED:
        return CloseState(period.get_status_display(), _("生成失败"), "retry")
    if period.status == P.CLOSING:  # a close that never got its run: closing it again starts one
        return CloseState(_("结账中"), _("未生成工作总结"), "close")
    if period.status == P.CLOSED:
        if status == R.DONE:
            return CloseState(_("已结账"), _("已生成"), "view")
        return CloseState(_("已结账"), _("未生成工作总结"), "generate")
    if period.ends_on >= today:
        return CloseState(_("进行中"), "", "wait")
    if report is not None and (report.previous_snapshot or status == R.DONE):
        return CloseState(_("已重新开放，待重新结账"), _("待重新生成"), "close")
    return CloseState(_("待结账"), "", "close")
