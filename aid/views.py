"""Pages of 困难职工帮扶: apply, the committee's files, the publicity board, fund balances, batches."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from workflows import pii
from workflows import services as core_services
from workflows.engine import open_tasks_for
from workflows.exports import xlsx_response
from workflows.forms import AttachmentForm
from workflows.health import background_status
from workflows.models import Attachment, Member
from workflows.views.common import request_id, user_errors

from . import selectors, services
from .forms import (
    ApplicationFilterForm,
    ApplyForm,
    BatchForm,
    FileFilterForm,
    HardshipFileForm,
    LiftForm,
    ObjectionForm,
)
from .models import Fund, HardshipFile


@login_required
def application_list(request):
    form = ApplicationFilterForm(request.GET or None, user=request.user)
    applications = selectors.applications_visible_to(request.user).order_by("-pk")
    if form.is_valid():
        applications = selectors.filter_applications(applications, request.user, **form.cleaned_data)
    if request.GET.get("export") == "xlsx":
        return _export(request, applications, form)
    page = Paginator(applications, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "aid/application_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "can_manage": request.user.has_perm("aid.manage_hardshipfile"),
            "can_batch": request.user.has_perm("aid.approve_aidapplication"),
        },
    )


EXPORT_HEADERS = [
    _("编号"),
    _("申请人"),
    _("单位"),
    _("类型"),
    _("申请金额（元）"),
    _("批准金额（元）"),
    _("申请日期"),
    _("状态"),
]


def _export(request, applications, form):
    """导出 Excel: the filtered applications, the list's columns, names as the viewer may see them."""
    rows = (
        [
            a.pk,
            pii.shown(request.user, a, "name"),
            a.member.employer_unit.name,
            str(a.get_aid_type_display()),
            a.amount_requested,
            a.amount_approved,
            a.filed_on,
            str(a.get_status_display()),
        ]
        for a in applications.iterator(chunk_size=2000)
    )
    return xlsx_response(
        request=request, title=_("困难帮扶申请"), headers=EXPORT_HEADERS, rows=rows, filters=form.describe()
    )


class OnBehalfForm(ApplyForm):
    member = forms.ModelChoiceField(label=_("申请人（代为申请）"), queryset=Member.objects.none(), required=False)


