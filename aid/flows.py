"""困难职工帮扶 — an application, and a batch of festival relief, each readable top to bottom."""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows.calendar import end_of_day
from workflows.engine import HumanTask, SplitEach, UnionFlow, bind_process, flow_record

from .forms import ApproveForm, DisburseForm, ResubmitForm, UpperApproveForm, VerifyForm, VotesForm
from .models import AidApplication, AidBatch


def _application(activation) -> AidApplication:
    return flow_record(activation)


def _batch(activation) -> AidBatch:
    return flow_record(activation)


def _status_is(getter, status):
    return lambda activation: getter(activation).status == status


def verify_due(activation):
    return timedelta(days=settings.UNIONFLOW["AID_VERIFY_DAYS"])


def review_due(activation):
    return timedelta(days=settings.UNIONFLOW["AID_REVIEW_DAYS"])


def approve_due(activation):
    return timedelta(days=settings.UNIONFLOW["AID_APPROVE_DAYS"])


def disburse_due(activation):
    return timedelta(days=settings.UNIONFLOW["AID_DISBURSE_DAYS"])


def publicity_end(activation):
    return end_of_day(_application(activation).publicity_ends_on)


def applicant(activation):
    return _application(activation).member.user


class AidFlow(UnionFlow):
    """困难帮扶申请

    An employee in hardship, or a committee member on their behalf, applies.  Two committee
    members verify at home (入户核实, both must finish; either may return it for correction).  The
    committee reviews it (民主评议) by majority; it is publicised for five working days, and an
    objection sends it back to review.  The chair approves within a fund's budget (the upper-level
    union too above the threshold), which reserves the amount; finance pays it exactly once.
    """

    record_related = ("org_unit", "member__user", "fund__org_unit", "period")

    start = flow.StartHandle(this.start_process).Annotation(title=_("提交申请")).Next(this.verify)

    verify = SplitEach().Each(this.home_visit, items=lambda a: [{"visit": 1}, {"visit": 2}]).Always(this.visits_done)
    home_visit = (
        HumanTask(form_class=VerifyForm, complete=this.visit_done)
        .Annotation(title=_("入户核实"))
        .Permission("aid.verify_aidapplication")
        .Distinct()
        .Due(verify_due)
        .Next(this.visits_done)
    )
    visits_done = flow.Join().Next(this.tally_visits)
    tally_visits = flow.Function(this.tally).Annotation(title=_("汇总核实意见")).Next(this.is_returned)
    is_returned = flow.If(_status_is(_application, AidApplication.Status.RETURNED)).Then(this.correct).Else(this.review)
    correct = (
        HumanTask(form_class=ResubmitForm, complete=this.correct_done)
        .Annotation(title=_("补正材料"))
        .Assign(applicant)
        .Next(this.verify)
    )

    review = (
        HumanTask(form_class=VotesForm, complete=this.review_done)
        .Annotation(title=_("民主评议"))
        .Permission("aid.review_aidapplication")
        .Due(review_due)
        .SendBack(this.verify, on=this.send_back)
        .Next(this.is_passed)
    )
    is_passed = flow.If(_status_is(_application, AidApplication.Status.PUBLICIZING)).Then(this.publicity).Else(this.end)
    publicity = flow.Timer(publicity_end).Annotation(title=_("公示")).Next(this.publicity_over)
    publicity_over = flow.Function(this.close_publicity).Annotation(title=_("公示结束")).Next(this.is_objected)
    is_objected = (
        flow.If(_status_is(_application, AidApplication.Status.REVIEWING)).Then(this.review).Else(this.approve)
    )

    approve = (
        HumanTask(form_class=ApproveForm, complete=this.approve_done, bulk={"decision": "approve", "note": ""})
        .Annotation(title=_("主席审批"))
        .Permission("aid.approve_aidapplication")
        .Due(approve_due)
        .SendBack(this.review, this.verify, on=this.send_back)
        .Next(this.needs_upper)
    )
    needs_upper = (
        flow.If(_status_is(_application, AidApplication.Status.UPPER_APPROVING))
        .Then(this.upper_approve)
        .Else(this.is_approved)
    )
    upper_approve = (
        HumanTask(form_class=UpperApproveForm, complete=this.upper_done)
        .Annotation(title=_("上级工会审批"))
        .Permission("aid.upper_approve_aidapplication")
        .Due(approve_due)
        .Next(this.is_approved)
    )
    is_approved = flow.If(_status_is(_application, AidApplication.Status.APPROVED)).Then(this.disburse).Else(this.end)
    disburse = (
        HumanTask(form_class=DisburseForm, complete=this.disburse_done)
        .Annotation(title=_("发放"))
        .Permission("aid.disburse_aidapplication")
        .Due(disburse_due)
        .Next(this.end)
    )
    end = flow.End()

    def start_process(self, activation, *, record):
        return bind_process(activation, record=record, title=record)

    def _services(self):
        from . import services

        return services

    def visit_done(self, activation, *, actor, data, request_id=""):
        self._services().application_visit(application=_application(activation), actor=actor, data=data)

    def tally(self, activation):
        self._services().application_tally_visits(application=_application(activation))

    def correct_done(self, activation, *, actor, data, request_id=""):
        self._services().application_resubmit(
            application=_application(activation), actor=actor, data=data, request_id=request_id
        )

    def review_done(self, activation, *, actor, data, request_id=""):
        self._services().record_review(record=_application(activation), actor=actor, data=data, request_id=request_id)

    def close_publicity(self, activation):
        self._services().publicity_close(record=_application(activation))

    def send_back(self, activation, *, target, actor, reason, request_id=""):
        self._services().application_send_back(
            application=_application(activation), actor=actor, target=target, reason=reason, request_id=request_id
        )

    def approve_done(self, activation, *, actor, data, request_id=""):
        self._services().application_approve(
            application=_application(activation), actor=actor, data=data, request_id=request_id
        )

    def upper_done(self, activation, *, actor, data, request_id=""):
        self._services().application_upper(
            application=_application(activation), actor=actor, data=data, request_id=request_id
        )

    def disburse_done(self, activation, *, actor, data, request_id=""):
        self._services().application_disburse(
            application=_application(activation), actor=actor, key=f"task-{activation.task.pk}", **data
        )


