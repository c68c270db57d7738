"""The engine's extension of viewflow: scoped processes, queue tasks with due dates, and the
services that claim, release, reassign and complete those tasks.

A domain flow subclasses :class:`UnionFlow`, starts with a :class:`flow.StartHandle` that calls
:func:`bind_process` and uses :class:`HumanTask` for every task a person does from the queue.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this  # noqa: F401  (re-exported for flows)
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.lock import SelectForUpdateLock
from viewflow.workflow.models import Task
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.status import STATUS

from . import pii
from .backends import role_rows_shared
from .errors import AlreadyHandled, IllegalTransition, NotPermitted, PersonBoundTask, WorkflowError
from .models import TaskDeadline, UnionProcess, WorkflowRecord
from .notifications import notify
from .transitions import (
    acting_for,
    audit_batch,
    ensure_period_open,
    is_locked,
    mark_locked,
    run_transition,
    unmark_locked,
)

TASK_ALREADY_DONE = _("该任务已由%(actor)s于%(at)s办结，无需重复办理。")
TASK_CANCELED = _("该任务已取消（流程已转入其他环节），请刷新待办列表。")
TASK_TAKEN = _("该任务已由%(actor)s认领。")
TASK_NEEDS_ANOTHER_PERSON = _("会签须由不同人员办理：%(user)s已办理本事项的另一项同类任务。")
TASK_ASSIGNED_TO_OTHER = _("该任务指定由%(actor)s办理，您无权办理。")
TASK_NOT_YOURS = _("该任务不在您的待办中，请先认领。")
TASK_NOT_CLAIMABLE = _("您无权认领该任务（需要相应角色，且事项在您的组织范围内）。")
TASK_NOT_ASSIGNED = _("该任务尚未被认领，无需释放。")
REASSIGN_NOT_ALLOWED = _("只有本单位工会主席可以改派任务。")
REASSIGN_TARGET_NOT_ALLOWED = _("%(user)s没有办理该任务的权限，不能改派给他/她。")
TASK_PERSON_BOUND = _("“%(task)s”由流程指定%(person)s本人办理，不能改派、释放或由他人认领。")
TRANSFER_NOT_YOURS = _("只有任务的当前办理人可以转交；未认领的任务请先认领。")
TRANSFER_TO_SELF = _("不能转交给自己。")
TRANSFER_TARGET_NOT_ALLOWED = _("%(user)s没有办理该任务的权限，不能转交给他/她。")
USER_AWAY = _("%(user)s休假中（至%(end)s），已委托%(deputy)s代理，请%(verb)s给%(deputy)s。")
URGE_NOT_ALLOWED = _("只有申请人本人或本单位工会主席可以催办。")
URGE_NOTHING_OPEN = _("该事项当前没有待办理的环节，无需催办。")
URGE_ONCE_A_DAY = _("您今天已催办过该事项，每天可催办一次，请明天再试。")
DEADLINE_NOT_EARLIER = _("“%(task)s”的办理期限只能延后，不能提前：新期限%(new)s早于原期限%(old)s。")
SEND_BACK_NOT_YOURS = _("只有任务的当前办理人可以退回；未认领的任务请先认领。")
SEND_BACK_NOWHERE = _("“%(task)s”不能退回到“%(to)s”：只能退回到本流程允许且本事项已经办理过的环节。")
BULK_NOT_ALLOWED = _("“%(task)s”不支持批量办理。")
BULK_NOT_ENOUGH = _("“%(task)s”不能批量办理：%(why)s请打开该任务逐项办理。")


class UnionFlow(flow.Flow):
    """Base of every UnionFlow procedure: scoped processes, row locks that wait their turn."""

    process_class = UnionProcess
    # Wait for the process row lock instead of failing fast: a second click or a timer that
    # fires during a completion queues behind it and then sees the task already done.
    lock_impl = SelectForUpdateLock(nowait=False, attempts=1)
    # What a task's nodes read beside the record (its scope, the names in its title): one query.
    record_related = ("org_unit",)

    def __init_subclass__(cls, **kwargs):
        # viewflow titles a flow from its docstring only when no title is inherited: let each
        # procedure's own docstring ("入会申请\n\n…") name it, not this base class.
        for attr in ("process_title", "process_description"):
            if attr not in cls.__dict__:
                setattr(cls, attr, "")
        super().__init_subclass__(**kwargs)


class SplitEachActivation(SplitActivation):
    @Activation.status.super()
    def activate(self):
        """Like Split, but a branch with items becomes one task per item (``task.data`` = item)."""
        for node, cond, items in self.flow_task._branches:
            if cond and not cond(self):
                continue
            if items is None:
                self.next_tasks.append((node, None))
            else:
                self.next_tasks.extend((node, item) for item in items(self))
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class SplitEach(flow.Split):
    """会签 over a list decided at run time: ``.Each(this.co_answer, items=…)`` makes one task per
    item (e.g. one per co-department), all joined by a ``flow.Join`` that waits for every one.
    (viewflow's open-source Split documents a data source but does not create the instances.)"""

    activation_class = SplitEachActivation

    def Each(self, node, items, case=None):
        self._activate_next.append((node, case, items))
        return self


@contextmanager
def task_activation(task):
    """viewflow's ``task.activation()``, reading what it locks.

    viewflow locks the process row (``SELECT 1 … FOR UPDATE``), re-reads the task, then reads the
    process and its ``UnionProcess`` row again, one query each.  Here the lock itself reads the
    ``UnionProcess`` (both tables, one statement, locking the same row viewflow's lock does), so a
    claim or a completion that races a timer or another click queues on the same row as before.
    """
    if task.flow_task.flow_class.process_class is not UnionProcess:
        with task.activation() as activation:
            yield activation
        return
    with transaction.atomic(), role_rows_shared():
        processes = UnionProcess.objects.select_related("org_unit").select_for_update(of=("self",))
        process = processes.get(pk=task.process_id)
        task.refresh_from_db()  # under the lock: the loser of a race sees the winner's write
        task.process = process
        try:
            yield task.flow_task.activation_class(task)
        finally:
            # the record's lock and period check hold only inside this transaction
            record = process.__dict__.pop("_flow_record", None)
            if record is not None:
                unmark_locked(record)


def flow_record(activation, *, lock=False):
    """The record the process carries (with the flow's ``record_related``), read once per
    activation chain.

    Every activation of one completion shares its process object, so the record is cached there:
    the gates, deadlines and assignments of the nodes that follow read the instance the task's
    transition just updated (:func:`~workflows.transitions.run_transition` writes the fresh row
    back into the instance it was given) instead of the table, once per node.

    ``lock``: read it ``FOR UPDATE`` (a task's completion, under the process lock), so the
    transition the task runs need not read it again (see :func:`task_activation`).
    """
    process = activation.process
    record = process.__dict__.get("_flow_record")
    if record is None or record.pk != process.artifact_object_id or (lock and not is_locked(record)):
        model = ContentType.objects.get_for_id(process.artifact_content_type_id).model_class()
        related = getattr(activation.flow_class, "record_related", ("org_unit",))
        records = model._default_manager.select_related(*related)
        if lock:
            records = records.select_for_update(of=("self",))
        record = records.get(pk=process.artifact_object_id)
        if lock:
            mark_locked(record)
        process.__dict__["_flow_record"] = record
        process.artifact = record  # notifications' titles read the generic relation
    return record


def bind_process(activation, *, record, title):
    """Called from a flow's start handle: ties the new process to its record and scope."""
    process = activation.process
    process.artifact = record
    process.__dict__["_flow_record"] = record
    process.org_unit = record.org_unit  # the tasks' permission scope, without reading it back
    process.title = str(title)[:200]
    return process


class HumanTask(flow.View):
    """A task a person does from the queue.

    ``.Permission(perm)`` says which role may take it — always checked within the process's org
    unit; ``.Assign(fn)`` binds it to the one person ``fn`` names (the proposer, the applicant, the
    case's mediator), whom the record's own transitions expect: such a task is never claimed,
    released or reassigned away from that person; ``.Due(delta)`` gives it a deadline (a
    ``timedelta`` or a callable on the activation) that drives the overdue colour, the reminder and
    the escalation (``never_earlier=True``: a task of the node made again in the same process, a
    re-handling, is never due before the one before it was); ``form_class`` and ``complete`` say
    how it is done; ``bulk`` names the form data used for bulk completion.
    """

    def __init__(self, *, form_class, complete, bulk=None, **kwargs):
        super().__init__(view=None, **kwargs)
        self.form_class = form_class
        self._complete = complete
        self.bulk = bulk
        self._due = None
        self._remind_before = None
        self._never_earlier = False
        self._distinct = False
        self._send_back = ()
        self._on_send_back = None
        self._send_back_when = None

    def _resolve(self, instance):
        super()._resolve(instance)
        self._complete = this.resolve(instance, self._complete)
        self._send_back = tuple(this.resolve(instance, node) for node in self._send_back)
        self._on_send_back = this.resolve(instance, self._on_send_back)
        self._send_back_when = this.resolve(instance, getattr(self, "_send_back_when", None))

    def SendBack(self, *targets, on, when=None):
        """退回: the holder may send the matter back to one of ``targets``, earlier steps this
        process has passed, with a reason; the flow resumes from there.  ``on(activation, *,
        target, actor, reason, request_id)`` runs the record's transition back — which data it
        voids, and when it refuses, is each flow's own rule (see :func:`task_send_back`);
        ``when(activation, target)`` says whether to offer a target at all (the same rule, read
        before the holder fills in a reason)."""
        self._send_back = targets
        self._on_send_back = on
        self._send_back_when = when
        return self

    def Due(self, delay, *, remind_before=None, never_earlier=False):
        """When the task is due: a ``timedelta`` from creation, or a callable on the activation
        returning a ``timedelta`` or a ``datetime``.  The reminder (催办) goes ``remind_before``
        ahead (default: the ``REMIND_BEFORE`` setting).

        ``never_earlier``: when the flow comes back to this node (再次办理), the new task is due
        at the later of what ``delay`` gives and the latest deadline of the node's earlier tasks in
        the process — the system computes it, so it takes the later one rather than refuse.  True,
        or a callable on the activation saying whether this is such a return (so a first pass, the
        usual case, reads nothing more)."""
        self._due = delay
        self._remind_before = remind_before
        self._never_earlier = never_earlier
        return self

    def Distinct(self):
        """会签 by different people: nobody may take two tasks of this node in one round."""
        self._distinct = True
        return self

    def held_twice(self, user, task):
        """Whether ``user`` holds or did another task of this node in the same round: the tasks
        one split made share its token prefix, so a round made again (补正, 退回) may be
        visited by the same two people as the first."""
        if not self._distinct:
            return False
        twins = Task.objects.filter(process_id=task.process_id, flow_task=self, owner=user)
        token = str(task.token or "")
        if "/" in token:
            twins = twins.filter(token__startswith=token.rsplit("_", 1)[0] + "_")
        return twins.exclude(pk=task.pk).exclude(status=STATUS.CANCELED).exists()

    def Permission(self, permission=None, auto_create=False, obj=None, help_text=None):
        return super().Permission(permission, auto_create, obj or (lambda process: process.org_unit), help_text)

    @property
    def person_bound(self):
        return self._owner is not None

    def bound_person(self, task):
        """The person the flow names for ``task`` (read fresh from the record), or None."""
        return self.calc_owner(self.activation_class(task)) if self.person_bound else None

    def can_assign(self, user, task):
        if task.owner_id or user is None or not user.is_authenticated:
            return False
        if self.person_bound:
            person = self.bound_person(task)
            return person is not None and person.pk == user.pk
        if self.held_twice(user, task):
            return False
        if not task.owner_permission:
            return True
        return user.has_perm(task.owner_permission, obj=task.process.coerced)

    def _create(self, prev_activation, token, data=None, seed=None):
        activation = super()._create(prev_activation, token, data=data, seed=seed)
        if self._due is not None:
            delay = self._due(activation) if callable(self._due) else self._due
            due_at = timezone.now() + delay if isinstance(delay, timedelta) else delay
            never_earlier = self._never_earlier
            if never_earlier is True or (callable(never_earlier) and never_earlier(activation)):
                due_at = max(due_at, self._previous_due(activation.task) or due_at)
            if (data or {}).get("sent_back"):
                # a step done again after 退回 gets at least the time it had the first time
                due_at = max(due_at, timezone.now() + self._previous_span(activation.task))
            TaskDeadline.objects.create(task=activation.task, due_at=due_at, remind_at=due_at - self.remind_before())
        task = activation.task
        if task.owner_id:
            notify(
                [task.owner],
                title=_("新待办：%(task)s") % {"task": task.title},
                body=lambda user: pii.title(user, activation.process.artifact),
                url=task_url(task),
                kind="task",
            )
        elif task.owner_permission:
            # 可认领: the fan-out runs in the worker after the commit, not in the request; through
            # the outbox, so a broker that is down delays the ping and does not lose it.
            from .outbox import send_after_commit
            from .tasks import notify_pool

            send_after_commit(notify_pool, task.pk)
        return activation

    def _previous_span(self, task):
        """How long the latest earlier task of this node in ``task``'s process had (zero if none)."""
        earlier = (
            TaskDeadline.objects.filter(task__process_id=task.process_id, task__flow_task=self)
            .exclude(task_id=task.pk)
            .order_by("-task_id")
            .values_list("due_at", "task__created")
            .first()
        )
        return max(earlier[0] - earlier[1], timedelta(0)) if earlier else timedelta(0)

    def _previous_due(self, task):
        """The latest deadline an earlier task of this node had in ``task``'s process, or None."""
        earlier = TaskDeadline.objects.filter(task__process_id=task.process_id, task__flow_task=self)
        return earlier.exclude(task_id=task.pk).order_by("-due_at").values_list("due_at", flat=True).first()

    def make_form(self, data=None, *, task):
        """The task's form; a form that declares ``needs_task = True`` gets the task (e.g. to
        offer only the mediators of the case's own union)."""
        if getattr(self.form_class, "needs_task", False):
            return self.form_class(data, task=task)
        return self.form_class(data)

    def remind_before(self):
        return self._remind_before if self._remind_before is not None else settings.UNIONFLOW["REMIND_BEFORE"]

    def complete(self, activation, *, actor, data, request_id=""):
        return self._complete(activation, actor=actor, data=data, request_id=request_id)


def task_set_due(task, due_at):
    """Move a task's due moment later (e.g. an agreed extension): its reminder, its escalation and
    the timeout timers attached to it all move with it.  A deadline is never moved earlier: the
    caller (a person's choice, such as the days of an extension) is refused and nothing moves."""
    from viewflow.workflow.status import STATUS as S

    remind_at = due_at - task.flow_task.remind_before()
    fields = {"due_at": due_at, "remind_at": remind_at, "reminded_at": None, "escalated_at": None}
    if not TaskDeadline.objects.filter(task=task, due_at__lte=due_at).update(**fields):
        current = TaskDeadline.objects.filter(task=task).values_list("due_at", flat=True).first()
        if current is not None:
            raise WorkflowError(
                DEADLINE_NOT_EARLIER,
                task=task.title,
                new=formats.date_format(timezone.localtime(due_at), "Y-m-d H:i"),
                old=formats.date_format(timezone.localtime(current), "Y-m-d H:i"),
            )
        TaskDeadline.objects.create(task=task, **fields)
    Task.objects.filter(previous=task, flow_task_type="TIMER", status=S.SCHEDULED).update(scheduled=due_at)


def task_remind(task, *, now=None):
    """催办: remind whoever holds the task (or may claim it) that it is due soon.  Once per task.

    Returns the notifications sent (none when another sweep already reminded).
    """
    from .selectors import users_who_may

    now = now or timezone.now()
    with transaction.atomic():
        # The conditional update is the claim: a concurrent sweep updates 0 rows and stops here.
        if not TaskDeadline.objects.filter(task=task, reminded_at__isnull=True).update(reminded_at=now):
            return []
        process = task.process.unionprocess
        if task.owner_id:
            recipients = [task.owner]
        elif task.owner_permission:
            recipients = list(users_who_may(task.owner_permission, process.org_unit))
        else:
            recipients = []
        return notify(
            recipients,
            title=_("催办：%(task)s%(when)s") % {"task": task.title, "when": due_phrase(task.deadline.due_at, now)},
            body=lambda user: pii.title(user, process.artifact),
            url=task_url(task),
            kind="reminder",
            dedupe_key=f"remind:{task.pk}",
        )


def task_escalate(task, *, now=None):
    """督办: tell the chairs of the task's unit (and above) that it is overdue.  Once per task,
    whichever notices first — the reminder sweep or a flow's own timeout timer."""
    from .roles import Role
    from .selectors import users_with_role

    now = now or timezone.now()
    with transaction.atomic():
        if not TaskDeadline.objects.filter(task=task, escalated_at__isnull=True).update(escalated_at=now):
            return []
        process = task.process.unionprocess
        due = formats.date_format(timezone.localtime(task.deadline.due_at), "Y-m-d H:i")
        return notify(
            users_with_role(Role.CHAIR, process.org_unit),
            title=lambda user: (
                _("督办：%(title)s的“%(task)s”已超期")
                % {"title": pii.title(user, process.artifact), "task": task.title}
            ),
            body=(
                _("办理期限为%(due)s，办理人：%(owner)s。请督促办理。")
                if task.flow_task.person_bound  # the flow's named person: urged, never replaced
                else _("办理期限为%(due)s，办理人：%(owner)s。请督促办理或改派。")
            )
            % {"due": due, "owner": _who(task.owner) if task.owner_id else _("尚未认领")},
            url=task_url(task),
            kind="escalation",
            dedupe_key=f"escalate:{task.pk}",
        )


def task_url(task):
    from django.urls import reverse

    return reverse("task_detail", args=[task.pk])


def _who(user):
    return (user.get_full_name() or user.username) if user else _("系统")


def _ensure_open(task):
    if task.status == STATUS.DONE:
        raise AlreadyHandled(
            TASK_ALREADY_DONE,
            actor=_who(task.owner),
            at=formats.date_format(timezone.localtime(task.finished), "Y-m-d H:i") if task.finished else "",
        )
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED):
        raise IllegalTransition(TASK_CANCELED)


