from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from workflows.pii import admin_display

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
    """Personal data shows as workflows.pii renders it for the staff user: masked unless their role
    may read it in the file's unit, and then the sight is audited."""

    list_display = ["pk", admin_display("name", _("职工")), "category", "status", "filed_on"]
    list_filter = ["category", "status"]
    list_select_related = ["member__user", "org_unit"]
    exclude = ["member", "id_number", "income_per_head", "sudden_loss", "illness", "cause", "bank_account"]
    readonly_fields = [
        admin_display("name", _("职工")),
        admin_display("id_number", _("身份证号")),
        admin_display("income_per_head", _("家庭月人均收入（元）")),
        admin_display("sudden_loss", _("突发损失（元）")),
        admin_display("cause", _("致困原因")),
        admin_display("illness", _("病情")),
        admin_display("bank_account", _("银行账号")),
    ]


@admin.register(AidApplication)
class AidApplicationAdmin(ReadOnly):
    list_display = [
        "pk",
        admin_display("name", _("申请人")),
        "aid_type",
        "amount_requested",
        "amount_approved",
        "status",
        "filed_on",
    ]
    list_filter = ["status", "aid_type"]
    list_select_related = ["member__user", "org_unit"]
    exclude = ["member"]
    readonly_fields = [admin_display("name", _("申请人"))]


@admin.register(AidBatch)
class AidBatchAdmin(ReadOnly):
    list_display = ["title", "aid_type", "amount_per_household", "status"]


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnly):
    list_display = ["application", "amount", "method", "reference", "paid_on", "paid_by"]
