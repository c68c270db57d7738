from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin  # noqa: F401  (domain apps use it for their records)
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task

from .api_tokens import api_token_revoke
from .models import (
    ApiToken,
    AuditEvent,
    EmployerUnit,
    Member,
    MembershipApplication,
    Notification,
    OrgUnit,
    OutboxMessage,
    Period,
    RoleAssignment,
)
from .pii import admin_display


class ViewOnly:
    """Flow state moves only through the engine (claim, reassign, complete), which holds the rules
    a hand edit or delete would skip: person-bound tasks, the period lock, the audit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister([Process, Task])
admin.site.register(Process, type("ProcessAdmin", (ViewOnly, viewflow_admin.ProcessAdmin), {}))
admin.site.register(Task, type("TaskAdmin", (ViewOnly, viewflow_admin.TaskAdmin), {}))


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "code", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]
    inlines = [RoleInline]

    @admin.display(description=_("名称"), ordering="path")
    def indented_name(self, obj):
        return "　" * obj.depth + obj.name


@admin.register(EmployerUnit)
class EmployerUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "size", "org_unit"]
    list_filter = ["size", "industry"]
    search_fields = ["name", "credit_code"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "employee_no",
        "department",
        "employer_unit",
        "org_unit",
        "membership",
        "is_representative",
        "is_model_worker",
    ]
    list_filter = ["membership", "is_representative", "is_model_worker", "org_unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "employee_no"]
    list_select_related = ["user", "employer_unit", "org_unit"]
    autocomplete_fields = ["user"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "org_unit", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "org_unit__name"]
    list_select_related = ["user", "org_unit"]
    autocomplete_fields = ["user"]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    """Periods are created here; closing and reopening go through the chair's pages (audited)."""

    list_display = ["org_unit", "year", "kind", "starts_on", "ends_on", "status"]
    list_filter = ["status", "kind", "year"]
    readonly_fields = ["status", "starts_on", "ends_on"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "org_unit", "year", "kind"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # a period made by mistake may go while open; a closed one (and its lock) stays for good
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == Period.Status.OPEN)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: the audit trail has no update or delete path."""

    list_display = ["at", "actor", "content_type", "object_id", "action_label", "from_state", "to_state", "reason"]
    list_filter = ["content_type", "action"]
    search_fields = ["reason", "request_id", "client_request_id"]
    list_select_related = ["actor", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    """Read-mostly: decisions are made in the queue so that the flow and the audit trail follow."""

    list_display = ["__str__", admin_display("name", _("申请人")), "org_unit", "status", "filed_on", "decided_on"]
    list_filter = ["status", "org_unit"]
    list_select_related = ["member__user", "org_unit"]
    exclude = ["member"]
    readonly_fields = [admin_display("name", _("申请人"))]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "title", "created", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ViewOnly, admin.ModelAdmin):
    """What waits for the broker (``workflows/outbox.py``): rows older than a few minutes mean the broker
    has been unreachable; ``resend_outbox`` sends them when it is back.  Seen here, never edited."""

    list_display = ["task", "args", "created"]
    list_filter = ["task"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with ``manage.py api_token`` (shown once there); here they are seen and revoked."""

    list_display = ["shown", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["shown", "name", "user__username"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in ApiToken._meta.fields if f.name != "digest"]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the audit trail points at the row

    def has_revoke_permission(self, request):
        return request.user.has_perm("workflows.change_apitoken")

    @admin.action(description=_("吊销所选 API 令牌"), permissions=["revoke"])
    def revoke(self, request, queryset):
        count = api_token_revoke(tokens=queryset, actor=request.user, via=_("管理后台"))
        self.message_user(request, _("已吊销 %(count)d 个令牌。") % {"count": count})
