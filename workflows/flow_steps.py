"""A record's flow as steps: the people's steps in the order the flow reaches them, which the record
passed through, where it stands now, and which it has not reached (流程进度)."""

import functools
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .engine import HumanTask
from .models import UnionProcess


@dataclass
class Step:
    title: str
    state: str  # "done", "current", "todo" or "skipped" (the record ended without it)
    times: int = 0  # how often it was done (a step done again after a return)


@functools.cache
def human_nodes(flow_class):
    """The flow's human steps, breadth first from its start along its edges."""
    instance = flow_class.instance
    starts = [n for n in instance.nodes() if not list(n._incoming())]
    seen, order, todo = set(), [], list(starts)
    while todo:
        node = todo.pop(0)
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, HumanTask):
            order.append(node)
        todo.extend(edge.dst for edge in node._outgoing())
    return tuple(order)


def steps_for(record):
    """The steps of ``record``'s flow with their state, or [] for a record no flow carries."""
    process = (
        UnionProcess.objects.filter(
            artifact_content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
            artifact_object_id=record.pk,
        )
        .order_by("-pk")
        .first()
    )
    if process is None:
        return []
    tasks = list(Task.objects.filter(process=process, flow_task_type="HUMAN").only("flow_task", "status"))
    ended = process.finished is not None
    steps = [Step(title=str(_("提交登记")), state="done")]
    for node in human_nodes(process.flow_class):
        mine = [t for t in tasks if t.flow_task == node]
        done = sum(t.status == STATUS.DONE for t in mine)
        if any(t.status in (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED) for t in mine):
            state = "current"
        elif done:
            state = "done"
        else:
            state = "skipped" if ended else "todo"
        steps.append(Step(title=str(node.task_title or node.name), state=state, times=done))
    steps.append(Step(title=str(_("办结")), state="done" if ended else "todo"))
    return steps
