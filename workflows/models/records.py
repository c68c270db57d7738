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

    def filed_by(self, user):
        """Whether ``user`` filed this record or it is about them (who may 催办 it, 我发起的)."""
        from workflows import pii

        return user.is_authenticated and (self.created_by_id == user.pk or pii.is_subject(user, self))

    def may_open_attachments(self, user):
        """Whether ``user`` may open (and add to) this record's attachments, beyond reading it: by
        default everyone who reads it; a record whose attachments hold more than its page shows
        (an aid application's certificates) narrows it."""
        return True

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


class SavedFilter(models.Model):
    """A list's search and filters saved under a name; it appears in its owner's sidebar."""

    LISTS = {
        "cases:list": _("劳动争议调解"),
        "aid:list": _("困难帮扶"),
        "proposals:list": _("职代会提案"),
        "membership_list": _("入会申请"),
        "aid:files": _("困难职工档案"),
        "task_list": _("任务"),
    }

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(_("名称"), max_length=30)
    list_name = models.CharField(_("列表"), max_length=30)
    box = models.CharField(max_length=12, blank=True)  # the task list's box
    query = models.CharField(_("筛选条件"), max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保存的筛选")
        verbose_name_plural = _("保存的筛选")
        ordering = ["created", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        path = reverse(self.list_name, args=[self.box] if self.box else [])
        return f"{path}?{self.query}" if self.query else path
