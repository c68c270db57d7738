"""代理: a member away names a deputy for a date range; the tasks they hold go to the deputy."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task


class DelegationQuerySet(models.QuerySet):
    def active_on(self, day=None):
        day = day or timezone.localdate()
        return self.filter(cancelled_at__isnull=True, starts_on__lte=day, ends_on__gte=day)

    def overlapping(self, starts_on, ends_on):
        return self.filter(cancelled_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on)


class Delegation(models.Model):
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("委托人"), on_delete=models.CASCADE, related_name="delegations_given"
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("代理人"), on_delete=models.CASCADE, related_name="delegations_taken"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    note = models.CharField(_("事由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)
    applied_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    tasks = models.ManyToManyField(Task, through="DelegatedTask", related_name="+")

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("代理")
        verbose_name_plural = _("代理")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="delegation_dates_in_order"),
            models.CheckConstraint(condition=~Q(principal=models.F("deputy")), name="delegation_not_to_oneself"),
        ]
        indexes = [models.Index(fields=["principal", "ends_on"]), models.Index(fields=["starts_on", "applied_at"])]

    def __str__(self):
        return _("%(deputy)s代理%(principal)s（%(start)s至%(end)s）") % {
            "deputy": self.deputy.get_full_name() or self.deputy.username,
            "principal": self.principal.get_full_name() or self.principal.username,
            "start": self.starts_on,
            "end": self.ends_on,
        }

    @property
    def is_current(self):
        today = timezone.localdate()
        return self.cancelled_at is None and self.starts_on <= today <= self.ends_on


class DelegatedTask(models.Model):
    """A task that went to the deputy under a delegation: its completion is recorded as 代…办理."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="moves")
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="delegated")
    moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("代理任务")
        verbose_name_plural = _("代理任务")

    def __str__(self):
        return f"{self.delegation} · {self.task_id}"
