from django.contrib import admin

from .models import Congress, Delegation, Department, Proposal


@admin.register(Congress)
class CongressAdmin(admin.ModelAdmin):
    list_display = ["name", "org_unit", "window_opens", "window_closes", "held_on"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["name", "congress"]
    filter_horizontal = ["members"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "org_unit", "contact"]
    autocomplete_fields = ["contact"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Read-only: proposals move through their flow so the audit trail follows."""

    list_display = ["pk", "title", "proposer", "category", "status", "submitted_on", "satisfaction"]
    list_filter = ["status", "category", "congress", "satisfaction"]
    search_fields = ["title", "cause"]
    list_select_related = ["proposer__user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
