"""The task queue: 待办 (mine), 可认领 (claimable), 已办 (done), the task page and bulk completion."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.forms.utils import flatatt
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from viewflow.workflow.fields import get_flow_ref
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .. import consultations, engine, keyset, pii, selectors
from ..engine import UnionFlow
from ..errors import NotPermitted
from ..forms import ConsultAnswerForm, ConsultForm, ReassignForm, SendBackForm, TransferForm, UrgeForm
from ..models import Consultation, OrgUnit
from .common import flow_record_or_404, request_id, user_errors

BOXES = {
    "inbox": (_("我的待办"), selectors.tasks_inbox),
    "queue": (_("可认领"), selectors.tasks_claimable),
    "archive": (_("已办"), selectors.tasks_archive),
    "overseen": (_("督办"), selectors.tasks_overseen),  # the chair: every open task in the unit
}


def flow_choices():
    flows = sorted(set(_all_subclasses(UnionFlow)), key=lambda c: str(c.process_title))
    return [("", _("全部流程"))] + [(get_flow_ref(c), c.process_title) for c in flows]


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


class PlainSelect(forms.Select):
    """A ``<select>`` written in one pass: Django renders each option through a template, which
    cost a queue page 10 ms for a hundred org units."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, mark_safe(" selected") if str(key) == chosen else "", label) for key, label in self.choices),
        )
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attrs, options)


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("编号、单位、提案标题")}),
    )
    flow = forms.ChoiceField(label=_("流程"), required=False)
    unit = forms.ModelChoiceField(
        label=_("组织单位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("全部单位"),
        widget=PlainSelect,
    )
    due = forms.ChoiceField(
        label=_("期限"),
        required=False,
        choices=[("", _("全部")), ("overdue", _("已超期")), ("soon", _("3天内到期")), ("none", _("无期限"))],
    )
    status = forms.ChoiceField(label=_("任务状态"), required=False)

    def __init__(self, *args, user, box, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow"].choices = flow_choices()
        units = selectors.org_units_in_scope(user)
        self.fields["unit"].queryset = units  # any unit in scope is accepted (``?unit=``) …
        # … but the list offers the user's own units and the level below them: a provincial
        # federation's chair would otherwise get a select of 20,000 options on every queue page.
        top = min((path.count("/") - 1 for path in selectors.scope_paths(user)), default=0)
        wanted = Q(depth__lte=top + 1)
        if self.data.get("unit", "").isdigit():
            wanted |= Q(pk=int(self.data["unit"]))  # keep the chosen one shown
        self.fields["unit"].widget.choices = [("", self.fields["unit"].empty_label)] + [
            (unit.pk, unit.name) for unit in units.filter(wanted).order_by("path").only("pk", "name")
        ]
        statuses = {
            "inbox": [STATUS.ASSIGNED, STATUS.STARTED],
            "queue": [STATUS.NEW],
            "archive": [STATUS.DONE],
            "overseen": [STATUS.NEW, STATUS.ASSIGNED],
        }[box]
        self.fields["status"].choices = [("", _("全部"))] + [(s, STATUS_CHOICE_LABELS[s]) for s in statuses]


@login_required
def task_list(request, box="inbox"):
    if box not in BOXES or (box == "overseen" and not request.user.has_perm("workflows.reassign_task")):
        raise Http404
    title, select = BOXES[box]
    form = QueueFilterForm(request.GET or None, user=request.user, box=box)
    tasks = select(request.user)
    if form.is_valid():
        tasks = selectors.filter_tasks(tasks, **{k: v or None for k, v in form.cleaned_data.items()})
    try:
        page = keyset.keyset_page(
            tasks,
            size=settings.UNIONFLOW["QUEUE_PAGE_SIZE"],
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            descending=selectors.QUEUE_DESCENDING[box],
        )
    except keyset.BadCursor:
        return redirect("task_list", box=box)  # a mangled link: start from the first page
    page.object_list = pii.attach_records(page.object_list)  # each task's record, for its title
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("before", None)
    return render(
        request,
        "workflows/task_list.html",
        {"box": box, "title": title, "form": form, "page": page, "query": query.urlencode(), "boxes": BOXES},
    )


def _task_for(request, pk):
    task = Task.objects.filter(pk=pk, flow_task_type="HUMAN").select_related(*selectors.QUEUE_RELATED).first()
    if task is None:
        raise Http404
    process = task.process.unionprocess
    if not selectors.may_open_task(request.user, task, process):
        raise Http404  # not in scope: do not even confirm the task exists
    return task, process


@login_required
def task_detail(request, pk):
    task, process = _task_for(request, pk)
    node = task.flow_task
    form = node.make_form(request.POST or None, task=task) if task.owner_id == request.user.pk else None
    if request.method == "POST" and form is not None and form.is_valid():
        with user_errors(request):
            engine.task_complete(task=task, actor=request.user, data=form.cleaned_data, request_id=request_id(request))
            messages.success(request, _done_message(request.user, task))
            return redirect("task_list", box="inbox")
        task.refresh_from_db()
    record = process.artifact
    reassign_form = transfer_form = None
    if task.status in selectors.OPEN_STATUSES and request.user.has_perm("workflows.reassign_task", process):
        candidates = engine.task_reassign_candidates(task)
        reassign_form = ReassignForm(candidates=candidates) if candidates.exists() else None
    if task.status in selectors.OPEN_STATUSES and task.owner_id == request.user.pk:
        candidates = engine.task_transfer_candidates(task, request.user)
        transfer_form = TransferForm(candidates=candidates) if candidates.exists() else None
    send_back_form = None
    if task.status in selectors.OPEN_STATUSES and task.owner_id == request.user.pk:
        targets = _send_back_choices(task)
        send_back_form = SendBackForm(targets=targets) if targets else None
    consult_form = None
    if task.status in selectors.OPEN_STATUSES and task.owner_id == request.user.pk:
        colleagues = consultations.candidates(task, request.user)
        consult_form = ConsultForm(candidates=colleagues) if colleagues.exists() else None
    asked = (
        list(task.consultations.select_related("consultant", "asked_by")) if (task.data or {}).get("consulted") else []
    )
    for consultation in asked:
        if (
            consultation.pending
            and consultation.consultant_id == request.user.pk
            and task.status in selectors.OPEN_STATUSES
        ):
            consultation.answer_form = ConsultAnswerForm()
    return render(
        request,
        "workflows/task_detail.html",
        {
            "task": task,
            "process": process,
            "record": record,
            "form": form if task.status in selectors.OPEN_STATUSES else None,
            "can_claim": task.status == STATUS.NEW and node.can_assign(request.user, task),
            "can_release": task.owner_id == request.user.pk
            and task.status in selectors.OPEN_STATUSES
            and not node.person_bound,
            "reassign_form": reassign_form,
            "transfer_form": transfer_form,
            "send_back_form": send_back_form,
            "consult_form": consult_form,
            "consultations": asked,
            "events": pii.timeline(request.user, record) if record else [],
            "record_template": f"{record._meta.app_label}/{record._meta.model_name}_summary.html" if record else None,
        },
    )


def _send_back_choices(task):
    return [(node.name, engine.step_title(node)) for node in engine.send_back_targets(task)]


# viewflow's own labels are English ("New", "Assigned"): the filter speaks the queue's words
STATUS_CHOICE_LABELS = {
    STATUS.NEW: _("待认领"),
    STATUS.ASSIGNED: _("已认领"),
    STATUS.STARTED: _("办理中"),
    STATUS.DONE: _("已办结"),
}


def _done_message(user, task):
    """“…”已办结, and the next task of my inbox (oldest first, as the list reads) to go on with."""
    from django.urls import reverse

    done = _("“%(task)s”已办结。") % {"task": task.title}
    following = selectors.tasks_inbox(user).exclude(pk=task.pk).order_by("created", "pk").first()
    if following is None:
        return format_html("{} {}", done, _("待办已全部办完。"))
    return format_html(
        '{} {}<a href="{}">{}</a>',
        done,
        _("下一项："),
        reverse("task_detail", args=[following.pk]),
        f"{following.title}（{pii.task_subject(user, following)}）",
    )


@login_required
@require_POST
def task_action(request, pk, action):
    task, process = _task_for(request, pk)
    with user_errors(request):
        if action == "claim":
            engine.task_claim(task=task, actor=request.user)
            messages.success(request, _("已认领，任务已进入您的待办。"))
        elif action == "release":
            engine.task_release(task=task, actor=request.user)
            messages.success(request, _("已释放，任务回到可认领队列。"))
        elif action == "reassign":
            engine.task_ensure_reassignable(task=task, actor=request.user)
            form = ReassignForm(request.POST, candidates=engine.task_reassign_candidates(task))
            if not form.is_valid():
                messages.error(request, _("请选择有权办理该任务的人员。"))
            else:
                engine.task_reassign(task=task, actor=request.user, to_user=form.cleaned_data["to_user"])
                messages.success(request, _("已改派。"))
        elif action == "consult":
            if task.owner_id != request.user.pk:
                raise NotPermitted(consultations.NOT_HOLDER)
            form = ConsultForm(request.POST, candidates=consultations.candidates(task, request.user))
            if not form.is_valid():
                messages.error(request, _("请选择征求意见的同事并写明问题（不超过500字）。"))
            else:
                data = form.cleaned_data
                consultations.consult(
                    task=task, actor=request.user, consultant=data["consultant"], question=data["question"]
                )
                messages.success(request, _("已发出征求意见，收到意见前本环节暂不能办理。"))
        elif action == "transfer":
            if task.owner_id != request.user.pk:
                raise NotPermitted(engine.TRANSFER_NOT_YOURS)
            form = TransferForm(request.POST, candidates=engine.task_transfer_candidates(task, request.user))
            if not form.is_valid():
                messages.error(request, _("请选择有权办理该环节的同事，附言不超过200字。"))
            else:
                to_user = form.cleaned_data["to_user"]
                engine.task_transfer(task=task, actor=request.user, to_user=to_user, note=form.cleaned_data["note"])
                name = to_user.get_full_name() or to_user.username
                messages.success(request, _("已转交给%(user)s。") % {"user": name})
                return redirect("task_list", box="inbox")  # no longer mine: back to my list
        elif action == "send_back":
            if task.owner_id != request.user.pk:
                raise NotPermitted(engine.SEND_BACK_NOT_YOURS)
            form = SendBackForm(request.POST, targets=_send_back_choices(task))
            if not form.is_valid():
                messages.error(request, _("请选择退回到哪个环节，并写明退回理由（不超过500字）。"))
            else:
                again = engine.task_send_back(
                    task=task,
                    actor=request.user,
                    to=form.cleaned_data["to"],
                    reason=form.cleaned_data["reason"],
                    request_id=request_id(request),
                )
                step = engine.step_title(again.flow_task)
                messages.success(request, _("已退回“%(step)s”，流程将从该环节重新办理。") % {"step": step})
                return redirect("task_list", box="inbox")  # no longer mine: back to my list
        else:
            raise Http404
    return redirect("task_detail", pk=pk)


@login_required
@require_POST
def task_bulk(request):
    ids = [int(i) for i in request.POST.getlist("task") if i.isdigit()]
    if not ids:
        messages.warning(request, _("请先勾选要批量办理的任务。"))
        return redirect("task_list", box=request.POST.get("box", "inbox"))
    claimable = selectors.tasks_claimable(request.user).values("pk")
    tasks = list(Task.objects.filter(pk__in=ids).filter(_mine_or_claimable(request.user, claimable)))
    if len(tasks) != len(ids):
        messages.error(request, _("部分任务已被他人处理或不在您的范围内，请刷新后重试。"))
        return redirect("task_list", box=request.POST.get("box", "inbox"))
    result = engine.task_bulk_complete(tasks=tasks, actor=request.user, request_id=request_id(request))
    if result.done:
        messages.success(request, _("已批量办结%(n)s项任务。") % {"n": len(result.done)})
    if result.failed:
        pii.attach_records([task for task, _why in result.failed])
        lines = format_html_join(
            "",
            "<li>“{}”（{}）：{}</li>",
            ((t.title, pii.task_subject(request.user, t), why) for t, why in result.failed),
        )
        messages.error(
            request,
            format_html("{}<ul>{}</ul>", _("以下%(n)s项未办理，保持原状：") % {"n": len(result.failed)}, lines),
        )
    return redirect("task_list", box=request.POST.get("box", "inbox"))


def _mine_or_claimable(user, claimable):
    return Q(owner_id=user.pk, status__in=[STATUS.ASSIGNED, STATUS.STARTED]) | Q(pk__in=claimable)


@login_required
@require_POST
def record_urge(request, label, pk):
    """催办 from a record's page: the applicant or the chair nudges its current handlers."""
    record = flow_record_or_404(label, pk)
    if not engine.may_urge(request.user, record):
        raise Http404  # not theirs: do not confirm the record exists
    form = UrgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("附言不超过200字。"))
    else:
        with user_errors(request):
            sent = engine.record_urge(record=record, actor=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("已催办，已提醒%(n)s位办理人。") % {"n": len({n.recipient_id for n in sent})})
    return redirect(record.get_absolute_url())


@login_required
@require_POST
def consultation_action(request, pk, action):
    """加签: the colleague answers; the asker (or the task's holder) withdraws the request."""
    consultation = Consultation.objects.select_related("task").filter(pk=pk).first()
    if consultation is None or request.user.pk not in (
        consultation.consultant_id,
        consultation.asked_by_id,
        consultation.task.owner_id,
    ):
        raise Http404  # not theirs: do not confirm it exists
    with user_errors(request):
        if action == "answer":
            form = ConsultAnswerForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("请填写您的意见（不超过2000字）。"))
            else:
                consultations.answer(consultation=consultation, actor=request.user, text=form.cleaned_data["answer"])
                messages.success(request, _("意见已提交，已通知征求人。"))
        elif action == "withdraw":
            consultations.withdraw(consultation=consultation, actor=request.user)
            messages.success(request, _("已撤回加签。"))
        else:
            raise Http404
    return redirect("task_detail", pk=consultation.task_id)
