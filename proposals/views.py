"""Pages of 职代会提案: write, second and submit; the public list of proposals and answers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from workflows import pii
from workflows.engine import open_tasks_for
from workflows.exports import xlsx_response
from workflows.views.common import request_id, user_errors

from . import selectors, services
from .forms import ProposalFilterForm, ProposalForm
from .models import Proposal


@login_required
def proposal_list(request):
    form = ProposalFilterForm(request.GET or None, user=request.user)
    proposals = selectors.proposals_visible_to(request.user).order_by("-pk")
    if form.is_valid():
        proposals = selectors.filter_proposals(proposals, request.user, **form.cleaned_data)
    if request.GET.get("export") == "xlsx":
        return _export(request, proposals, form)
    page = Paginator(proposals, 20).get_page(request.GET.get("page"))
    congress = selectors.congresses_for(request.user).first()
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "proposals/proposal_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "congress": congress,
            "can_propose": congress is not None and services.representative_of(request.user, congress) is not None,
        },
    )


EXPORT_HEADERS = [_("编号"), _("案题"), _("提案人"), _("类别"), _("附议"), _("主办部门"), _("状态"), _("评价")]


def _export(request, proposals, form):
    """导出 Excel: the filtered proposals with the list's columns."""
    rows = (
        [
            str(p.number),
            p.title,
            p.proposer.display_name,
            str(p.get_category_display()),
            p.second_count,
            p.lead_department.name if p.lead_department_id else "",
            str(p.get_status_display()),
            str(p.get_satisfaction_display() or ""),
        ]
        for p in proposals.iterator(chunk_size=2000)
    )
    return xlsx_response(
        request=request, title=_("职代会提案"), headers=EXPORT_HEADERS, rows=rows, filters=form.describe()
    )


@login_required
def proposal_new(request):
    congress = selectors.congresses_for(request.user).first()
    if congress is None:
        raise Http404
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with user_errors(request):
            proposal = services.proposal_draft(
                actor=request.user, congress=congress, request_id=request_id(request), **form.cleaned_data
            )
            messages.success(request, _("提案已保存为草稿。请邀请其他职工代表附议，附议人数达到要求后即可提交。"))
            return redirect(proposal)
    return render(request, "proposals/proposal_form.html", {"form": form, "congress": congress, "title": _("撰写提案")})


@login_required
def proposal_edit(request, pk):
    proposal = selectors.proposal_for(request.user, pk)
    if proposal is None or proposal.proposer.user_id != request.user.pk:
        raise Http404  # the union reads every proposal (提案公开); only its proposer edits it
    form = ProposalForm(request.POST or None, instance=proposal)
    if request.method == "POST" and form.is_valid():
        with user_errors(request):
            services.proposal_update(proposal=proposal, actor=request.user, **form.cleaned_data)
            messages.success(request, _("提案已保存。"))
            return redirect(proposal)
    return render(
        request, "proposals/proposal_form.html", {"form": form, "congress": proposal.congress, "title": _("修改提案")}
    )


@login_required
def proposal_detail(request, pk):
    proposal = selectors.proposal_for(request.user, pk)
    if proposal is None:
        raise Http404
    user = request.user
    representative = services.representative_of(user, proposal.congress)
    seconded = any(s.member.user_id == user.pk for s in proposal.seconds.all())
    is_proposer = proposal.proposer.user_id == user.pk
    context = {
        "proposal": proposal,
        "events": pii.timeline(request.user, proposal),
        "open_tasks": open_tasks_for(proposal).select_related("owner"),
        "is_proposer": is_proposer,
        "can_second": representative is not None
        and not is_proposer
        and not seconded
        and proposal.status in (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED),
        "can_submit": is_proposer and proposal.status == Proposal.Status.DRAFT,
        "can_withdraw": is_proposer and proposal.status in (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED),
        "quorum": settings.UNIONFLOW["PROPOSAL_MIN_SECONDERS"],
    }
    return render(request, "proposals/proposal_detail.html", context)


@login_required
@require_POST
def proposal_action(request, pk, action):
    proposal = selectors.proposal_for(request.user, pk)
    if proposal is None:
        raise Http404
    with user_errors(request):
        if action == "second":
            services.proposal_second(proposal=proposal, actor=request.user, request_id=request_id(request))
            messages.success(request, _("已附议。"))
        elif action == "submit":
            services.proposal_submit(proposal=proposal, actor=request.user, request_id=request_id(request))
            messages.success(request, _("提案已提交提案工作委员会审查。"))
        elif action == "withdraw":
            services.proposal_withdraw(
                proposal=proposal,
                actor=request.user,
                reason=request.POST.get("reason", ""),
                request_id=request_id(request),
            )
            messages.success(request, _("提案已撤回，已通知附议人。"))
        else:
            raise Http404
    return redirect(proposal)
