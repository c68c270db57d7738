"""Reporting periods (上半年 / 下半年 / 全年) of an org unit."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from ..roles import in_scope
from .org import OrgUnit

PERIOD_NOT_DELETABLE = _("%(period)s已结账，不能删除：结账后的期间永久保留，其记录也一直锁定。")


def _refuse_closed(periods):
    from ..errors import PeriodClosed

    closed = next((p for p in periods if p.status != Period.Status.OPEN), None)
    if closed is not None:
        raise PeriodClosed(PERIOD_NOT_DELETABLE, period=closed)


class PeriodQuerySet(models.QuerySet):
    def delete(self):
        """A closed (or closing) period is never deleted: filing into its dates would open again."""
        _refuse_closed(self.exclude(status=Period.Status.OPEN)[:1])
        return super().delete()

    def covering(self, org_unit, day):
        """Periods of ``org_unit`` or any unit above it that contain ``day``."""
        return self.filter(org_unit__in=org_unit.ancestors(), starts_on__lte=day, ends_on__gte=day)

    def closed_for(self, org_unit, day, *, named=None):
        """The closed period, if any, that a record of ``org_unit`` filed on ``day`` falls in, or
        that the record names itself (``named``: an aid application's budget period)."""
        periods = self.covering(org_unit, day)
        if named is not None:
            periods = periods | self.filter(pk=named)
        return periods.exclude(status=Period.Status.OPEN).first()


class Period(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        FIRST_HALF = "H1", _("上半年")
        SECOND_HALF = "H2", _("下半年")
        FULL_YEAR = "FY", _("全年")

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSING = "closing", _("结账中")
        CLOSED = "closed", _("已结账")

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="periods")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("期间"), max_length=2, choices=Kind.choices)
    starts_on = models.DateField(_("开始日期"), editable=False)
    ends_on = models.DateField(_("结束日期"), editable=False)
    status = FSMField(_("状态"), default=Status.OPEN, choices=Status.choices, protected=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("统计期间")
        verbose_name_plural = _("统计期间")
        ordering = ["-year", "ends_on", "-starts_on"]  # 上半年, 下半年, then 全年
        permissions = [("manage_period", _("结账与重新开放统计期间"))]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year", "kind"], name="period_unique_per_unit"),
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="period_starts_before_end"),
        ]

    def __str__(self):
        return f"{self.org_unit} {self.label}"

    def save(self, *args, **kwargs):
        self.starts_on, self.ends_on = self.bounds(self.year, self.kind)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_closed(type(self)._default_manager.filter(pk=self.pk))  # as stored, not as in memory
        return super().delete(*args, **kwargs)

    def clean(self):
        if not 2000 <= (self.year or 0) <= 2100:
            raise ValidationError({"year": _("年度应在2000至2100之间。")})

    @property
    def label(self):
        return f"{self.year}年{self.get_kind_display()}"

    @property
    def code(self):
        return f"{self.year}{self.kind}"

    @staticmethod
    def bounds(year, kind):
        if kind == Period.Kind.FIRST_HALF:
            return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
        if kind == Period.Kind.SECOND_HALF:
            return datetime.date(year, 7, 1), datetime.date(year, 12, 31)
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    @transition(
        field=status,
        source=Status.OPEN,
        target=Status.CLOSING,
        permission=in_scope("workflows.manage_period"),
        custom={"label": _("开始结账")},
    )
    def start_closing(self):
        """The chair starts the close: figures are being frozen."""

    @transition(field=status, source=Status.CLOSING, target=Status.CLOSED, custom={"label": _("完成结账")})
    def finish_closing(self):
        """The close finished; records filed in this period are now read-only."""

    @transition(
        field=status,
        source=[Status.CLOSING, Status.CLOSED],
        target=Status.OPEN,
        permission=in_scope("workflows.manage_period"),
        custom={"label": _("重新开放")},
    )
    def reopen(self):
        """The chair reopens the period to correct it (audited with a reason)."""
