"""Every write on a proposal: drafting, seconding, submitting, the committee's decision, the answers,
the proposer's rating and archiving.  One transaction each, audited."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows import engine
from workflows.errors import IllegalTransition, NotPermitted, WorkflowError
from workflows.models import Member
from workflows.notifications import notify
from workflows.transitions import audit, ensure_period_open, record_file, run_transition

from .models import CoAnswer, Congress, Proposal, Second

NOT_A_REPRESENTATIVE = _("只有本届职工代表可以%(action)s。")
OWN_PROPOSAL = _("提案人不能附议自己的提案。")
ALREADY_SECONDED = _("您已附议过这份提案。")
WINDOW_CLOSED = _("提案征集期（%(opens)s至%(closes)s）已结束或尚未开始。")
NOT_DRAFT = _("提案已提交，不能再修改。")
NOT_SECONDABLE = _("提案已进入审查，不再接受附议。")


def representative_of(user, congress):
    """The user's member record when they are a staff representative within the congress's union."""
    member = Member.objects.filter(user=user, is_representative=True).select_related("org_unit").first()
    if member is None or not member.org_unit.path.startswith(congress.org_unit.path):
        return None
    return member


def _window_open(congress):
    if not congress.window_open_on(timezone.localdate()):
        raise WorkflowError(WINDOW_CLOSED, opens=congress.window_opens, closes=congress.window_closes)


def proposal_draft(*, actor, congress, title, category, cause, measures, request_id=""):
    member = representative_of(actor, congress)
    if member is None:
        raise NotPermitted(NOT_A_REPRESENTATIVE, action=_("提出提案"))
    _window_open(congress)
    with transaction.atomic():
        proposal = Proposal(
            congress=congress,
            proposer=member,
            org_unit=congress.org_unit,
            created_by=actor,
            title=title,
            category=category,
            cause=cause,
            measures=measures,
        )
        record_file(proposal, actor=actor, action="draft", label=_("起草提案"), request_id=request_id)
    return proposal


def proposal_update(*, proposal, actor, **fields):
    if proposal.proposer.user_id != actor.pk:
        raise NotPermitted(_("只有提案人可以修改提案。"))
    if proposal.status != Proposal.Status.DRAFT:
        raise IllegalTransition(NOT_DRAFT)
    ensure_period_open(proposal)
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=[*fields, "updated"])
    return proposal


def proposal_second(*, proposal, actor, request_id=""):
    """附议: a representative other than the proposer, once, while the window is open."""
    member = representative_of(actor, proposal.congress)
    if member is None:
        raise NotPermitted(NOT_A_REPRESENTATIVE, action=_("附议"))
    if member.pk == proposal.proposer_id:
        raise WorkflowError(OWN_PROPOSAL)
    if proposal.status not in (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED):
        raise IllegalTransition(NOT_SECONDABLE)
    _window_open(proposal.congress)
    ensure_period_open(proposal)
    try:
        with transaction.atomic():
            second = Second.objects.create(proposal=proposal, member=member)
            audit(proposal, actor=actor, action="second", action_label=_("附议"), request_id=request_id)
    except IntegrityError:
        raise WorkflowError(ALREADY_SECONDED) from None
    return second


def proposal_submit(*, proposal, actor, request_id=""):
    """提交: needs the quorum of seconders and an open window; starts the committee's review."""
    from .flows import ProposalFlow

    with transaction.atomic():
        proposal = run_transition(proposal, "submit", actor=actor, request_id=request_id, on_date=timezone.localdate())
        ProposalFlow.start.run(record=proposal)
    return proposal


def proposal_withdraw(*, proposal, actor, reason, request_id=""):
    """撤回: the proposer withdraws a proposal not yet decided (drafting or awaiting review); the
    committee's open review ends with the process and the seconders are told."""
    from workflows.errors import REASON_REQUIRED

    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(REASON_REQUIRED, fields={"reason": [REASON_REQUIRED]})
    proposal = engine.withdraw(
        proposal,
        actor=actor,
        request_id=request_id,
        reason=reason,
        on_date=timezone.localdate(),
        withdrawal_reason=reason,
    )
    seconders = [second.member.user for second in proposal.seconds.select_related("member__user")]
    notify(
        seconders,
        title=_("您附议的提案“%(title)s”已由提案人撤回") % {"title": proposal.title},
        body=reason,
        url=proposal.get_absolute_url(),
        kind="info",
    )
    return proposal