def _refuse_unless_bound_to(task, user):
    """A person-bound task goes to nobody but its person (``user=None``: to nobody at all)."""
    node = task.flow_task
    if not node.person_bound:
        return
    person = node.bound_person(task)
    if user is None or person is None or person.pk != user.pk:
        raise PersonBoundTask(TASK_PERSON_BOUND, task=task.title, person=_who(person))


def task_claim(*, task, actor):
    """认领: take a task from the claimable queue into my inbox."""
    with task_activation(task) as activation:
        _ensure_open(task)
        _refuse_unless_bound_to(task, actor)
        if task.owner_id and task.owner_id != actor.pk:
            raise AlreadyHandled(TASK_TAKEN, actor=_who(task.owner))
        if task.owner_id == actor.pk:
            return task
        if task.flow_task.held_twice(actor, task):
            raise NotPermitted(TASK_NEEDS_ANOTHER_PERSON, user=_who(actor))
        if not task.flow_task.can_assign(actor, task):
            raise NotPermitted(TASK_NOT_CLAIMABLE)
        task.assigned = timezone.now()  # saved with the owner by viewflow's assign: one UPDATE
        activation.assign(actor)
    return task


def task_release(*, task, actor):
    """释放: put a task I hold back into the claimable queue."""
    with task_activation(task) as activation:
        _ensure_open(task)
        if task.owner_id is None:
            raise IllegalTransition(TASK_NOT_ASSIGNED)
        if task.owner_id != actor.pk and not actor.has_perm("workflows.reassign_task", task.process.coerced):
            raise NotPermitted(TASK_NOT_YOURS)
        _refuse_unless_bound_to(task, None)  # back in the queue, anyone with the role could take it
        _drop_acting_for(task)
        activation.unassign()
    return task


