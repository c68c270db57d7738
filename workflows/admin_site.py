"""The admin site: every admin write leaves an audit event, whoever registered the model's admin.

Django's ``LogEntry`` is the admin's own history, deletable by anyone holding its permission; the
audit trail is the record.  :class:`UnionAdminSite` mixes :class:`AuditedAdmin` into every
``ModelAdmin`` registered on it (ours, ``auth``'s, viewflow's), so a new admin cannot escape.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.db import router, transaction
from django.utils.translation import gettext_lazy as _

ADMIN_ADD = _("后台新增")
ADMIN_CHANGE = _("后台修改")
ADMIN_DELETE = _("后台删除")


def _audit_admin(request, obj, action, label, reason):
    from .transitions import audit

    audit(
        obj,
        actor=request.user,
        action=action,
        action_label=label,
        reason=reason,
        request_id=getattr(request, "request_id", ""),
    )


class AuditedAdmin:
    """Add, change and delete through the admin each append an AuditEvent (who, what, when) in the
    write's own transaction: add and change from the admin's log hooks (the change message says
    which fields and inline rows changed), delete just before the row goes."""

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        _audit_admin(request, obj, "admin_add", ADMIN_ADD, f"{obj}：{entry.get_change_message()}")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        _audit_admin(request, obj, "admin_change", ADMIN_CHANGE, f"{obj}：{entry.get_change_message()}")
        return entry

    def delete_model(self, request, obj):
        with transaction.atomic(using=router.db_for_write(type(obj))):
            _audit_admin(request, obj, "admin_delete", ADMIN_DELETE, str(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(queryset.model)):
            for obj in queryset:
                _audit_admin(request, obj, "admin_delete", ADMIN_DELETE, str(obj))
            super().delete_queryset(request, queryset)


class UnionAdminSite(AdminSite):
    site_header = _("UnionFlow 工会事务流转平台 · 管理后台")
    site_title = _("UnionFlow 管理后台")

    def register(self, model_or_iterable, admin_class=None, **options):
        from django.contrib.admin import ModelAdmin

        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            module = {"__module__": admin_class.__module__}
            admin_class = type(admin_class.__name__, (AuditedAdmin, admin_class), module)
        super().register(model_or_iterable, admin_class, **options)


class UnionAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`UnionAdminSite` as ``admin.site``."""

    default_site = "workflows.admin_site.UnionAdminSite"
