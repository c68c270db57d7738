"""Pages of 劳动争议调解: thin over services and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from workflows import pii
from workflows import services as core_services
from workflows.engine import open_tasks_for
from workflows.exports import xlsx_response
from workflows.forms import AttachmentForm, CommentForm
from workflows.models import Attachment, Comment
from workflows.views.common import request_id, user_errors

from . import documents, selectors, services
from .forms import (
    CaseFileForm,
    CaseFilterForm,
    CaseRegisterForm,
    ExtendForm,
    PetitionExtendForm,
    SessionForm,
    SignForm,
    WithdrawForm,
)
from .models import GrievanceCase

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def case_list(request):
    form = CaseFilterForm(request.GET or None, user=request.user)
    cases = selectors.cases_visible_to(request.user)
    if form.is_valid():
        cases = selectors.filter_cases(cases, request.user, **form.cleaned_data)
    if request.GET.get("export") == "xlsx":
        return _export(request, cases.order_by("-filed_on", "-pk"), form)
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "can_register": request.user.has_perm("cases.register_grievancecase"),
        },
    )


EXPORT_HEADERS = [
    _("编号"),
    _("申请人"),
    _("被申请单位"),
    _("类别"),
    _("人数"),
    _("标的额（元）"),
    _("登记日期"),
    _("状态"),
]


def _export(request, cases, form):
    """导出 Excel: the filtered cases, the columns the list shows, names as the viewer may see them."""
    rows = (
        [
            str(c.number),
            pii.shown(request.user, c, "name"),
            c.employer_unit.name,
            str(c.get_category_display()),
            c.workers_involved,
            c.amount_claimed,
            c.filed_on,
            str(c.get_status_display()),
        ]
        for c in cases.iterator(chunk_size=2000)
    )
    return xlsx_response(
        request=request, title=_("劳动争议调解案件"), headers=EXPORT_HEADERS, rows=rows, filters=form.describe()
    )


@login_required
def case_file(request):
    form = CaseFileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with user_errors(request):
            case = services.case_file(actor=request.user, request_id=request_id(request), **form.cleaned_data)
            _announce(request, case)
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form, "title": _("申请劳动争议调解")})


@login_required
def case_register(request):
    employers = selectors.employers_for_registration(request.user)
    if not request.user.has_perm("cases.register_grievancecase"):
        raise Http404
    form = CaseRegisterForm(request.POST or None, employers=employers)
    if request.method == "POST" and form.is_valid():
        with user_errors(request):
            case = services.case_register(actor=request.user, request_id=request_id(request), **form.cleaned_data)
            _announce(request, case)
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form, "title": _("登记劳动争议（代为登记）")})


def _announce(request, case):
    if case.status == GrievanceCase.Status.DUPLICATE:
        messages.warning(
            request,
            _("该争议与正在办理的%(number)s为同一争议，已关联到原案件，不重复计数。")
            % {"number": case.duplicate_of.number},
        )
    else:
        messages.success(
            request, _("已登记，案件编号%(number)s。工会将在3个工作日内审查是否受理。") % {"number": case.number}
        )


@login_required
def case_detail(request, pk):
    case = selectors.case_for(request.user, pk)
    if case is None:
        raise Http404
    user = request.user
    is_mediator = case.mediator_id == user.pk
    is_applicant = case.created_by_id == user.pk or (case.applicant_id and case.applicant.user_id == user.pk)
    context = {
        "case": case,
        "events": pii.timeline(user, case),
        "comments": Comment.objects.for_record(case).select_related("author"),
        "attachments": Attachment.objects.for_record(case).select_related("uploaded_by"),
        "open_tasks": open_tasks_for(case).select_related("owner"),
        "documents": [
            (kind, label) for kind, (label, _f, states) in documents.DOCUMENTS.items() if case.status in states
        ],
        "can_mediate": is_mediator and case.status == GrievanceCase.Status.MEDIATING,
        "can_extend": is_mediator and case.status == GrievanceCase.Status.MEDIATING and not case.extended_days,
        "can_sign": is_mediator and case.status == GrievanceCase.Status.AGREED and not case.agreement_signed_on,
        "can_extend_petition": case.is_petition
        and not case.petition_extended
        and case.is_open
        and user.has_perm("cases.accept_grievancecase", case),
        "petition_form": PetitionExtendForm(),
        "can_withdraw": is_applicant
        and case.status in (GrievanceCase.Status.REGISTERED, GrievanceCase.Status.MEDIATING),
        "session_form": SessionForm(),
        "extend_form": ExtendForm(),
        "withdraw_form": WithdrawForm(),
        "sign_form": SignForm(),
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@require_POST
def case_action(request, pk, action):
    case = selectors.case_for(request.user, pk)
    if case is None:
        raise Http404
    forms = {
        "session": SessionForm,
        "extend": ExtendForm,
        "withdraw": WithdrawForm,
        "sign": SignForm,
        "comment": CommentForm,
        "extend_petition": PetitionExtendForm,
    }
    if action == "attach":
        form = AttachmentForm(request.POST, request.FILES)
    elif action in forms:
        form = forms[action](request.POST)
    else:
        raise Http404
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
        return redirect(case)
    data, actor, rid = form.cleaned_data, request.user, request_id(request)
    with user_errors(request):
        if action == "session":
            services.case_add_session(case=case, actor=actor, request_id=rid, **data)
            messages.success(request, _("调解记录已保存。"))
        elif action == "extend":
            case = services.case_extend(
                case=case, actor=actor, days=data["days"], reason=data["reason"], request_id=rid
            )
            messages.success(request, _("调解期限已延长至%(due)s。") % {"due": case.mediation_due})
        elif action == "withdraw":
            services.case_withdraw(case=case, actor=actor, reason=data["reason"], request_id=rid)
            messages.success(request, _("调解申请已撤回。"))
        elif action == "sign":
            services.case_record_signature(case=case, actor=actor, signed_on=data["signed_on"], request_id=rid)
            messages.success(request, _("已记录协议签署。"))
        elif action == "extend_petition":
            case = services.case_extend_petition(case=case, actor=actor, reason=data["reason"], request_id=rid)
            messages.success(request, _("信访办结期限已延长至%(due)s。") % {"due": case.petition_conclude_due})
        elif action == "comment":
            core_services.comment_add(record=case, actor=actor, body=data["body"])
            messages.success(request, _("意见已发表。"))
        else:
            core_services.attachment_add(record=case, actor=actor, upload=data["file"], request_id=rid)
            messages.success(request, _("附件已上传。"))
    return redirect(case)


@login_required
def case_document(request, pk, kind):
    case = selectors.case_for(request.user, pk)
    if case is None or kind not in documents.DOCUMENTS:
        raise Http404
    label, build, states = documents.DOCUMENTS[kind]
    if case.status not in states:
        raise Http404
    response = HttpResponse(build(case, viewer=request.user), content_type=DOCX)
    filename = f"{label}-{case.filed_on.year}-{case.pk}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name):
    from urllib.parse import quote

    return quote(name)