def task_ensure_reassignable(*, task, actor):
    """Refuse before any candidate is offered: only the chair reassigns an open task, and a
    person-bound task only back to its own person (repairing an older reassignment)."""
    if not actor.has_perm("workflows.reassign_task", task.process.coerced):
        raise NotPermitted(REASSIGN_NOT_ALLOWED)
    _ensure_open(task)
    if task.flow_task.person_bound and not task_reassign_candidates(task).exists():
        _refuse_unless_bound_to(task, None)


def task_reassign_candidates(task):
    """Who a task may be reassigned to: its own person for a person-bound task (when someone else
    holds it), else whoever holds the step's role in the process's scope."""
    from django.contrib.auth import get_user_model

    from .selectors import users_who_may

    users = get_user_model().objects
    if task.flow_task.person_bound:
        person = task.flow_task.bound_person(task)
        if person is None or person.pk == task.owner_id:
            return users.none()
        return users.filter(pk=person.pk, is_active=True)
    if not task.owner_permission:
        return users.none()
    return users_who_may(task.owner_permission, task.process.unionprocess.org_unit)


def task_reassign(*, task, actor, to_user):
    """改派 (the chair): give an open task to another person who may do it."""
    process = task.process.coerced
    if not actor.has_perm("workflows.reassign_task", process):
        raise NotPermitted(REASSIGN_NOT_ALLOWED)
    with task_activation(task) as activation:
        _ensure_open(task)
        if task.flow_task.person_bound:
            _refuse_unless_bound_to(task, to_user)  # its person, whatever roles they hold
        elif not task.owner_permission or not to_user.has_perm(task.owner_permission, obj=process):
            raise NotPermitted(REASSIGN_TARGET_NOT_ALLOWED, user=_who(to_user))
        if task.flow_task.held_twice(to_user, task):
            raise NotPermitted(TASK_NEEDS_ANOTHER_PERSON, user=_who(to_user))
        if not task.flow_task.person_bound:
            refuse_if_away(to_user, _("改派"))
        before = task.owner
        _drop_acting_for(task)
        task.assigned = timezone.now()  # saved with the owner by viewflow's (re)assign: one UPDATE
        if task.owner_id:
            activation.reassign(to_user)
        else:
            activation.assign(to_user)
        _audit_move(
            task,
            actor,
            "reassign",
            _("改派"),
            _("“%(task)s”由%(from)s改派给%(to)s。")
            % {"task": task.title, "from": _who(before) if before else _("待认领队列"), "to": _who(to_user)},
        )
    notify(
        [to_user],
        title=_("改派给您的待办：%(task)s") % {"task": task.title},
        body=lambda user: (
            _("%(actor)s将“%(title)s”改派给您办理。")
            % {"actor": _who(actor), "title": pii.title(user, process.artifact)}
        ),
        url=task_url(task),
        kind="task",
    )
    return task


