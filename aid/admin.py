from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .models import BUDGET_OF_CLOSED_PERIOD, AidApplication, AidBatch, Disbursement, Fund, FundBudget, HardshipFile


class BudgetFormSet(BaseInlineFormSet):
    def clean(self):
        """A row ticked for deletion skips its own validation: refuse a closed period's here."""
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk:
                closed = form.instance.closed_period(deleting=True)
                if closed is not None:
                    raise ValidationError(BUDGET_OF_CLOSED_PERIOD % {"period": closed.label})


class BudgetInline(admin.TabularInline):
    model = FundBudget
    formset = BudgetFormSet
    extra = 0
    readonly_fields = ["reserved", "paid"]


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    """Funds and their budgets are set here; reserved and paid move only through approvals."""

    list_display = ["name", "org_unit"]
    inlines = [BudgetInline]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HardshipFile)
class HardshipFileAdmin(ReadOnly):
    list_display = ["pk", "member", "category", "status", "filed_on"]
    list_filter = ["category", "status"]
    exclude = ["id_number", "illness", "bank_account"]  # personal data stays in the audited page


@admin.register(AidApplication)
class AidApplicationAdmin(ReadOnly):
    list_display = ["pk", "member", "aid_type", "amount_requested", "amount_approved", "status", "filed_on"]
    list_filter = ["status", "aid_type"]


@admin.register(AidBatch)
class AidBatchAdmin(ReadOnly):
    list_display = ["title", "aid_type", "amount_per_household", "status"]


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnly):
    list_display = ["application", "amount", "method", "reference", "paid_on", "paid_by"]
