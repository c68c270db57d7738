"""加签: before deciding, the holder of a task asks a colleague's opinion; the step waits for it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

# a request is answered on a task still to be done; once the task is done or cancelled (the matter
# withdrawn, the step ended by its time limit) its open requests are closed
TASK_OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


class Consultation(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="consultations")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("征求人"), on_delete=models.PROTECT, related_name="+"
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("被征求人"), on_delete=models.PROTECT, related_name="consultations"
    )
    question = models.TextField(_("征求的问题"), max_length=500)
    answer = models.TextField(_("意见"), blank=True, max_length=2000)
    asked_at = models.DateTimeField(_("征求时间"), default=timezone.now)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("加签")
        verbose_name_plural = _("加签")
        ordering = ["asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "consultant"],
                condition=Q(answered_at__isnull=True, withdrawn_at__isnull=True),
                name="consultation_one_pending_per_consultant",
            )
        ]
        indexes = [
            models.Index(
                fields=["consultant", "asked_at"],
                condition=Q(answered_at__isnull=True, withdrawn_at__isnull=True),
                name="consultation_pending",
            )
        ]

    def __str__(self):
        return f"{self.task_id} → {self.consultant_id}"

    @property
    def pending(self):
        """Awaiting its answer: neither answered nor withdrawn, on a task still to be done."""
        return self.state == "pending"

    @property
    def state(self):
        """answered, withdrawn, pending, or closed (unanswered on a task done or cancelled)."""
        if self.answered_at is not None:
            return "answered"
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "pending" if self.task.status in TASK_OPEN else "closed"