def _drop_acting_for(task):
    """A delegated task that changes hands is no longer done for the one away (saved with the move)."""
    if task.data and "acting_for" in task.data:
        task.data = {k: v for k, v in task.data.items() if k != "acting_for"}


def refuse_if_away(user, verb):
    """改派/转交 to someone away who named a deputy: say so and name the deputy."""
    from .models import Delegation

    away = Delegation.objects.active_on().filter(principal=user).select_related("deputy").first()
    if away is not None:
        raise WorkflowError(
            USER_AWAY, user=_who(user), end=away.ends_on.isoformat(), deputy=_who(away.deputy), verb=verb
        )


def _audit_move(task, actor, action, label, reason):
    """A move of a task between people (改派, 转交) in its record's timeline, inside the move's
    transaction: the state does not change, the hands that hold the record do."""
    from .transitions import audit

    record = task.process.coerced.artifact
    if record is not None:
        audit(record, actor=actor, action=action, action_label=label, reason=str(reason))


def task_transfer_candidates(task, actor):
    """Whom the holder may hand a task to: a colleague who holds the step's role in the record's
    scope (never a person-bound task: the flow named its person)."""
    from django.contrib.auth import get_user_model

    from .selectors import users_who_may

    if task.flow_task.person_bound or not task.owner_permission:
        return get_user_model().objects.none()
    return users_who_may(task.owner_permission, task.process.unionprocess.org_unit).exclude(pk=actor.pk)


