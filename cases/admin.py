from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin  # noqa: F401

from workflows.pii import admin_display

from .models import GrievanceCase, MediationSession


class SessionInline(admin.TabularInline):
    model = MediationSession
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GrievanceCase)
class GrievanceCaseAdmin(admin.ModelAdmin):
    """Read-only: a case moves only through its flow, so that the audit trail follows."""

    list_display = [
        "pk",
        admin_display("name", _("申请人")),
        "employer_unit",
        "category",
        "channel",
        "status",
        "is_collective",
        "filed_on",
    ]
    list_filter = ["status", "category", "channel", "is_collective", "org_unit"]
    # not by the applicant's name: a search would confirm a person's dispute to whoever sees it masked
    search_fields = ["employer_unit__name"]
    list_select_related = ["employer_unit", "org_unit", "applicant"]
    exclude = ["applicant_name", "applicant_phone"]
    readonly_fields = [admin_display("name", _("申请人")), admin_display("applicant_phone", _("联系电话"))]
    date_hierarchy = "filed_on"
    inlines = [SessionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
