"""In-app notifications (站内通知); the same text may also go out by email."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Kind(models.TextChoices):
        TASK = "task", _("待办提醒")
        POOL = "pool", _("可认领提醒")
        REMINDER = "reminder", _("催办")
        ESCALATION = "escalation", _("超期督办")
        COPY = "copy", _("抄送")
        INFO = "info", _("通知")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.INFO)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # Makes a notification idempotent: a retried reminder task never notifies twice.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)
    # The email outbox: set with the row (same transaction), cleared once the mail server took the
    # email.  A notification committed by a worker killed before it queued the email is still
    # pending, and the outbox sweep queues it again; one already sent is never sent again.
    email_pending = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_unique_dedupe_key"),
        ]
        indexes = [models.Index(fields=["created"], condition=Q(email_pending=True), name="notification_email_outbox")]

    def __str__(self):
        return self.title


class NotificationSetting(models.Model):
    """Which kinds of notification a person also wants by email (all of them unless they say not)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_setting", primary_key=True
    )
    email_off = models.JSONField(_("不发邮件的通知类型"), default=list, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self):
        return str(self.user)

    def emails(self, kind):
        return kind not in self.email_off