def task_transfer(*, task, actor, to_user, note=""):
    """转交 (the holder): hand a task I hold to a colleague who may do it, with an optional note.

    The same rule as the chair's 改派 — the colleague holds the step's role in the record's
    scope and has not done its twin — but only the holder transfers, and never a task the flow
    gave to a named person."""
    with task_activation(task) as activation:
        _ensure_open(task)
        if task.owner_id != actor.pk:
            raise NotPermitted(TRANSFER_NOT_YOURS)
        _refuse_unless_bound_to(task, None)
        process = task.process.coerced
        if to_user.pk == actor.pk:
            raise WorkflowError(TRANSFER_TO_SELF)
        if (
            not task.owner_permission
            or not to_user.is_active
            or not to_user.has_perm(task.owner_permission, obj=process)
        ):
            raise NotPermitted(TRANSFER_TARGET_NOT_ALLOWED, user=_who(to_user))
        if task.flow_task.held_twice(to_user, task):
            raise NotPermitted(TASK_NEEDS_ANOTHER_PERSON, user=_who(to_user))
        refuse_if_away(to_user, _("转交"))
        _drop_acting_for(task)
        task.assigned = timezone.now()
        activation.reassign(to_user)
        note = (note or "").strip()
        reason = _("“%(task)s”由%(from)s转交给%(to)s。") % {
            "task": task.title,
            "from": _who(actor),
            "to": _who(to_user),
        }
        _audit_move(task, actor, "transfer", _("转交"), f"{reason}{note}" if note else reason)
    notify(
        [to_user],
        title=_("转交给您的待办：%(task)s") % {"task": task.title},
        body=lambda user: (
            _("%(actor)s将“%(title)s”转交给您办理。")
            % {"actor": _who(actor), "title": pii.title(user, process.artifact)}
            + (_("附言：%(note)s") % {"note": note} if note else "")
        ),
        url=task_url(task),
        kind="task",
    )
    return task


