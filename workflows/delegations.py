"""代理: a committee member away names a deputy for a date range.

From the first day, the tasks the member holds go to the deputy — those the deputy may do: the
step's role in the record's scope, and not a step the flow gave to the member by name (a case's
mediator, a proposal's proposer), which the record's own rules expect that person to do.  Each
move is in the record's timeline, and what the deputy then does is recorded as done for the member
(``代…办理``).  While the member is away, a task cannot be 改派/转交 to them: the page names the
deputy instead.  At the end of the range the tasks stay with the deputy (as in office-approval
apps), who may 转交 them back.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .engine import _audit_move, _who, task_activation
from .errors import NotPermitted, WorkflowError
from .models import DelegatedTask, Delegation, Member, RoleAssignment
from .notifications import notify
from .roles import Role
from .transitions import audit

MAX_DAYS = 92  # a quarter: a longer absence is a change of roles, made by the chair

NO_ROLE = _("您没有委员会职务，无需设置代理。")
NOT_A_DEPUTY = _("%(user)s不能代理您：代理人须在同一单位担任您的职务之一。")
DATES_ORDER = _("结束日期不能早于开始日期。")
IN_THE_PAST = _("结束日期已过，无需设置代理。")
TOO_LONG = _("代理期限不能超过%(days)s天；长期不在岗请由工会主席调整职务。")
OVERLAPS = _("您在%(start)s至%(end)s已委托%(deputy)s代理，期间不能重复设置。")
DEPUTY_AWAY = _("%(user)s在此期间也不在岗（已委托他人代理），请另选代理人。")
NOT_YOURS = _("只能取消自己设置的代理。")
ALREADY_ENDED = _("该代理已结束或已取消。")


def _duties(user):
    """The roles that hold tasks: every role but the plain employee's (who files, not handles)."""
    return RoleAssignment.objects.filter(user=user).exclude(role=Role.EMPLOYEE)


def deputy_candidates(principal):
    """Colleagues who hold one of the principal's roles in the same org unit (active, not them)."""
    held = list(_duties(principal).values_list("role", "org_unit_id"))
    users = get_user_model().objects.filter(is_active=True).exclude(pk=principal.pk)
    if not held:
        return users.none()
    from django.db.models import Q

    match = Q()
    for role, unit in held:
        match |= Q(role_assignments__role=role, role_assignments__org_unit_id=unit)
    return users.filter(match).distinct().order_by("last_name", "first_name", "username")


def delegation_create(*, principal, deputy, starts_on, ends_on, note=""):
    """The member away (``principal``) names ``deputy`` from ``starts_on`` to ``ends_on``."""
    today = timezone.localdate()
    if not _duties(principal).exists():
        raise NotPermitted(NO_ROLE)
    if ends_on < starts_on:
        raise WorkflowError(DATES_ORDER, fields={"ends_on": [DATES_ORDER]})
    if ends_on < today:
        raise WorkflowError(IN_THE_PAST, fields={"ends_on": [IN_THE_PAST]})
    if (ends_on - max(starts_on, today)).days + 1 > MAX_DAYS:
        message = TOO_LONG % {"days": MAX_DAYS}
        raise WorkflowError(message, fields={"ends_on": [message]})
    if deputy is None or not deputy_candidates(principal).filter(pk=deputy.pk).exists():
        message = NOT_A_DEPUTY % {"user": _who(deputy)}
        raise WorkflowError(message, fields={"deputy": [message]})
    with transaction.atomic():
        # one delegation at a time per member: the row lock on the member serialises two submits
        member = Member.objects.select_for_update().filter(user=principal).first()
        clash = Delegation.objects.overlapping(starts_on, ends_on).filter(principal=principal).first()
        if clash is not None:
            raise WorkflowError(
                OVERLAPS, start=clash.starts_on.isoformat(), end=clash.ends_on.isoformat(), deputy=_who(clash.deputy)
            )
        if Delegation.objects.overlapping(starts_on, ends_on).filter(principal=deputy).exists():
            message = DEPUTY_AWAY % {"user": _who(deputy)}
            raise WorkflowError(message, fields={"deputy": [message]})
        delegation = Delegation.objects.create(
            principal=principal, deputy=deputy, starts_on=max(starts_on, today), ends_on=ends_on, note=note.strip()
        )
        if member is not None:
            audit(
                member,
                actor=principal,
                action="delegate",
                action_label=_("设置代理"),
                reason=str(delegation) + (f"：{delegation.note}" if delegation.note else ""),
            )
    notify(
        [deputy],
        title=_("%(user)s委托您代理（%(start)s至%(end)s）")
        % {"user": _who(principal), "start": delegation.starts_on, "end": delegation.ends_on},
        body=delegation.note,
        kind="info",
    )
    if delegation.starts_on <= today:
        delegation_apply(delegation)
    return delegation


