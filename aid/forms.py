from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.errors import REASON_REQUIRED
from workflows.forms import RecordFilterForm
from workflows.money import grouped_yuan
from workflows.validators import PAYMENT_CEILING, not_in_future
from workflows.widgets import AmountInput, DateInput

from .models import AidApplication, AidType, Disbursement, Fund, FundBudget, HardshipFile, Vote

# 审批意见 of the chair and of the upper-level union (one enum in the API schema).
APPROVAL_DECISIONS = [("approve", _("同意")), ("reject", _("不同意"))]


class HardshipFileForm(forms.ModelForm):
    class Meta:
        model = HardshipFile
        fields = [
            "household_size",
            "income_per_head",
            "ill_or_disabled",
            "sudden_loss",
            "cause",
            "category",
            "id_number",
            "illness",
            "bank_account",
            "consent_signed_on",
        ]
        widgets = {
            "cause": forms.Textarea(attrs={"rows": 3}),
            "income_per_head": AmountInput(),
            "sudden_loss": AmountInput(),
            "consent_signed_on": DateInput(),
        }
        help_texts = {"category": _("系统按低保标准给出建议类别，委员会确认。")}

    def clean_consent_signed_on(self):
        day = self.cleaned_data["consent_signed_on"]
        not_in_future(day)
        return day


class ApplyForm(forms.Form):
    aid_type = forms.ChoiceField(label=_("帮扶类型"), choices=AidType.choices)
    amount_requested = forms.DecimalField(
        label=_("申请金额（元）"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        validators=[PAYMENT_CEILING],
        widget=AmountInput(),
    )
    reasons = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000)