def send_back_targets(task, *, offered=True):
    """The earlier steps ``task`` may be sent back to (退回): those its flow allows from this step
    that this process has passed through, in the flow's order; ``offered``: only those the flow's
    rule allows now (the pages offer these; the move itself lets the rule say why not)."""
    allowed = getattr(task.flow_task, "_send_back", ())
    if not allowed:
        return []
    names = {node.name for node in allowed}
    passed = set(
        Task.objects.filter(process_id=task.process_id, status=STATUS.DONE)
        .values_list("flow_task", flat=True)
        .distinct()
    )
    passed = {getattr(node, "name", node) for node in passed}
    targets = [node for node in allowed if node.name in names & passed]
    when = task.flow_task._send_back_when
    if offered and targets and when is not None:
        activation = task.flow_task.activation_class(task)
        targets = [node for node in targets if when(activation, node.name)]
    return targets


def step_title(node):
    return str(getattr(node, "task_title", "") or node.name)


def task_send_back(*, task, actor, to, reason, request_id=""):
    """退回 (the holder): send the matter back to the earlier step ``to`` (a node name) with a
    reason.  The record's own transition back runs first (the flow's rule: which data it voids,
    when it refuses); then this task is cancelled with the timers attached to it, the earlier step
    is made again — given back to whoever did it last when they still may, else to the pool —
    and the flow goes on from there.  One transaction: refused, nothing moves."""
    from . import consultations
    from .errors import REASON_REQUIRED

    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(REASON_REQUIRED)
    with task_activation(task) as activation:
        _ensure_open(task)
        if task.owner_id != actor.pk:
            raise NotPermitted(SEND_BACK_NOT_YOURS)
        node = task.flow_task
        target = next((n for n in send_back_targets(task, offered=False) if n.name == to), None)
        if target is None:
            steps = {n.name: step_title(n) for n in node.flow_class.instance.nodes()}
            raise IllegalTransition(SEND_BACK_NOWHERE, task=task.title, to=steps.get(to, _("该环节")))
        consultations.ensure_not_waiting(task)
        node._on_send_back(activation, target=target.name, actor=actor, reason=reason, request_id=request_id)
        last = (
            Task.objects.filter(process_id=task.process_id, flow_task=target, status=STATUS.DONE)
            .select_related("owner")
            .order_by("-pk")
            .first()
        )
        activation.cancel()
        for boundary in getattr(node, "_boundary_events", ()):
            boundary._on_host_finished(task=task)  # its deadline timer dies with it
        created = target._create(
            prev_activation=activation,
            token=task.token,
            data={"sent_back": {"from": node.name, "by": actor.pk}},
        )
        activation._activate_next({created})
        again = created.task
        holder = last.owner if last is not None and last.owner_id else None
        if (
            again.flow_task_type == "HUMAN"
            and again.status == STATUS.NEW
            and holder is not None
            and holder.is_active
            and target.can_assign(holder, again)
            and not _is_away(holder)
        ):
            again.assigned = timezone.now()
            target.activation_class(again).assign(holder)
        else:
            holder = again.owner if again.flow_task_type == "HUMAN" else None
    if holder is not None and holder.pk != actor.pk:
        process = task.process.coerced
        notify(
            [holder],
            title=_("退回待办：%(task)s") % {"task": again.title},
            body=lambda user: (
                _("%(actor)s将“%(title)s”从“%(from)s”退回“%(to)s”，请重新办理。理由：%(reason)s")
                % {
                    "actor": _who(actor),
                    "title": pii.title(user, process.artifact),
                    "from": step_title(node),
                    "to": step_title(target),
                    "reason": reason,
                }
            ),
            url=task_url(again),
            kind="task",
        )
    return again


