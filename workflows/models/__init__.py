"""The engine core's tables: organisation, periods, audit trail, records' companions, queue."""

from .audit import AuditEvent
from .engine import TaskDeadline, UnionProcess
from .health import Heartbeat
from .membership import MembershipApplication
from .notifications import Notification
from .org import EmployerUnit, Member, OrgUnit, RoleAssignment
from .periods import Period
from .records import Attachment, Comment, WorkflowRecord
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "Comment",
    "EmployerUnit",
    "Heartbeat",
    "Member",
    "MembershipApplication",
    "Notification",
    "OrgUnit",
    "Period",
    "RoleAssignment",
    "TaskDeadline",
    "UnionProcess",
    "WorkflowRecord",
]