def proposal_review(*, proposal, actor, data, request_id=""):
    """The proposal committee's decision; a proposal to be handled is assigned in the same step."""
    today, note, decision = timezone.localdate(), data.get("note", ""), data["decision"]
    common = {"actor": actor, "request_id": request_id, "reason": note, "on_date": today, "note": note}
    if decision == "merge":
        return run_transition(proposal, "merge", into=data["merge_into"], **common)
    if decision == "reject":
        return run_transition(proposal, "reject", **common)
    proposal = run_transition(proposal, "accept" if decision == "accept" else "to_suggestion", **common)
    proposal = run_transition(
        proposal,
        "assign",
        actor=actor,
        request_id=request_id,
        on_date=today,
        lead=data["lead"],
        answer_due=data["answer_due"],
    )
    proposal.co_departments.set(data.get("co_departments") or [])
    return proposal


def proposal_send_back(*, proposal, actor, target, reason, request_id=""):
    """退回 from 答复提案 to 提案审查 (only before any co-department contributed, first handling)."""
    if target != "review":
        raise WorkflowError(engine.SEND_BACK_NOWHERE, task=_("答复提案"), to=target)
    with transaction.atomic():
        proposal = run_transition(proposal, "send_back_to_review", actor=actor, reason=reason, request_id=request_id)
        proposal.co_departments.clear()
    return proposal


def proposal_co_answer(*, proposal, department, actor, text):
    ensure_period_open(proposal)
    with transaction.atomic():
        co = CoAnswer.objects.create(
            proposal=proposal, department=department, text=text, answered_on=timezone.localdate(), answered_by=actor
        )
        audit(
            proposal,
            actor=actor,
            action="co_answer",
            action_label=_("协办意见"),
            reason=f"{department.name}：{text[:200]}",
        )
    return co


def proposal_answer(*, proposal, actor, data, request_id=""):
    """The lead department's answer (the second one, after a re-handling, is final)."""
    return run_transition(
        proposal,
        "give_answer",
        actor=actor,
        request_id=request_id,
        reason=data["answer"][:500],
        on_date=timezone.localdate(),
        answer_status=data["answer_status"],
        answer=data["answer"],
        not_possible_reason=data.get("reason", ""),
    )


def proposal_feedback(*, proposal, actor, data, request_id=""):
    """The proposer rates the answer; 不满意 the first time sends it back to the department once,
    due 30 days from now or at the first deadline if that is later (see ``Proposal.rehandle``)."""
    with transaction.atomic():
        proposal = run_transition(
            proposal,
            "rate",
            actor=actor,
            request_id=request_id,
            reason=data.get("note", ""),
            on_date=timezone.localdate(),
            satisfaction=data["satisfaction"],
            note=data.get("note", ""),
        )
        if proposal.satisfaction == Proposal.Satisfaction.UNSATISFIED and not proposal.rehandled:
            due = timezone.localdate() + datetime.timedelta(days=settings.UNIONFLOW["PROPOSAL_REHANDLE_DAYS"])
            proposal = run_transition(
                proposal, "rehandle", actor=actor, check_permission=False, request_id=request_id, answer_due=due
            )
    return proposal


def proposal_archive(*, proposal):
    """办结归档, by the flow once the proposer has rated (or stayed silent past the limit)."""
    proposal.refresh_from_db()
    if proposal.status != Proposal.Status.ANSWERED:
        return proposal
    return run_transition(proposal, "archive", actor=None, check_permission=False, on_date=timezone.localdate())


def congress_current(org_unit):
    """The latest congress of the union or a union above it."""
    return Congress.objects.filter(org_unit__in=org_unit.ancestors()).order_by("-window_opens").first()
