from django.contrib import admin
from django_fsm.admin import FSMAdminMixin  # noqa: F401

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
        "applicant_name",
        "employer_unit",
        "category",
        "channel",
        "status",
        "is_collective",
        "filed_on",
    ]
    list_filter = ["status", "category", "channel", "is_collective", "org_unit"]
    search_fields = ["applicant_name", "employer_unit__name", "facts"]
    list_select_related = ["employer_unit", "org_unit"]
    date_hierarchy = "filed_on"
    inlines = [SessionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
