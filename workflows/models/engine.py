"""The engine's additions to viewflow: a process that knows its org unit, and task deadlines."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from .org import OrgUnit


class UnionProcess(Process):
    """A viewflow process scoped to an org unit.

    The record it carries is the process ``artifact``; ``org_unit`` and ``title`` are copied here
    so the queue pages filter by scope and show a title in SQL, without touching the records.
    """

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("事项"), max_length=200)

    class Meta:
        verbose_name = _("流程")
        verbose_name_plural = _("流程")
        permissions = [("reassign_task", _("改派任务"))]


class TaskDeadline(models.Model):
    """When a human task is due, and whether the assignee was reminded (催办) and the chair told (督办)."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="deadline", primary_key=True)
    due_at = models.DateTimeField(_("办理期限"), db_index=True)
    remind_at = models.DateTimeField(_("催办时间点"), null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("办理期限")
        verbose_name_plural = _("办理期限")

    def __str__(self):
        return f"{self.task_id} → {self.due_at:%Y-%m-%d %H:%M}"
