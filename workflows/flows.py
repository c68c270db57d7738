"""入会申请 — the engine's own procedure, and the model every domain flow follows."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from .engine import HumanTask, UnionFlow, bind_process, task_escalate
from .forms import MembershipReviewForm
from .transitions import run_transition


def review_period(activation):
    return timedelta(days=settings.UNIONFLOW["MEMBERSHIP_REVIEW_DAYS"])


class MembershipFlow(UnionFlow):
    """入会申请

    A worker who is not yet a member applies to join the union.  A committee member of the
    worker's union (or the chair) takes the review from the queue and approves or declines it
    with a reason.  The review is due within a few days; when that passes with no decision the
    chair is told (督办) and the review stays open until someone decides.
    """

    start = flow.StartHandle(this.start_process).Annotation(title=_("提交入会申请")).Next(this.review)

    review = (
        HumanTask(form_class=MembershipReviewForm, complete=this.review_done, bulk={"decision": "approve", "note": ""})
        .Annotation(title=_("审核入会申请"))
        .Permission("workflows.review_membershipapplication")
        .Due(review_period)
        .OnTimeout(review_period, this.escalate, interrupting=False, title=_("审核超期"))
        .Next(this.end)
    )

    escalate = flow.Function(this.escalate_to_chair).Annotation(title=_("督办")).Next(this.escalated)
    escalated = flow.End()
    end = flow.End()

    def start_process(self, activation, *, record):
        return bind_process(activation, record=record, title=record)

    def review_done(self, activation, *, actor, data, request_id=""):
        record = activation.process.artifact
        action = "approve" if data["decision"] == "approve" else "reject"
        run_transition(
            record,
            action,
            actor=actor,
            reason=data.get("note", ""),
            request_id=request_id,
            on_date=timezone.localdate(),
            note=data.get("note", ""),
        )

    def escalate_to_chair(self, activation):
        review = (
            self.task_class.objects.filter(process=activation.process, flow_task=self.review)
            .select_related("process__unionprocess__org_unit", "owner", "deadline")
            .order_by("-pk")
            .first()
        )
        task_escalate(review)
