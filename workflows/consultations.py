"""加签: the holder of a task asks a colleague's opinion before deciding; the step waits for it.

The colleague is someone who reads the record's domain in its scope (so what they see of personal
data is what their role allows).  The question and the answer join the record's timeline; while an
opinion is awaited the task cannot be completed (the holder may withdraw the request).  The count
of opinions awaited is kept on the task (``task.data["consulting"]``), so completing a task reads
nothing more to know it may.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .engine import _ensure_open, _who, task_activation, task_url
from .errors import Conflict, NotPermitted, WorkflowError
from .models import Consultation
from .models.consultation import TASK_OPEN
from .notifications import notify
from .selectors import record_read_permission, users_who_may
from .transitions import audit

NOT_HOLDER = _("只有任务的当前办理人可以加签征求意见。")
NOT_A_COLLEAGUE = _("%(user)s不能就此事项提出意见：须是本单位有权查阅此类事项的人员。")
ASKED_ALREADY = _("已在等待%(user)s的意见，请勿重复征求。")
QUESTION_REQUIRED = _("请写明要征求意见的问题。")
ANSWER_REQUIRED = _("请填写您的意见。")
NOT_ASKED = _("该征求意见不是发给您的。")
NOT_PENDING = _("该征求意见已答复或已撤回。")
TASK_CLOSED = _("“%(task)s”已办结或已取消，无需再提意见。")
NOT_ASKER = _("只有发起加签的人或任务的当前办理人可以撤回。")
WAITING = _("“%(task)s”正在等待%(users)s的意见（加签），收到意见或撤回加签后才能办理。")


def candidates(task, actor):
    """Colleagues who read the record's domain in its scope, other than the holder."""
    process = task.process.unionprocess
    return users_who_may(record_read_permission(process), process.org_unit).exclude(pk=actor.pk)


def _pending(task):
    return task.consultations.filter(answered_at__isnull=True, withdrawn_at__isnull=True)


def _set_waiting(task):
    waiting = _pending(task).count()
    data = {k: v for k, v in (task.data or {}).items() if k != "consulting"}
    data["consulted"] = True  # the task page reads its consultations only when it has some
    if waiting:
        data["consulting"] = waiting
    task.data = data
    type(task).objects.filter(pk=task.pk).update(data=data)


def ensure_not_waiting(task):
    """Refuse to complete a task whose holder awaits an opinion (reads the task's own data)."""
    if (task.data or {}).get("consulting"):
        names = "、".join(
            str(_who(c.consultant))
            for c in task.consultations.filter(answered_at__isnull=True, withdrawn_at__isnull=True).select_related(
                "consultant"
            )
        )
        raise Conflict(WAITING, task=task.title, users=names)


def consult(*, task, actor, consultant, question):
    question = (question or "").strip()
    if not question:
        raise WorkflowError(QUESTION_REQUIRED, fields={"question": [QUESTION_REQUIRED]})
    with task_activation(task):
        _ensure_open(task)
        if task.owner_id != actor.pk:
            raise NotPermitted(NOT_HOLDER)
        if consultant is None or not candidates(task, actor).filter(pk=consultant.pk).exists():
            message = NOT_A_COLLEAGUE % {"user": _who(consultant)}
            raise WorkflowError(message, fields={"consultant": [message]})
        if task.consultations.filter(
            consultant=consultant, answered_at__isnull=True, withdrawn_at__isnull=True
        ).exists():
            raise Conflict(ASKED_ALREADY, user=_who(consultant))
        consultation = Consultation.objects.create(task=task, asked_by=actor, consultant=consultant, question=question)
        _set_waiting(task)
        record = task.process.coerced.artifact
        audit(
            record,
            actor=actor,
            action="consult",
            action_label=_("加签"),
            reason=_("就“%(task)s”征求%(user)s的意见：%(question)s")
            % {"task": task.title, "user": _who(consultant), "question": question},
        )
    notify(
        [consultant],
        title=_("%(user)s请您就“%(task)s”提出意见") % {"user": _who(actor), "task": task.title},
        body=question,
        url=task_url(task),
        kind="task",
    )
    return consultation


def answer(*, consultation, actor, text):
    text = (text or "").strip()
    if not text:
        raise WorkflowError(ANSWER_REQUIRED, fields={"answer": [ANSWER_REQUIRED]})
    if consultation.consultant_id != actor.pk:
        raise NotPermitted(NOT_ASKED)
    task = consultation.task
    with task_activation(task):
        if task.status not in TASK_OPEN:  # read under the lock: the matter ended meanwhile
            raise Conflict(TASK_CLOSED, task=task.title)
        updated = Consultation.objects.filter(
            pk=consultation.pk, answered_at__isnull=True, withdrawn_at__isnull=True
        ).update(answer=text, answered_at=timezone.now())
        if not updated:
            raise Conflict(NOT_PENDING)
        _set_waiting(task)
        audit(
            task.process.coerced.artifact,
            actor=actor,
            action="consult_answer",
            action_label=_("加签意见"),
            reason=_("就“%(task)s”：%(answer)s") % {"task": task.title, "answer": text},
        )
    notify(
        [consultation.asked_by],
        title=_("%(user)s已就“%(task)s”提出意见") % {"user": _who(actor), "task": task.title},
        body=text,
        url=task_url(task),
        kind="task",
    )
    consultation.refresh_from_db()
    return consultation


def withdraw(*, consultation, actor):
    task = consultation.task
    if actor.pk not in (consultation.asked_by_id, task.owner_id):  # the asker, or who holds the task now
        raise NotPermitted(NOT_ASKER)
    with task_activation(task):
        updated = Consultation.objects.filter(
            pk=consultation.pk, answered_at__isnull=True, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now())
        if not updated:
            raise Conflict(NOT_PENDING)
        _set_waiting(task)
        audit(
            task.process.coerced.artifact,
            actor=actor,
            action="consult_withdraw",
            action_label=_("撤回加签"),
            reason=_("撤回向%(user)s征求意见") % {"user": _who(consultation.consultant)},
        )
    consultation.refresh_from_db()
    return consultation
