"""Signs of life of the background processes, so the pages can say when background work has stopped."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    class Source(models.TextChoices):
        # the worker process itself, every HEARTBEAT_SECONDS from a timer inside it
        WORKER = "worker", _("后台任务进程（worker）")
        # a beat-scheduled job run by a worker: proves beat, the broker and a consuming worker together
        BEAT = "beat", _("定时调度（beat）")

    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, primary_key=True)
    seen_at = models.DateTimeField(_("最后心跳"))
    detail = models.CharField(_("进程"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("后台任务心跳")
        verbose_name_plural = _("后台任务心跳")

    def __str__(self):
        return f"{self.get_source_display()} {self.seen_at:%Y-%m-%d %H:%M:%S}"
