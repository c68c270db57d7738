"""职代会提案 — the procedure of a staff-congress proposal, readable top to bottom."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed
from viewflow import this
from viewflow.workflow import flow

from workflows.calendar import add_working_days, end_of_day
from workflows.engine import HumanTask, SplitEach, UnionFlow, bind_process, flow_record

from .forms import AnswerForm, CoAnswerForm, FeedbackForm, ReviewForm
from .models import Department, Proposal


def _proposal(activation) -> Proposal:
    return flow_record(activation)


def review_due(activation):
    proposal = _proposal(activation)
    return end_of_day(proposal.congress.window_closes + timedelta(days=settings.UNIONFLOW["PROPOSAL_REVIEW_DAYS"]))


def answer_due(activation):
    return end_of_day(_proposal(activation).answer_due)


def feedback_due(activation):
    days = settings.UNIONFLOW["PROPOSAL_FEEDBACK_WORKING_DAYS"]
    return end_of_day(add_working_days(timezone.localdate(), days))


def lead_contact(activation):
    return _proposal(activation).lead_department.contact


def co_department_contact(activation):
    return Department.objects.get(pk=activation.task.data["department"]).contact


def proposer(activation):
    return _proposal(activation).proposer.user


def co_departments(activation):
    return [
        {"department": pk} for pk in _proposal(activation).co_departments.order_by("pk").values_list("pk", flat=True)
    ]


class ProposalFlow(UnionFlow):
    """职代会提案

    A representative submits a proposal with enough seconders while the window is open.  The
    proposal committee decides within ten days of the window closing: 立案, a suggestion, a merger
    with another proposal on the same matter, or a rejection.  A proposal to be handled goes to a
    lead department (and co-departments, who contribute first) with an answer deadline; the
    proposer rates the answer within 15 working days, and an unsatisfied proposer gets one
    re-handling.  Then the proposal is archived.
    """

    record_related = ("org_unit", "lead_department", "congress", "proposer__user")

    start = flow.StartHandle(this.start_process).Annotation(title=_("提交提案")).Next(this.review)

    review = (
        HumanTask(form_class=ReviewForm, complete=this.review_done)
        .Annotation(title=_("提案审查"))
        .Permission("proposals.review_proposal")
        .Due(review_due)
        .Next(this.is_to_handle)
    )
    is_to_handle = (
        flow.If(lambda a: _proposal(a).status == Proposal.Status.HANDLING).Then(this.co_handling).Else(this.end)
    )

    co_handling = SplitEach().Each(this.co_answer, items=co_departments).Always(this.co_done)
    co_answer = (
        HumanTask(form_class=CoAnswerForm, complete=this.co_answer_done)
        .Annotation(title=_("协办意见"))
        .Permission("proposals.answer_proposal")
        .Assign(co_department_contact)
        .Due(answer_due)
        .Next(this.co_done)
    )
    co_done = flow.Join().Next(this.answer)

    answer = (
        HumanTask(form_class=AnswerForm, complete=this.answer_done)
        .Annotation(title=_("答复提案"))
        .Permission("proposals.answer_proposal")
        .Assign(lead_contact)
        # 再次办理 never moves the answer's deadline earlier than the first answer's was
        .Due(answer_due, never_earlier=lambda a: _proposal(a).rehandled)
        .SendBack(this.review, on=this.send_back, when=lambda a, target: can_proceed(_proposal(a).send_back_to_review))
        .Next(this.feedback)
    )
    feedback = (
        HumanTask(form_class=FeedbackForm, complete=this.feedback_done)
        .Annotation(title=_("评价答复"))
        .Permission("proposals.rate_proposal")
        .Assign(proposer)
        .Due(feedback_due)
        .OnTimeout(feedback_due, this.archive, title=_("逾期未反馈"))
        .Next(this.needs_rehandling)
    )
    needs_rehandling = (
        flow.If(lambda a: _proposal(a).status == Proposal.Status.HANDLING).Then(this.answer).Else(this.archive)
    )
    archive = flow.Function(this.archive_proposal).Annotation(title=_("办结归档")).Next(this.end)
    end = flow.End()

    def start_process(self, activation, *, record):
        return bind_process(activation, record=record, title=_("提案：%(title)s") % {"title": record.title})

    def review_done(self, activation, *, actor, data, request_id=""):
        from . import services

        services.proposal_review(proposal=_proposal(activation), actor=actor, data=data, request_id=request_id)

    def send_back(self, activation, *, target, actor, reason, request_id=""):
        from . import services

        services.proposal_send_back(
            proposal=_proposal(activation), actor=actor, target=target, reason=reason, request_id=request_id
        )

    def co_answer_done(self, activation, *, actor, data, request_id=""):
        from . import services

        department = Department.objects.get(pk=activation.task.data["department"])
        services.proposal_co_answer(
            proposal=_proposal(activation), department=department, actor=actor, text=data["text"]
        )

    def answer_done(self, activation, *, actor, data, request_id=""):
        from . import services

        services.proposal_answer(proposal=_proposal(activation), actor=actor, data=data, request_id=request_id)

    def feedback_done(self, activation, *, actor, data, request_id=""):
        from . import services

        services.proposal_feedback(proposal=_proposal(activation), actor=actor, data=data, request_id=request_id)

    def archive_proposal(self, activation):
        from . import services

        services.proposal_archive(proposal=_proposal(activation))
