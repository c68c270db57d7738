"""The base of every domain record, and the comments and attachments any record can carry."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMModelMixin

from .org import OrgUnit


class WorkflowRecord(FSMModelMixin, models.Model):
    """Abstract base of a record that a flow carries (a case, an application, a proposal).

    Subclasses declare ``status = FSMField(..., protected=True)`` and their ``@transition``
    methods; the only writer of ``status`` is :func:`workflows.transitions.run_transition`.
    ``filed_on`` decides the period the record belongs to.

    Who reads a record: holders of ``read_permission`` (the domain's readers in
    ``workflows.roles``) within their org scope, and whoever :meth:`open_to_q` names.
    ``workflows.selectors.records_readable_by`` applies both in SQL for every door.
    """

    read_permission: str  # declared by each concrete record, e.g. "cases.view_grievancecase"

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField(_("登记日期"), default=timezone.localdate, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    @classmethod
    def open_to_q(cls, user):
        """Records ``user`` reads without a reading role: by default those they filed."""
        return models.Q(created_by_id=user.pk)

    def status_label(self):
        return self.get_status_display()


class RecordAttachedQuerySet(models.QuerySet):
    def for_record(self, record):
        return self.filter(
            content_type=ContentType.objects.get_for_model(record, for_concrete_model=False), object_id=record.pk
        )


class Comment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id", for_concrete_model=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作者"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("内容"), max_length=5000)
    created = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = RecordAttachedQuerySet.as_manager()

    class Meta:
        verbose_name = _("意见")
        verbose_name_plural = _("意见")
        ordering = ["created"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.body[:40]


def attachment_path(instance, filename):
    return f"attachments/{instance.content_type.app_label}/{timezone.now():%Y/%m}/{filename}"


class Attachment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id", for_concrete_model=False)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    mime_type = models.CharField(_("类型"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = RecordAttachedQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_not_empty")]

    def __str__(self):
        return self.original_name
