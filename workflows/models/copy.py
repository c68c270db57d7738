"""抄送: a record copied to a colleague, who may then read it and finds it under 抄送我的."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecordCopy(models.Model):
    """One record copied to one person.  The copy is what lets its recipient read the record
    (``workflows.selectors.readable_q``); what they see of personal data is still what their own
    roles allow.  A record is copied to a person once: copying it again to them changes nothing."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抄送人"), on_delete=models.CASCADE, related_name="record_copies"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("附言"), max_length=200, blank=True)
    created = models.DateTimeField(_("抄送时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抄送")
        verbose_name_plural = _("抄送")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "recipient"], name="record_copy_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created"], name="record_copy_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="record_copy_unread"),
        ]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id} → {self.recipient_id}"
