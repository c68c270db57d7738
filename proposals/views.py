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
from workflows.views.common import request_id, user_errors

from . import selectors, services
from .forms import ProposalForm
from .models import Proposal


@login_required
def proposal_list(request):
    proposals = selectors.proposals_visible_to(request.user).order_by("-pk")
    status, category = request.GET.get("status"), request.GET.get("category")
    if status in Proposal.Status.values:
        proposals = proposals.filter(status=status)
    if category in Proposal.Category.values:
        proposals = proposals.filter(category=category)
    if request.GET.get("mine"):
        proposals = proposals.filter(proposer__user=request.user)
    page = Paginator(proposals, 20).get_page(request.GET.get("page"))
    congress = selectors.congresses_for(request.user).first()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "proposals/proposal_list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "statuses": Proposal.Status.choices,
            "categories": Proposal.Category.choices,
            "status": status,
            "category": category,
            "congress": congress,
            "can_propose": congress is not None and services.representative_of(request.user, congress) is not None,
        },
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
        else:
            raise Http404
    return redirect(proposal)
