"""The one error shape of the engine: a human message and the HTTP status the web and API use."""

from django.utils.translation import gettext_lazy as _


class WorkflowError(Exception):
    """A refused action.  ``message`` is shown to the user as is; nothing was written.
    ``fields`` names the input that was wrong, when it was input (``{"paid_on": ["…"]}``)."""

    status_code = 400
    code = "invalid"

    def __init__(self, message, *, fields=None, **params):
        self.message = message % params if params else message
        self.fields = fields or {}
        super().__init__(str(self.message))


class NotPermitted(WorkflowError):
    status_code = 403
    code = "forbidden"


class IllegalTransition(WorkflowError):
    status_code = 409
    code = "illegal_transition"


class AlreadyHandled(WorkflowError):
    status_code = 409
    code = "already_handled"


class Conflict(WorkflowError):
    """The request is well-formed, but the matter's present state does not allow it (a period not
    yet ended, a budget already set, a report still being written)."""

    status_code = 409
    code = "conflict"


class PeriodClosed(WorkflowError):
    status_code = 409
    code = "period_closed"


class PersonBoundTask(WorkflowError):
    """The flow gave the task to one named person (the proposer, the applicant, the case's mediator):
    the record's own rules let only that person finish it, so nobody else may take it."""

    status_code = 409
    code = "person_bound"


class DatabaseUnavailable(WorkflowError):
    """The database went away mid-request.  Every write is one transaction, so nothing was saved."""

    status_code = 503
    code = "database_unavailable"
    retry_after = 30  # seconds, sent as ``Retry-After``: about what a PostgreSQL restart takes


# Messages as constants, so tests assert on the exact words a user reads.
ILLEGAL_TRANSITION = _("“%(record)s”当前状态为“%(state)s”，不能执行“%(action)s”。")
CONDITION_NOT_MET = _("“%(record)s”暂不能执行“%(action)s”：%(why)s。")
NO_PERMISSION = _("您没有权限对“%(record)s”执行“%(action)s”。")
ALREADY_HANDLED = _("“%(record)s”已由%(actor)s于%(at)s处理（%(action)s），请刷新后查看。")
PERIOD_CLOSED = _("“%(record)s”所属的%(period)s已结账，不能修改；如需更正，请工会主席先重新开放该期间。")
DAY_IN_CLOSED_PERIOD = _(
    "%(label)s%(date)s属于已结账的%(period)s，登记后会改变该期间的数字：请填写开放期间内的日期，"
    "或请工会主席先重新开放该期间。"
)
DAY_OUT_OF_RANGE = _("%(label)s%(date)s早于一年前，且不在任何统计期间内，请核实。")
DAY_IN_FUTURE = _("%(label)s%(date)s晚于今天，请填写实际发生的日期。")
REASON_REQUIRED = _("请填写原因。")
INVALID_INPUT = _("提交的数据有误，请按各项的提示修改后重试。")
NUMBER_REFUSED = _("提交的数据有误：%(why)s")
DATABASE_UNAVAILABLE = _("数据库暂时无法连接，您的操作未被保存，请稍后重试。")


def error_body(code, message, fields=None):
    """The one shape of every refusal the API answers, whatever its status:
    ``{"code": "period_closed", "message": "…", "fields": {"paid_on": ["…"]}}``."""
    return {"code": str(code), "message": str(message), "fields": fields or {}}