def _is_away(user):
    from .models import Delegation

    return Delegation.objects.active_on().filter(principal=user).exists()


def due_phrase(due_at, now=None):
    """ "将于2026-06-30 17:00到期" before the deadline, "已逾期3天（期限2026-06-30 17:00）" after it."""
    now = now or timezone.now()
    due = formats.date_format(timezone.localtime(due_at), "Y-m-d H:i")
    if due_at >= now:
        return _("将于%(due)s到期") % {"due": due}
    days = (timezone.localtime(now).date() - timezone.localtime(due_at).date()).days
    if days < 1:
        return _("已超过今日期限（%(due)s）") % {"due": due}
    return _("已逾期%(days)s天（期限%(due)s）") % {"days": days, "due": due}


def may_urge(user, record):
    """催办 by hand is the applicant's and the chair's (a supervisor in the record's scope)."""
    if not user.is_authenticated or not isinstance(record, WorkflowRecord):
        return False
    if record.filed_by(user):
        return True
    process = UnionProcess.objects.filter(
        artifact_content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
        artifact_object_id=record.pk,
    ).first()
    return process is not None and user.has_perm("workflows.reassign_task", process)


def record_urge(*, record, actor, note="", now=None):
    """催办: the applicant or a supervisor nudges whoever holds the record's open steps (or, for a
    step nobody has claimed, whoever may claim it).  Once a day per person and record; the nudge
    says how overdue the step is and joins the record's timeline."""
    from .models import AuditEvent
    from .selectors import users_who_may
    from .transitions import audit

    if not may_urge(actor, record):
        raise NotPermitted(URGE_NOT_ALLOWED)
    now = now or timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        type(record)._base_manager.select_for_update().filter(pk=record.pk).exists()  # one nudge at a time
        today = timezone.localtime(now).date()
        start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        if AuditEvent.objects.for_record(record).filter(action="urge", actor=actor, at__gte=start).exists():
            raise WorkflowError(URGE_ONCE_A_DAY)
        tasks = list(open_tasks_for(record).select_related("owner", "deadline", "process__unionprocess__org_unit"))
        if not tasks:
            raise WorkflowError(URGE_NOTHING_OPEN)
        sent = []
        lines = []
        for task in tasks:
            deadline = getattr(task, "deadline", None)
            when = due_phrase(deadline.due_at, now) if deadline else _("未设办理期限")
            if task.owner_id:
                recipients = [task.owner]
            elif task.owner_permission:
                recipients = list(users_who_may(task.owner_permission, task.process.unionprocess.org_unit))
            else:
                recipients = []
            lines.append(
                _("“%(task)s”（%(who)s，%(when)s）")
                % {"task": task.title, "who": _who(task.owner) if task.owner_id else _("待认领"), "when": when}
            )
            sent += notify(
                recipients,
                title=_("催办：%(task)s%(when)s") % {"task": task.title, "when": when},
                body=lambda user, task=task: (
                    _("%(actor)s催办“%(title)s”，请尽快办理。")
                    % {"actor": pii.person(user, record, actor), "title": pii.title(user, record)}
                    + (_("附言：%(note)s") % {"note": note} if note else "")
                ),
                url=task_url(task),
                kind="reminder",
                dedupe_key=f"urge:{task.pk}:{actor.pk}:{today.isoformat()}",
            )
        reason = _("催办") + "、".join(str(line) for line in lines) + "。"
        audit(record, actor=actor, action="urge", action_label=_("催办"), reason=f"{reason}{note}" if note else reason)
    return sent


def task_complete(*, task, actor, data, request_id=""):
    """办理: run the task's domain action and move the flow on, in one transaction.

    The flow lock (a row lock on the process) serialises concurrent completions; the loser
    re-reads the task under the lock and is told who finished it.
    """
    with task_activation(task) as activation:
        _ensure_open(task)
        if (task.data or {}).get("consulting"):  # 加签: an opinion is awaited
            from .consultations import ensure_not_waiting

            ensure_not_waiting(task)
        record = flow_record(activation, lock=True)
        if isinstance(record, WorkflowRecord):
            # before the task's own writes: some (a home visit, a co-department's answer) change
            # no status, so the transition runner's check would come too late or never
            ensure_period_open(record)
            mark_locked(record, period_checked=True)
        if task.owner_id != actor.pk:
            if task.owner_id and task.flow_task.person_bound:
                # the flow gave it to a named person (the case's mediator, the department's contact)
                raise NotPermitted(TASK_ASSIGNED_TO_OTHER, actor=_who(task.owner))
            if task.owner_id:
                raise AlreadyHandled(TASK_TAKEN, actor=_who(task.owner))
            raise NotPermitted(TASK_NOT_YOURS)
        if task.status == STATUS.ASSIGNED:
            activation.start(None)
        principal = (task.data or {}).get("acting_for") if task.owner_id == actor.pk else None
        with audit_batch(), acting_for(principal):
            task.flow_task.complete(activation, actor=actor, data=data, request_id=request_id)
            activation.execute()
    return task