@login_required
def application_new(request):
    user = request.user
    own = Member.objects.filter(user=user).first()
    form = OnBehalfForm(request.POST or None)
    on_behalf = user.has_perm("aid.manage_hardshipfile")
    if on_behalf:
        from workflows.selectors import in_scope_q

        form.fields["member"].queryset = Member.objects.filter(
            in_scope_q(user, perm="aid.manage_hardshipfile")
        ).select_related("user")
        form.fields["member"].label_from_instance = lambda m: f"{m.display_name}（{m.employee_no}）"
    else:
        del form.fields["member"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = data.pop("member", None) or own
        with user_errors(request):
            application = services.application_submit(actor=user, member=member, request_id=request_id(request), **data)
            messages.success(request, _("申请已提交，工会委员将入户核实。"))
            return redirect(application)
    return render(request, "aid/form.html", {"form": form, "title": _("申请困难帮扶")})


def _application_or_404(request, pk):
    application = selectors.applications_visible_to(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


@login_required
def application_detail(request, pk):
    application = _application_or_404(request, pk)
    is_applicant = pii.is_subject(request.user, application)
    return render(
        request,
        "aid/application_detail.html",
        {
            "a": application,
            "events": pii.timeline(request.user, application),
            "open_tasks": open_tasks_for(application).select_related("owner"),
            "attachments": Attachment.objects.for_record(application).select_related("uploaded_by")
            if application.may_open_attachments(request.user)
            else None,
            "attachment_form": AttachmentForm(),
            "verifications": application.verifications.select_related("verifier"),
            # The applicant learns each round's outcome and how many objected, never who voted
            # how or who objected (those stay with the committee).
            "is_applicant": is_applicant,
            "votes": [] if is_applicant else application.votes.select_related("voter").order_by("round", "pk"),
            "objections": [] if is_applicant else application.objections.select_related("raised_by"),
            "tallies": selectors.vote_tallies(application) if is_applicant else [],
            "objection_count": application.objections.count() if is_applicant else 0,
            "can_withdraw": application.member.user_id == request.user.pk
            and application.status in ("verifying", "returned", "reviewing", "publicizing"),
        },
    )


@login_required
@require_POST
def application_action(request, pk, action):
    application = _application_or_404(request, pk)
    if action == "attach":
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return redirect(application)
        with user_errors(request):
            core_services.attachment_add(
                record=application, actor=request.user, upload=form.cleaned_data["file"], request_id=request_id(request)
            )
            messages.success(request, _("证明材料已上传。"))
        return redirect(application)
    if action != "withdraw":
        raise Http404
    with user_errors(request):
        services.application_withdraw(
            application=application, actor=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("申请已撤回。"))
    return redirect(application)


@login_required
def publicity(request):
    applications, batches = selectors.publicity_board(request.user)
    return render(
        request,
        "aid/publicity.html",
        {"applications": applications, "batches": batches, "form": ObjectionForm()},
    )


@login_required
@require_POST
def objection(request, kind, pk):
    applications, batches = selectors.publicity_board(request.user)
    boards = {"application": applications, "batch": batches}
    if kind not in boards:
        raise Http404
    record = boards[kind].filter(pk=pk).first()
    if record is None:
        raise Http404
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写异议内容。"))
        return redirect("aid:publicity")
    with user_errors(request):
        services.objection_raise(
            record=record, actor=request.user, text=form.cleaned_data["text"], request_id=request_id(request)
        )
        messages.success(request, _("异议已提交，该事项退回民主评议。"))
    return redirect("aid:publicity")


@login_required
def funds(request):
    return render(
        request,
        "aid/funds.html",
        {"budgets": selectors.fund_balances(request.user).order_by("-period__year", "fund__name")},
    )


@login_required
def file_list(request):
    if not request.user.has_perm("aid.manage_hardshipfile"):
        raise Http404
    form = FileFilterForm(request.GET or None, user=request.user)
    files = selectors.files_visible_to(request.user).order_by("-filed_on", "-pk")
    if form.is_valid():
        files = selectors.filter_files(files, request.user, **form.cleaned_data)
    if request.GET.get("export") == "xlsx":
        return _export_files(request, files, form)
    page = Paginator(files, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "aid/file_list.html", {"page": page, "form": form, "query": query.urlencode()})


FILE_HEADERS = [
    _("编号"),
    _("职工"),
    _("单位"),
    _("类别"),
    _("家庭人口"),
    _("建档日期"),
    _("复核日期"),
    _("状态"),
]


def _export_files(request, files, form):
    """导出 Excel: the filtered register, the columns the list shows, names as the viewer may see them."""
    rows = (
        [
            f.pk,
            pii.shown(request.user, f, "name"),
            f.member.employer_unit.name,
            str(f.get_category_display()),
            f.household_size,
            f.filed_on,
            f.next_review_on,
            str(f.get_status_display()),
        ]
        for f in files.iterator(chunk_size=2000)
    )
    return xlsx_response(
        request=request, title=_("困难职工档案"), headers=FILE_HEADERS, rows=rows, filters=form.describe()
    )


class FileNewForm(HardshipFileForm):
    member = forms.ModelChoiceField(label=_("职工"), queryset=Member.objects.none())

    class Meta(HardshipFileForm.Meta):
        fields = ["member", *HardshipFileForm.Meta.fields]


@login_required
def file_new(request):
    from workflows.selectors import in_scope_q

    if not request.user.has_perm("aid.manage_hardshipfile"):
        raise Http404
    form = FileNewForm(request.POST or None)
    form.fields["member"].queryset = Member.objects.filter(
        in_scope_q(request.user, perm="aid.manage_hardshipfile")
    ).select_related("user")
    form.fields["member"].label_from_instance = lambda m: f"{m.display_name}（{m.employee_no}）"
    suggestion = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "member"}
        with user_errors(request):
            file = services.file_open(
                actor=request.user, member=form.cleaned_data["member"], request_id=request_id(request), **data
            )
            messages.success(request, _("已建档。"))
            return redirect(file)
    if form.is_bound:
        try:
            from decimal import Decimal

            suggestion = services.suggest_category(
                income_per_head=Decimal(form.data.get("income_per_head") or 0),
                household_size=int(form.data.get("household_size") or 1),
                sudden_loss=Decimal(form.data.get("sudden_loss") or 0),
            )
        except (ValueError, ArithmeticError):
            suggestion = None
    return render(request, "aid/form.html", {"form": form, "title": _("建立困难职工档案"), "suggestion": suggestion})


@login_required
def file_detail(request, pk):
    file = selectors.files_visible_to(request.user).filter(pk=pk).first()
    if file is None:
        raise Http404
    return render(
        request,
        "aid/file_detail.html",
        {
            "file": file,
            "applications": file.applications.select_related("disbursement").order_by("-pk"),
            "events": pii.timeline(request.user, file),
            "lift_form": LiftForm(),
            "can_lift": file.status == "active" and request.user.has_perm("aid.manage_hardshipfile", file),
        },
    )


@login_required
@require_POST
def file_lift(request, pk):
    file = selectors.files_visible_to(request.user).filter(pk=pk).first()
    if file is None:
        raise Http404
    form = LiftForm(request.POST)
    with user_errors(request):
        if form.is_valid():
            services.file_lift(
                file=file, actor=request.user, reason=form.cleaned_data["lifted_reason"], request_id=request_id(request)
            )
            messages.success(request, _("已办理脱困。"))
    return redirect(file)


@login_required
@require_POST
def file_review(request, pk):
    file = selectors.files_visible_to(request.user).filter(pk=pk).first()
    if file is None:
        raise Http404
    with user_errors(request):
        services.file_review(
            file=file, actor=request.user, note=request.POST.get("note", ""), request_id=request_id(request)
        )
        messages.success(request, _("已完成年度复核，下次复核日期%(day)s。") % {"day": file.next_review_on})
    return redirect(file)


@login_required
def batch_new(request):
    from workflows.selectors import in_scope_q

    user = request.user
    if not user.has_perm("aid.approve_aidapplication"):
        raise Http404
    files = selectors.files_visible_to(user).filter(status="active")
    category = request.GET.get("category")
    if category in HardshipFile.Category.values:
        files = files.filter(category=category)
    funds = Fund.objects.filter(in_scope_q(user, perm="aid.approve_aidapplication"))
    form = BatchForm(request.POST or None, funds=funds, files=files)
    if request.method == "POST" and form.is_valid():
        with user_errors(request):
            batch, skipped = services.batch_create(actor=user, request_id=request_id(request), **form.cleaned_data)
            messages.success(request, _("已发起批量慰问，共%(n)s户。") % {"n": batch.applications.count()})
            if skipped:
                messages.warning(
                    request, _("以下职工本期已获得同类帮扶，未列入：%(names)s") % {"names": "、".join(skipped)}
                )
            return redirect(batch)
    return render(
        request,
        "aid/form.html",
        {"form": form, "title": _("发起批量慰问"), "categories": HardshipFile.Category.choices, "category": category},
    )


@login_required
def batch_detail(request, pk):
    batch = selectors.batches_visible_to(request.user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    progress = selectors.batch_paying_progress(batch)
    return render(
        request,
        "aid/batch_detail.html",
        {
            "batch": batch,
            "progress": progress,
            # a stalled batch is resent by beat's sweep only while background work runs
            "background_running": background_status().running if progress and progress.stalled else True,
            "applications": batch.applications.select_related("member__user", "member__employer_unit", "disbursement"),
            "events": pii.timeline(request.user, batch),
            "open_tasks": open_tasks_for(batch).select_related("owner"),
            "votes": batch.votes.select_related("voter").order_by("round", "pk"),
        },
    )