class VerifyForm(forms.Form):
    visited_on = forms.DateField(label=_("入户核实日期"), initial=timezone.localdate, widget=DateInput())
    findings = forms.CharField(label=_("核实情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000)
    returned = forms.BooleanField(label=_("材料不全或情况不符，退回补正"), required=False)

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("日期不能晚于今天。"))
        return day


class ResubmitForm(forms.Form):
    reasons = forms.CharField(label=_("申请理由（补正后）"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000)
    amount_requested = forms.DecimalField(
        label=_("申请金额（元）"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        validators=[PAYMENT_CEILING],
        widget=AmountInput(),
    )


class VotesForm(forms.Form):
    """民主评议: the recorder enters each committee member's vote (absent members left blank).

    Besides ``note``, one field per committee member of the union: ``vote_<用户编号>`` with
    ``for`` (同意), ``against`` (不同意) or ``abstain`` (弃权); leave a member out when absent."""

    needs_task = True

    note = forms.CharField(
        label=_("评议意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, data=None, *, task):
        super().__init__(data)
        from workflows.roles import Role
        from workflows.selectors import users_with_role_in

        process = task.process.unionprocess
        self.voters = list(users_with_role_in([Role.COMMITTEE, Role.CHAIR], process.org_unit))
        choices = [("", _("缺席")), *Vote.Choice.choices]
        for user in self.voters:
            self.fields[f"vote_{user.pk}"] = forms.ChoiceField(
                label=user.get_full_name() or user.username, choices=choices, required=False
            )
        self.order_fields([*(f"vote_{user.pk}" for user in self.voters), "note"])

    def clean(self):
        data = super().clean()
        data["votes"] = {u: data.get(f"vote_{u.pk}") for u in self.voters if data.get(f"vote_{u.pk}")}
        if not data["votes"]:
            raise forms.ValidationError(_("请至少记录一名委员的表决意见。"))
        return data


class ApproveForm(forms.Form):
    needs_task = True

    decision = forms.ChoiceField(label=_("审批意见"), choices=APPROVAL_DECISIONS, widget=forms.RadioSelect)
    fund = forms.ModelChoiceField(label=_("资金"), queryset=Fund.objects.none(), required=False)
    amount = forms.DecimalField(
        label=_("批准金额（元）"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        required=False,
        validators=[PAYMENT_CEILING],
        widget=AmountInput(),
    )
    note = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, data=None, *, task):
        super().__init__(data)
        record = task.process.artifact
        funds = Fund.objects.filter(org_unit__in=record.org_unit.ancestors())
        self.fields["fund"].queryset = funds
        # each fund with what is left of its budget for the record's period, as the approver decides
        budgets = FundBudget.objects.filter(fund__in=funds, period_id=record.period_id)
        left = {
            fund: amount - reserved - paid
            for fund, amount, reserved, paid in budgets.values_list("fund_id", "amount", "reserved", "paid")
        }
        self.fields["fund"].label_from_instance = lambda fund: (
            _("%(fund)s（本期预算余额%(left)s）") % {"fund": fund.name, "left": grouped_yuan(left[fund.pk])}
            if fund.pk in left
            else _("%(fund)s（本期未编预算）") % {"fund": fund.name}
        )
        if getattr(record, "fund_id", None):
            self.fields["fund"].initial = record.fund_id
        elif len(only := list(funds[:2])) == 1:
            self.fields["fund"].initial = only[0].pk  # the union has one fund: offered, bulk approval uses it
        if isinstance(record, AidApplication):
            self.fields["amount"].initial = record.amount_requested
        else:
            del self.fields["amount"]  # a batch's amount is fixed per household

    def clean(self):
        data = super().clean()
        if data.get("decision") == "approve" and not data.get("fund"):
            self.add_error("fund", _("请选择资金。"))
        if data.get("decision") == "reject" and not data.get("note", "").strip():
            self.add_error("note", REASON_REQUIRED)
        return data


class UpperApproveForm(forms.Form):
    decision = forms.ChoiceField(label=_("上级工会意见"), choices=APPROVAL_DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("note", "").strip():
            self.add_error("note", REASON_REQUIRED)
        return data


class DisburseForm(forms.Form):
    method = forms.ChoiceField(label=_("发放方式"), choices=Disbursement.Method.choices)
    reference = forms.CharField(label=_("凭证号或签收人"), max_length=60)
    paid_on = forms.DateField(
        label=_("发放日期"), initial=timezone.localdate, validators=[not_in_future], widget=DateInput()
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class BatchForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=100, initial=_("春节送温暖"))
    aid_type = forms.ChoiceField(label=_("帮扶类型"), choices=AidType.choices, initial=AidType.FESTIVAL)
    amount_per_household = forms.DecimalField(
        label=_("每户金额（元）"),
        min_value=Decimal("1"),
        max_digits=12,
        decimal_places=2,
        initial=500,
        validators=[PAYMENT_CEILING],
        widget=AmountInput(),
    )
    fund = forms.ModelChoiceField(label=_("资金"), queryset=Fund.objects.none())
    files = forms.ModelMultipleChoiceField(
        label=_("慰问对象（困难职工档案）"), queryset=HardshipFile.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, funds, files, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds
        self.fields["files"].queryset = files
        self.fields["files"].label_from_instance = lambda f: (
            f"{f.member.display_name}（{f.get_category_display()}，{f.member.employer_unit.name}）"
        )

    def clean(self):
        data = super().clean()
        fund, files = data.get("fund"), data.get("files") or []
        if fund is not None:
            from .services import FUND_OUTSIDE_CHAIN, fund_serves

            for file in files:
                unit = file.member.org_unit
                if not fund_serves(fund, unit):
                    self.add_error(
                        "files",
                        FUND_OUTSIDE_CHAIN
                        % {
                            "subject": file.member.display_name,
                            "unit": unit.name,
                            "fund": fund.name,
                            "owner": fund.org_unit.name,
                        },
                    )
        return data


class LiftForm(forms.Form):
    lifted_reason = forms.CharField(label=_("脱困原因"), max_length=500)


class ApplicationFilterForm(RecordFilterForm):
    """The aid application list's search and filters."""

    model = AidApplication
    category_choices = AidType.choices
    category_label = _("帮扶类型")
    amount_label = _("申请金额")
    search_placeholder = _("编号、申请人、单位")
    date_choices = [("", _("申请日期")), ("paid", _("发放日期"))]
    sort_choices = [
        ("", _("申请日期（新→旧）")),
        ("filed_on", _("申请日期（旧→新）")),
        ("-amount_requested", _("申请金额（高→低）")),
    ]


class FileFilterForm(RecordFilterForm):
    """The hardship file register's search and filters."""

    model = HardshipFile
    category_choices = HardshipFile.Category.choices
    category_label = _("困难类别")
    amount_label = None
    search_placeholder = _("编号、职工、单位")
    date_choices = [("", _("建档日期"))]
    sort_choices = [
        ("", _("建档日期（新→旧）")),
        ("filed_on", _("建档日期（旧→新）")),
        ("next_review_on", _("复核日期（近→远）")),
    ]