def delegation_cancel(*, delegation, actor):
    """The member is back early (or changed plans): new moves stop; tasks already moved stay."""
    if delegation.principal_id != actor.pk:
        raise NotPermitted(NOT_YOURS)
    with transaction.atomic():
        updated = Delegation.objects.filter(
            pk=delegation.pk, cancelled_at__isnull=True, ends_on__gte=timezone.localdate()
        ).update(cancelled_at=timezone.now())
        if not updated:
            raise WorkflowError(ALREADY_ENDED)
        member = Member.objects.filter(user=actor).first()
        if member is not None:
            audit(member, actor=actor, action="delegate_cancel", action_label=_("取消代理"), reason=str(delegation))
    delegation.refresh_from_db()
    return delegation


def delegation_apply(delegation):
    """Move the principal's tasks to the deputy.  Returns (moved, kept): the tasks kept are those
    the deputy may not do or the flow gave to the principal by name."""
    open_tasks = Task.objects.filter(
        owner=delegation.principal, flow_task_type="HUMAN", status__in=[STATUS.ASSIGNED, STATUS.STARTED]
    ).order_by("created", "pk")
    moved, kept = [], []
    deputy = delegation.deputy
    for task in open_tasks:
        with task_activation(task) as activation:
            if task.owner_id != delegation.principal_id or task.status not in (STATUS.ASSIGNED, STATUS.STARTED):
                continue  # done or moved meanwhile
            node = task.flow_task
            process = task.process.coerced
            may = (
                not node.person_bound
                and task.owner_permission
                and deputy.has_perm(task.owner_permission, obj=process)
                and not node.held_twice(deputy, task)
            )
            if not may:
                kept.append(task)
                continue
            principal = {"id": delegation.principal_id, "name": str(_who(delegation.principal))}
            task.data = {**(task.data or {}), "acting_for": principal}
            task.assigned = timezone.now()
            activation.reassign(deputy)
            DelegatedTask.objects.create(delegation=delegation, task=task)
            _audit_move(
                task,
                delegation.principal,
                "delegate",
                _("代理"),
                _("%(principal)s不在岗（%(start)s至%(end)s），“%(task)s”由%(deputy)s代理办理。")
                % {
                    "principal": _who(delegation.principal),
                    "start": delegation.starts_on,
                    "end": delegation.ends_on,
                    "task": task.title,
                    "deputy": _who(deputy),
                },
            )
            moved.append(task)
    Delegation.objects.filter(pk=delegation.pk).update(applied_at=timezone.now())
    if moved:
        notify(
            [deputy],
            title=_("代理%(user)s的%(n)s项待办已转入您的待办") % {"user": _who(delegation.principal), "n": len(moved)},
            kind="task",
        )
    if kept:
        notify(
            [delegation.principal],
            title=_("您有%(n)s项待办未转给代理人（须由您本人办理或代理人无权办理），请安排") % {"n": len(kept)},
            kind="info",
        )
    return moved, kept


def apply_due_delegations(today=None):
    """The sweep: delegations whose first day has come and that have not been applied yet."""
    today = today or timezone.localdate()
    due = Delegation.objects.active_on(today).filter(applied_at__isnull=True).select_related("principal", "deputy")
    return sum(len(delegation_apply(d)[0]) for d in due)
