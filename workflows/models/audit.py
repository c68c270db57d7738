"""The append-only audit trail: who moved what from which state to which, when and why."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .org import OrgUnit

AUDIT_IS_APPEND_ONLY = _("审计记录只能追加，不能修改或删除。")


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)

    def delete(self):
        raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)

    _raw_delete = delete

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)

    def for_record(self, record):
        return self.filter(
            content_type=ContentType.objects.get_for_model(record, for_concrete_model=False), object_id=record.pk
        )


class AuditEvent(models.Model):
    """One row per transition (and per audited action such as opening a protected file).

    There is no update or delete path: the model, its queryset and the admin refuse both, and on
    PostgreSQL a trigger refuses them in the database too (migration 0002).
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id", for_concrete_model=False)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=60)
    action_label = models.CharField(_("操作名称"), max_length=60, blank=True)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40, blank=True)
    reason = models.TextField(_("原因/说明"), blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action_label or self.action} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(AUDIT_IS_APPEND_ONLY)
