"""劳动争议调解 — the procedure of 《劳动争议调解仲裁法》 arts. 10–16, readable top to bottom."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed
from viewflow import this
from viewflow.workflow import flow

from workflows.calendar import add_working_days, end_of_day
from workflows.engine import HumanTask, UnionFlow, bind_process, flow_record

from .forms import AcceptForm, FollowUpForm, OutcomeForm
from .models import GrievanceCase


def _case(activation) -> GrievanceCase:
    return flow_record(activation)


def accept_due(activation):
    case = _case(activation)
    rules = settings.UNIONFLOW
    # A collective dispute is prioritised: one working day instead of three.
    days = 1 if case.is_collective else rules["CASE_ACCEPT_WORKING_DAYS"]
    due = add_working_days(case.filed_on, days)
    if case.petition_reply_due:
        due = min(due, case.petition_reply_due)
    return end_of_day(due)


def mediation_due(activation):
    return end_of_day(_case(activation).mediation_due)


def performance_due(activation):
    return end_of_day(_case(activation).performance_due)


def follow_up_due(activation):
    return timedelta(days=settings.UNIONFLOW["CASE_FOLLOW_UP_DAYS"])


def case_mediator(activation):
    return _case(activation).mediator


class GrievanceFlow(UnionFlow):
    """劳动争议调解

    An employee, or a union worker on their behalf, files a complaint.  A mediator or committee
    member reviews it within three working days and accepts it (assigning a mediator) or rejects
    it with a reason.  The mediator mediates within 15 days of acceptance, extendable once by
    agreement; when the limit passes without agreement the case ends as 调解不成 and the applicant
    is advised to apply for arbitration.  An agreement is followed up at its performance deadline
    and the case is closed with the applicant's evaluation.
    """

    record_related = ("org_unit", "mediator", "employer_unit", "applicant")

    start = flow.StartHandle(this.start_process).Annotation(title=_("登记")).Next(this.review)

    review = (
        HumanTask(form_class=AcceptForm, complete=this.review_done)
        .Annotation(title=_("受理审查"))
        .Permission("cases.accept_grievancecase")
        .Due(accept_due)
        .Next(this.is_accepted)
    )
    is_accepted = flow.If(lambda a: _case(a).status == GrievanceCase.Status.MEDIATING).Then(this.mediate).Else(this.end)

    mediate = (
        HumanTask(form_class=OutcomeForm, complete=this.mediate_done)
        .Annotation(title=_("调解"))
        .Permission("cases.mediate_grievancecase")
        .Assign(case_mediator)
        .Due(mediation_due, remind_before=timedelta(days=settings.UNIONFLOW["CASE_REMIND_BEFORE_DAYS"]))
        .OnTimeout(mediation_due, this.expire, title=_("调解期限届满"))
        .SendBack(this.review, on=this.send_back, when=lambda a, target: can_proceed(_case(a).send_back_to_review))
        .Next(this.is_agreed)
    )
    expire = flow.Function(this.expire_case).Annotation(title=_("超期终结（调解不成）")).Next(this.end)
    is_agreed = flow.If(lambda a: _case(a).status == GrievanceCase.Status.AGREED).Then(this.performance).Else(this.end)

    performance = flow.Timer(performance_due).Annotation(title=_("等待履行期限")).Next(this.follow_up)
    follow_up = (
        HumanTask(form_class=FollowUpForm, complete=this.follow_up_done)
        .Annotation(title=_("回访结案"))
        .Permission("cases.mediate_grievancecase")
        .Assign(case_mediator)
        .Due(follow_up_due)
        .Next(this.end)
    )
    end = flow.End()

    def start_process(self, activation, *, record):
        title = record
        if record.is_collective:
            title = _("【集体争议】%(case)s") % {"case": record}
        return bind_process(activation, record=record, title=title)

    def review_done(self, activation, *, actor, data, request_id=""):
        from . import services

        services.case_review(case=_case(activation), actor=actor, data=data, request_id=request_id)

    def mediate_done(self, activation, *, actor, data, request_id=""):
        from . import services

        services.case_conclude(case=_case(activation), actor=actor, data=data, request_id=request_id)

    def send_back(self, activation, *, target, actor, reason, request_id=""):
        from . import services

        services.case_send_back(
            case=_case(activation), actor=actor, target=target, reason=reason, request_id=request_id
        )

    def expire_case(self, activation):
        from . import services

        services.case_expire(case=_case(activation), today=timezone.localdate())

    def follow_up_done(self, activation, *, actor, data, request_id=""):
        from . import services

        services.case_close(case=_case(activation), actor=actor, data=data, request_id=request_id)
