"""The chair's pages: close a period (with a progress bar), edit and download the report, and the
live dashboard that shows the same figures before the close."""

import datetime
import difflib

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

from . import chapters as chapters_module
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


class ChapterForm(forms.Form):
    id = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("章节标题"), required=False, max_length=60)
    body = forms.CharField(  # only for a new chapter: its first paragraphs
        label=_("内容（每行一段；{名称} 处填入本章填报的数据）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class BlockForm(forms.Form):
    id = forms.CharField(widget=forms.HiddenInput, required=False)
    subtitle = forms.CharField(label=_("小标题"), required=False, max_length=40)
    text = forms.CharField(label=_("正文（每行一段）"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    use_draft = forms.BooleanField(label=_("使用系统初稿"), required=False)
    confirmed = forms.BooleanField(label=_("已核对新数据"), required=False)


class FigureForm(forms.Form):
    id = forms.CharField(widget=forms.HiddenInput, required=False)
    label = forms.CharField(label=_("名称（如 新建工会）"), max_length=30)
    value = forms.DecimalField(label=_("数值"), min_value=0, max_digits=14, decimal_places=2)
    # a blank first choice: the empty row for a new figure stays unchanged (and is skipped) when the
    # chair only rewrites the text — a browser submits a select's first option otherwise
    measure = forms.ChoiceField(label=_("量词"), choices=[("", "—"), *((m, m) for m in chapters_module.MEASURE_WORDS)])


ChapterFormSet = forms.formset_factory(ChapterForm, extra=1, can_order=True, can_delete=True, max_num=30)
BlockFormSet = forms.formset_factory(BlockForm, extra=1, can_delete=True, max_num=20)
FigureFormSet = forms.formset_factory(FigureForm, extra=1, can_delete=True, max_num=30)


def _draft_lines(block, ctx, period):
    return chapters_module.draft(block["source"], ctx, period) if block.get("source") and ctx is not None else []


def _chapter_forms(report, data=None):
    """The chapter formset, each existing chapter's form carrying its blocks' and figures' formsets
    and, for each generated block, the draft beside it with the figures it is drawn from."""
    chapter_list = report.chapters or chapters_module.default_chapters(report.period)
    ctx = narrative.context(report.snapshot, report.period) if report.snapshot else None
    chapter_set = ChapterFormSet(
        data,
        prefix="ch",
        # numbered in tens, so that a chapter can be moved between two others
        initial=[{"id": c["id"], "title": c["title"], "ORDER": (i + 1) * 10} for i, c in enumerate(chapter_list)],
    )
    by_id = {c["id"]: c for c in chapter_list}
    for form in chapter_set.forms:
        chapter = by_id.get(form.initial.get("id")) if form.initial else None
        form.chapter = chapter
        if chapter is None:
            continue
        blocks = []
        for block in chapter["blocks"]:
            lines = _draft_lines(block, ctx, report.period)
            text = block["text"] if block["text"] is not None else "\n".join(lines)
            blocks.append((block, {"id": block["id"], "subtitle": block["subtitle"], "text": text}, lines))
        form.blocks = BlockFormSet(data, prefix=f"b-{chapter['id']}", initial=[b[1] for b in blocks])
        for block_form, (block, _initial, lines) in zip(form.blocks.forms, blocks, strict=False):
            block_form.block = block
            block_form.draft = lines
            block_form.edited = block["text"] is not None
            block_form.used = chapters_module.figures_used(block["source"], report.snapshot or {})
            block_form.stale = chapters_module.stale_figures(block, report.snapshot)
        form.figures = FigureFormSet(
            data,
            prefix=f"f-{chapter['id']}",
            initial=[{k: f[k] for k in ("id", "label", "value", "measure")} for f in chapter.get("figures", [])],
        )
        entered = {f["id"]: f.get("entered_unit", "") + f["entered_by"] for f in chapter.get("figures", [])}
        for figure_form in form.figures.forms:
            figure_form.entered_by = entered.get((figure_form.initial or {}).get("id"), "")
    return chapter_set


def _submitted_chapters(chapter_set):
    """The chapters as the chair submitted them, in the chair's order, or None when a form is invalid."""
    valid = chapter_set.is_valid()
    for form in chapter_set.forms:
        if getattr(form, "chapter", None) is not None:
            valid = form.blocks.is_valid() & form.figures.is_valid() & valid
    if not valid:
        return None
    out = []
    for form in chapter_set.ordered_forms:
        data, chapter = form.cleaned_data, form.chapter
        if chapter is None:
            if not data.get("title", "").strip() and not data.get("body", "").strip():
                continue  # the empty "new chapter" row
            blocks = [{"subtitle": "", "text": data.get("body", "")}]
            out.append({"title": data.get("title", ""), "blocks": blocks, "figures": []})
            continue
        blocks = []
        for block_form in form.blocks.forms:
            bd = getattr(block_form, "cleaned_data", None) or {}
            if not bd or bd.get("DELETE"):
                continue
            block = getattr(block_form, "block", None)
            text = bd.get("text", "")
            if block is not None and block["source"]:
                draft = "\n".join(block_form.draft)
                if bd.get("use_draft") or chapters_module.lines(text) == chapters_module.lines(draft):
                    text = None
            elif not text.strip():
                continue
            blocks.append(
                {
                    "id": block["id"] if block else "",
                    "subtitle": bd.get("subtitle", ""),
                    "text": text,
                    "confirmed": bd.get("confirmed", False),
                }
            )
        figures = [
            {"id": fd.get("id", ""), "label": fd["label"], "value": str(fd["value"]), "measure": fd["measure"]}
            for fd in (getattr(f, "cleaned_data", None) or {} for f in form.figures.forms)
            if fd and not fd.get("DELETE")
        ]
        out.append({"id": chapter["id"], "title": data.get("title", ""), "blocks": blocks, "figures": figures})
    return out


@login_required
def report_page(request, pk):
    report = _report_for(request, pk)
    chapter_set = _chapter_forms(report, request.POST if request.method == "POST" else None)
    if request.method == "POST" and "adopt" in request.POST:
        member_id, _sep, chapter_id = request.POST["adopt"].partition(":")
        with user_errors(request):
            version = services.report_adopt_chapter(
                report=report,
                actor=request.user,
                member_report_id=int(member_id) if member_id.isdigit() else 0,
                chapter_id=chapter_id,
                request_id=request_id(request),
            )
            _regenerate_after_save(request, report, version)
        return redirect("summaries:report", pk=report.pk)
    if request.method == "POST":
        submitted = _submitted_chapters(chapter_set)
        if submitted is None:
            messages.error(request, _("提交的内容有误，未保存，请按提示修改。"))
        else:
            with user_errors(request):
                version = services.report_save_chapters(
                    report=report, actor=request.user, chapters=submitted, request_id=request_id(request)
                )
                _regenerate_after_save(request, report, version)
                return redirect("summaries:report", pk=report.pk)
    changed = []
    if report.status == Report.Status.DONE and report.snapshot:
        changed = figures.differences(report.snapshot, figures.collect(report.org_unit, report.period))
    return render(
        request,
        "summaries/report.html",
        {
            "report": report,
            "chapter_set": chapter_set,
            "measure_words": chapters_module.MEASURE_WORDS,
            "changed": changed,
            "queue": _queue_state(report),
            "versions": report.versions.select_related("author")[:20],
            "materials": _member_materials(report),
            "state": selectors.close_state(report.period, report, today=timezone.localdate()),
        },
    )


def _regenerate_after_save(request, report, version):
    report.refresh_from_db()
    if report.snapshot and report.status in (Report.Status.DONE, Report.Status.FAILED):
        services.report_regenerate(report=report, actor=request.user)
        messages.success(request, _("已保存为第%(n)s版，正在重新生成文档。") % {"n": version.number})
    else:
        messages.success(request, _("已保存为第%(n)s版，结账时按此生成文档。") % {"n": version.number})


def _member_materials(report):
    """For the upper union's roll-up: the chapters and figures the member unions' chairs wrote
    (not the system's drafts: their figures are already summed in this report's)."""
    out = []
    for member in services.member_reports(report):
        own = [
            c
            for c in chapters_module.render(member.chapters or [], None, member.period)
            if c["chapter"].get("figures") or any(not b["block"].get("source") for b in c["blocks"])
        ]
        if own:
            out.append({"unit": member.org_unit.name, "report": member, "chapters": own})
    return out


@login_required
def report_versions(request, pk):
    """The versions of a report's chapters; two of them compared line by line."""
    report = _report_for(request, pk)
    versions = list(report.versions.select_related("author"))
    by_number = {v.number: v for v in versions}
    diff = None
    try:
        a, b = int(request.GET.get("a", 0)), int(request.GET.get("b", 0))
    except ValueError:
        a = b = 0
    if a in by_number and b in by_number:
        ctx = narrative.context(report.snapshot, report.period) if report.snapshot else None
        old = chapters_module.as_text(by_number[a].chapters, ctx, report.period)
        new = chapters_module.as_text(by_number[b].chapters, ctx, report.period)
        diff = [
            {"kind": {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same"), "text": line}
            for line in difflib.unified_diff(old, new, f"第{a}版", f"第{b}版", lineterm="", n=2)
        ]
    return render(
        request,
        "summaries/report_versions.html",
        {"report": report, "versions": versions, "diff": diff, "a": a, "b": b},
    )


@login_required
@require_POST
def report_restore(request, pk):
    report = _report_for(request, pk)
    try:
        number = int(request.POST.get("number", ""))
    except ValueError:
        messages.error(request, _("请选择要恢复的版本。"))
        return redirect("summaries:versions", pk=report.pk)
    with user_errors(request):
        version = services.report_restore(
            report=report, actor=request.user, number=number, request_id=request_id(request)
        )
        _regenerate_after_save(request, report, version)
        return redirect("summaries:report", pk=report.pk)
    return redirect("summaries:versions", pk=report.pk)


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
    wanted = request.GET.get("unit", "")
    if wanted and not wanted.isdigit():
        raise Http404  # not a unit: the same answer as a unit outside the reader's scope
    unit = units.filter(pk=int(wanted)).first() if wanted else units.first()
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
    from . import glance

    return render(
        request,
        "summaries/dashboard.html",
        {
            "headlines": glance.headlines(live, last_year, last_has, unit, starts, today),
            "trends": glance.trends(unit, today),
            "breakdowns": [
                chart
                for chart in (
                    glance.cases_by_category(live, unit, starts, today),
                    glance.cases_by_unit(unit, starts, today),
                )
                if chart is not None and chart.rows
            ],
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
