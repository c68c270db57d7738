"""The engine core's tables: organisation, periods, audit trail, records' companions, queue."""

from .audit import AuditEvent
from .consultation import Consultation
from .copy import RecordCopy
from .delegation import DelegatedTask, Delegation
from .engine import TaskDeadline, UnionProcess
from .health import Heartbeat
from .membership import MembershipApplication
from .notifications import Notification, NotificationSetting
from .org import EmployerUnit, Member, OrgUnit, RoleAssignment
from .outbox import OutboxMessage
from .periods import Period
from .records import Attachment, Comment, SavedFilter, WorkflowRecord
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "Comment",
    "Consultation",
    "DelegatedTask",
    "Delegation",
    "EmployerUnit",
    "Heartbeat",
    "Member",
    "MembershipApplication",
    "Notification",
    "NotificationSetting",
    "OutboxMessage",
    "OrgUnit",
    "Period",
    "RecordCopy",
    "RoleAssignment",
    "SavedFilter",
    "TaskDeadline",
    "UnionProcess",
    "WorkflowRecord",
]
