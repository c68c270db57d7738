"""The outbox: background calls written in the transaction that needs them (``workflows.outbox``)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A Celery call committed with the change that needs it, struck off once the broker took it.
    A row older than ``UNIONFLOW["OUTBOX_GRACE"]`` is a call the broker never got (it was down at
    the commit, or the process died before publishing): the beat sweep sends it again."""

    task = models.CharField(_("后台任务"), max_length=200)
    args = models.JSONField(_("参数"), default=list)
    created = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("待发送的后台任务")
        verbose_name_plural = _("待发送的后台任务")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