def bulk_data(task):
    """The node's ``bulk`` data over its form's initial values, validated by the form as a page's
    submission is: a 主席审批 of a batch takes the batch's fund, and a task the bulk data does not
    fully decide is refused with the form's reason."""
    node = task.flow_task
    blank = node.make_form(None, task=task)
    data = {name: blank.get_initial_for_field(field, name) for name, field in blank.fields.items()}
    data = {name: value for name, value in data.items() if value is not None} | dict(node.bulk)
    form = node.make_form(data, task=task)
    if not form.is_valid():
        why = "".join(f"{message}" for messages in form.errors.values() for message in messages)
        raise WorkflowError(BULK_NOT_ENOUGH, task=task.title, why=why)
    return form.cleaned_data


@dataclass
class BulkResult:
    done: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # [(task, why)]


def task_bulk_complete(*, tasks, actor, request_id=""):
    """批量: complete several tasks with each node's ``bulk`` data, each in its own transaction.

    A task that cannot be done (no bulk action, a closed period, a fund to choose…) is left as it
    was — not even claimed — and reported with its reason; the others are done.  Nothing is half
    done: each task's claim, transition, audit event and notifications commit together or not at all.
    """
    result = BulkResult()
    for task in tasks:
        try:
            with transaction.atomic():
                if not task.flow_task.bulk:
                    raise WorkflowError(BULK_NOT_ALLOWED, task=task.title)
                if task.owner_id is None:
                    task_claim(task=task, actor=actor)
                    task.refresh_from_db()
                task_complete(task=task, actor=actor, data=bulk_data(task), request_id=request_id)
        except WorkflowError as exc:
            task.refresh_from_db()
            result.failed.append((task, exc.message))
        else:
            result.done.append(task)
    return result


def open_tasks_for_all(*, status=None):
    """Human tasks of every flow, oldest first (admin tools, tests, the demo loader)."""
    tasks = Task.objects.filter(flow_task_type="HUMAN").order_by("created", "pk")
    return tasks.filter(status=status) if status else tasks


def timers_due_now(record):
    """Bring the pending timers of ``record``'s process forward to now (the next sweep fires them)."""
    from django.contrib.contenttypes.models import ContentType

    return Task.objects.filter(
        process__artifact_content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
        process__artifact_object_id=record.pk,
        flow_task_type="TIMER",
        status=STATUS.SCHEDULED,
    ).update(scheduled=timezone.now())


def open_tasks_for(record):
    """Open human tasks of the process that carries ``record``."""
    from django.contrib.contenttypes.models import ContentType

    return Task.objects.filter(
        process__artifact_content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
        process__artifact_object_id=record.pk,
        flow_task_type="HUMAN",
        status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
    )


def withdraw(record, *, actor, reason="", request_id="", **changes):
    """撤回 (the filer): the record's own ``withdraw`` transition and, in the same transaction, the
    end of the process that carries it — its open tasks cancelled with their timers.  Which states
    allow it and what it records stay the model's rule; whether a reason is required, the flow's."""
    with transaction.atomic():
        record = run_transition(record, "withdraw", actor=actor, reason=reason, request_id=request_id, **changes)
        end_process_of(record)
    return record


def end_process_of(record):
    """Cancel the running process that carries ``record``, whatever waits in it: held or pooled
    tasks, and timers too (during 公示 no one holds a task; only the publicity timer is pending)."""
    from viewflow.workflow.status import PROCESS

    running = UnionProcess.objects.filter(
        artifact_content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
        artifact_object_id=record.pk,
    ).exclude(status__in=[PROCESS.DONE, PROCESS.CANCELED])
    for process in running:
        process.flow_class.instance.cancel(process)


def pool_recipients(task):
    """Who is told that ``task`` waits in the pool: those who may claim it in the nearest union up
    from the record's unit where anyone may (a branch's case pings its union's committee, not every
    chair of the federation above, who still finds it under 可认领)."""
    from django.contrib.auth import get_user_model

    from .models import RoleAssignment
    from .roles import roles_granting

    process = task.process.unionprocess
    rows = RoleAssignment.objects.filter(
        role__in=roles_granting(task.owner_permission),
        org_unit__in=process.org_unit.ancestors(),
        user__is_active=True,
    ).values_list("user_id", "org_unit__path")
    rows = list(rows)
    if not rows:
        return []
    nearest = max(len(path) for _user, path in rows)
    ids = {user_id for user_id, path in rows if len(path) == nearest}
    node = task.flow_task
    return [user for user in get_user_model().objects.filter(pk__in=ids) if node.can_assign(user, task)]


def notify_pool(task):
    """可认领: tell those who may claim ``task`` that it waits for them — once per task, and only
    while nobody holds it."""
    if task.owner_id or task.status != STATUS.NEW or not task.owner_permission:
        return []
    process = task.process.unionprocess
    return notify(
        pool_recipients(task),
        title=_("可认领：%(task)s") % {"task": task.title},
        body=lambda user: pii.title(user, process.artifact),
        url=task_url(task),
        kind="pool",
        dedupe_key=f"pool:{task.pk}",
    )