class AidBatchFlow(UnionFlow):
    """批量慰问

    The chair selects many hardship files and an amount per household (送温暖, 送清凉).  The batch
    is reviewed by the committee, publicised and approved together; the chair's approval reserves
    the whole amount, and finance pays every household once.
    """

    record_related = ("org_unit", "fund")

    start = flow.StartHandle(this.start_process).Annotation(title=_("发起批量慰问")).Next(this.review)
    review = (
        HumanTask(form_class=VotesForm, complete=this.review_done)
        .Annotation(title=_("民主评议（批量）"))
        .Permission("aid.review_aidapplication")
        .Due(review_due)
        .Next(this.is_passed)
    )
    is_passed = flow.If(_status_is(_batch, AidBatch.Status.PUBLICIZING)).Then(this.publicity).Else(this.end)
    publicity = (
        flow.Timer(lambda a: end_of_day(_batch(a).publicity_ends_on))
        .Annotation(title=_("公示"))
        .Next(this.publicity_over)
    )
    publicity_over = flow.Function(this.close_publicity).Annotation(title=_("公示结束")).Next(this.is_objected)
    is_objected = flow.If(_status_is(_batch, AidBatch.Status.REVIEWING)).Then(this.review).Else(this.approve)
    approve = (
        HumanTask(form_class=ApproveForm, complete=this.approve_done, bulk={"decision": "approve", "note": ""})
        .Annotation(title=_("主席审批（批量）"))
        .Permission("aid.approve_aidapplication")
        .Due(approve_due)
        .Next(this.is_approved)
    )
    is_approved = flow.If(_status_is(_batch, AidBatch.Status.APPROVED)).Then(this.disburse).Else(this.end)
    disburse = (
        HumanTask(form_class=DisburseForm, complete=this.disburse_done)
        .Annotation(title=_("批量发放"))
        .Permission("aid.disburse_aidapplication")
        .Due(disburse_due)
        .Next(this.end)
    )
    end = flow.End()

    def start_process(self, activation, *, record):
        return bind_process(activation, record=record, title=record.title)

    def _services(self):
        from . import services

        return services

    def review_done(self, activation, *, actor, data, request_id=""):
        self._services().record_review(record=_batch(activation), actor=actor, data=data, request_id=request_id)

    def close_publicity(self, activation):
        self._services().publicity_close(record=_batch(activation))

    def approve_done(self, activation, *, actor, data, request_id=""):
        self._services().batch_approve(batch=_batch(activation), actor=actor, data=data, request_id=request_id)

    def disburse_done(self, activation, *, actor, data, request_id=""):
        self._services().batch_disburse(batch=_batch(activation), actor=actor, key=f"task-{activation.task.pk}", **data)
