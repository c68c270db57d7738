"""The chair's pages: close a period (with a progress bar), edit and download the report, and the
live dashboard that shows the same figures before the close."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from workflows import selectors as core_selectors
from workflows.roles import FIGURES_READ
from workflows.views.common import request_id, user_errors

from . import figures, narrative, selectors, services
from .models import Report


def _periods(user):
    return selectors.periods_closable_by(user)


@login_required
def close_list(request):
    if not request.user.has_perm("workflows.manage_period"):
        raise Http404
    periods = list(_periods(request.user))
    reports = {(r.period_id): r for r in Report.objects.filter(period__in=periods)}
    today = timezone.localdate()
    rows = [
        {"period": p, "report": reports.get(p.pk), "state": selectors.close_state(p, reports.get(p.pk), today=today)}
        for p in periods
    ]
    return render(request, "summaries/close_list.html", {"rows": rows})


@login_required
def close_preview(request, period_pk):
    """What is still open in the period (it rolls over and counts as carried over), then confirm."""
    period = get_object_or_404(_periods(request.user), pk=period_pk)
    from aid.models import AidApplication
    from cases.models import GrievanceCase
    from proposals.models import Proposal

    in_period = {"org_unit__path__startswith": period.org_unit.path, "filed_on__lte": period.ends_on}
    open_items = {
        "cases": GrievanceCase.objects.filter(**in_period, status__in=["registered", "mediating"]).select_related(
            "employer_unit"
        )[:50],
        "aid": AidApplication.objects.filter(
            **in_period, status__in=["approved", "approving", "upper_approving"]
        ).select_related("member__user")[:50],
        "proposals": Proposal.objects.filter(**in_period, status="handling")[:50],
    }
    if request.method == "POST":
        with user_errors(request):
            report = services.report_request(period=period, actor=request.user, request_id=request_id(request))
            return redirect("summaries:report", pk=report.pk)
    return render(request, "summaries/close_preview.html", {"period": period, "open": open_items})


def _report_for(request, pk):
    report = get_object_or_404(Report.objects.select_related("period", "org_unit"), pk=pk)
    if not request.user.has_perm("workflows.manage_period", report.period):
        raise Http404
    return report


class EditForm(forms.Form):
    problems = forms.CharField(label=_("存在的不足"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    plans = forms.CharField(label=_("下一步工作打算"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    extra_title = forms.CharField(label=_("补充章节标题（如 组织建设、文体活动）"), required=False, max_length=40)
    extra_body = forms.CharField(label=_("补充章节内容"), widget=forms.Textarea(attrs={"rows": 5}), required=False)


@login_required
def report_page(request, pk):
    report = _report_for(request, pk)
    first_extra = (report.extra_sections or [{}])[0]
    form = EditForm(
        request.POST or None,
        initial={
            "problems": report.problems,
            "plans": report.plans,
            "extra_title": first_extra.get("title", ""),
            "extra_body": first_extra.get("body", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra = [{"title": data["extra_title"], "body": data["extra_body"]}] if data["extra_title"].strip() else []
        with user_errors(request):
            services.report_edit(
                report=report, actor=request.user, problems=data["problems"], plans=data["plans"], extra_sections=extra
            )
            services.report_regenerate(report=report, actor=request.user)
            messages.success(request, _("已保存，正在重新生成文档。"))
            return redirect("summaries:report", pk=report.pk)
    changed = []
    if report.status == Report.Status.DONE and report.snapshot:
        changed = figures.differences(report.snapshot, figures.collect(report.org_unit, report.period))
    return render(
        request,
        "summaries/report.html",
        {
            "report": report,
            "form": form,
            "changed": changed,
            "queue": _queue_state(report),
            "state": selectors.close_state(report.period, report, today=timezone.localdate()),
        },
    )


RECORDS_PER_PAGE = 50


@login_required
def figure_records(request, pk, section, figure):
    """A figure of the report → the records it counts, selected again in SQL from the snapshot's
    selection (the records of figures of people are the people: member ids)."""
    report = _report_for(request, pk)
    if not report.snapshot or section not in report.snapshot.get("sections", {}):
        raise Http404
    try:
        fig = figures.find_figure(report.snapshot, section, figure)
        selection = figures.records(report.snapshot, section, figure, org_unit=report.org_unit)
    except KeyError as exc:
        raise Http404 from exc
    if selection.field == "pk":
        rows = selection.queryset().order_by("pk")
    else:
        rows = selection.queryset().order_by(selection.field).values_list(selection.field, flat=True).distinct()
    page = Paginator(rows, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "report": report,
        "section": report.snapshot["sections"][section],
        "figure": fig,
        "model": selection.model._meta.verbose_name,
        "by_field": selection.field != "pk",
        "page": page,
    }
    return render(request, "summaries/figure_records.html", context)


def _queue_state(report):
    """排队中 and whether the wait has outlasted REPORT_QUEUE_PATIENCE_SECONDS or the worker is gone."""
    from workflows.health import background_status

    if not report.queued:
        return {"queued": False, "stalled": False}
    worker_down = not background_status().running
    return {
        "queued": True,
        "queued_at": timezone.localtime(report.queued_at).strftime("%H:%M:%S") if report.queued_at else "",
        "stalled": worker_down or report.waiting_too_long(),
    }


@login_required
def report_progress(request, pk):
    report = _report_for(request, pk)
    return JsonResponse(
        {
            "status": report.status,
            "status_label": str(report.get_status_display()),
            "stage": report.stage,
            "stage_label": str(report.get_stage_display()),
            "progress": report.progress,
            "error": report.error,
            **_queue_state(report),
        }
    )


@login_required
@require_POST
def report_retry(request, pk):
    report = _report_for(request, pk)
    with user_errors(request):
        services.report_retry(report=report, actor=request.user)
        messages.success(request, _("已重新提交生成，请稍候。"))
    return redirect("summaries:report", pk=report.pk)


@login_required
def report_file(request, pk, kind):
    report = _report_for(request, pk)
    field = {"docx": report.document, "xlsx": report.workbook, "pdf": report.pdf}.get(kind)
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True, filename=f"{report.title}.{kind}")


@login_required
@require_POST
def report_reopen(request, pk):
    report = _report_for(request, pk)
    with user_errors(request):
        services.report_reopen(
            report=report, actor=request.user, reason=request.POST.get("reason", ""), request_id=request_id(request)
        )
        messages.success(request, _("期间已重新开放（已记入审计记录）。更正后请再次结账生成。"))
    return redirect("summaries:close")


@login_required
def dashboard(request):
    """Live figures for the current period, computed by the same code as the report."""
    units = core_selectors.org_units_in_scope(request.user, perm=FIGURES_READ).order_by("path")
    unit = units.filter(pk=request.GET.get("unit")).first() if request.GET.get("unit") else units.first()
    if unit is None:
        raise Http404
    today = timezone.localdate()
    starts = datetime.date(today.year, 1 if today.month <= 6 else 7, 1)
    live = figures.compute(unit, starts, today)
    last_year = figures.compute(unit, figures.shift_year(starts, -1), figures.shift_year(today, -1))
    # 去年同期 only where the system holds records of last year: "0件" would say there were none
    last_has = {key: narrative.has_records({"sections": last_year}, key) for key in last_year}
    overdue = (
        core_selectors.tasks_overseen(request.user).filter(deadline__due_at__lt=timezone.now()).count()
        if request.user.has_perm("workflows.reassign_task")
        else None
    )
    from aid.selectors import fund_balances
    from aid.summary import fund_table_reconciliation

    # the unit's own funds (and those below it), as its 发放帮扶资金 counts its own members' aid
    budgets = list(
        fund_balances(request.user)
        .filter(period__starts_on__lte=today, period__ends_on__gte=today, fund__org_unit__path__startswith=unit.path)
        .select_related("fund__org_unit")
        .order_by("fund__org_unit__path", "fund__name")
    )
    reconciliation = fund_table_reconciliation(unit, starts, today, budgets) if budgets else None
    return render(
        request,
        "summaries/dashboard.html",
        {
            "unit": unit,
            "units": units,
            "starts": starts,
            "today": today,
            "live": live,
            "last_year": last_year,
            "last_has": last_has,
            "overdue": overdue,
            "budgets": budgets,
            "funds": reconciliation,
        },
    )
