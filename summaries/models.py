"""The period report (工作总结): the frozen figures, the chair's edits, the generated files."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.models import OrgUnit, Period


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("待生成")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    class Stage(models.TextChoices):
        FIGURES = "figures", _("汇总数据")
        CHARTS = "charts", _("绘制图表")
        DOCUMENT = "document", _("生成文档")
        FINISHED = "finished", _("完成")

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, verbose_name=_("期间"), on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    stage = models.CharField(_("进度"), max_length=10, choices=Stage.choices, default=Stage.FIGURES)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    error = models.TextField(_("错误"), blank=True)
    # The figures as reported: frozen at close so the report stays reproducible when records change.
    snapshot = models.JSONField(_("数据快照"), default=dict, blank=True)
    previous_snapshot = models.JSONField(_("上次快照"), default=dict, blank=True)
    # The chapters, each a list of paragraphs drafted by the system or written by the chair
    # (summaries/chapters.py); empty until the first close drafts them.
    chapters = models.JSONField(_("章节"), default=list, blank=True)
    document = models.FileField(_("工作总结（.docx）"), upload_to="reports/", blank=True)
    workbook = models.FileField(_("数据明细（.xlsx）"), upload_to="reports/", blank=True)
    pdf = models.FileField(_("工作总结（.pdf）"), upload_to="reports/", blank=True)
    # Why the last run made no PDF (LibreOffice missing, timed out, failed; or PDF turned off).
    pdf_error = models.TextField(_("未生成 PDF 的原因"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    # queued_at is set when a run is requested, started_at when a worker picks it up: in between the
    # report waits in the queue (排队中), and a long wait means no worker is taking jobs.
    queued_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    run_token = models.CharField(max_length=32, blank=True)  # the queued run this report waits for
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("工作总结")
        verbose_name_plural = _("工作总结")
        constraints = [models.UniqueConstraint(fields=["org_unit", "period"], name="report_once_per_unit_and_period")]

    def __str__(self):
        return self.title

    @property
    def queued(self):
        return self.status == self.Status.RUNNING and self.started_at is None

    def waiting_too_long(self, now=None):
        """Queued for longer than REPORT_QUEUE_PATIENCE_SECONDS: no worker is taking jobs."""
        if not self.queued or self.queued_at is None:
            return False
        waited = ((now or timezone.now()) - self.queued_at).total_seconds()
        return waited > settings.REPORT_QUEUE_PATIENCE_SECONDS

    @property
    def title(self):
        kind = {"H1": "上半年", "H2": "下半年", "FY": "度"}[self.period.kind]
        return f"{self.org_unit.name}{self.period.year}年{kind}工作总结"


class ReportVersion(models.Model):
    """One save of a report's chapters: who, when, what changed; a return to an earlier version is
    itself a new version."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    chapters = models.JSONField(_("章节"), default=list)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("保存时间"), default=timezone.now)
    summary = models.TextField(_("修改内容"), blank=True)
    restored_from = models.PositiveIntegerField(_("恢复自版本"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作总结版本")
        verbose_name_plural = _("工作总结版本")
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_once")]

    def __str__(self):
        return f"{self.report_id} v{self.number}"
