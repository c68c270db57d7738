from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.errors import REASON_REQUIRED
from workflows.forms import RecordFilterForm
from workflows.models import EmployerUnit
from workflows.validators import CASE_AMOUNT, deadline
from workflows.widgets import AmountInput, DateInput

from .models import GrievanceCase

FUTURE_DATE = _("日期不能晚于今天。")
# 调解不成 rests on what happened in mediation: a recorded session (调解记录) or the reason stated.
FAILURE_NEEDS_SESSION_OR_REASON = _("本案尚无调解记录，认定调解不成须先记录调解情况，或填写调解不成的原因。")


def _past_or_today(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(FUTURE_DATE)
    return value


class CaseFileForm(forms.Form):
    """An employee files their own complaint (网上)."""

    category = forms.ChoiceField(label=_("争议类别"), choices=GrievanceCase.Category.choices)
    facts = forms.CharField(label=_("事实与理由"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    claims = forms.CharField(label=_("请求事项"), widget=forms.Textarea(attrs={"rows": 3}), max_length=3000)
    workers_involved = forms.IntegerField(label=_("涉及职工人数"), min_value=1, initial=1)
    amount_claimed = forms.DecimalField(
        label=_("标的额（元）"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        initial=Decimal("0"),
        widget=AmountInput(),
    )
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def clean_amount_claimed(self):
        amount = self.cleaned_data["amount_claimed"]
        if amount > settings.UNIONFLOW["CASE_MAX_AMOUNT"]:
            raise forms.ValidationError(_("标的额过大，请核实（单位：元）。"))
        return amount

    def clean_workers_involved(self):
        workers = self.cleaned_data["workers_involved"]
        if workers > settings.UNIONFLOW["CASE_MAX_WORKERS"]:
            raise forms.ValidationError(_("涉及人数过大，请核实。"))
        return workers


class CaseRegisterForm(CaseFileForm):
    """A union worker records a complaint on the applicant's behalf (来电、来访、信函、转办)."""

    channel = forms.ChoiceField(label=_("来源渠道"), choices=GrievanceCase.Channel.choices)
    applicant_name = forms.CharField(label=_("申请人"), max_length=60)
    employer_unit = forms.ModelChoiceField(label=_("被申请单位"), queryset=EmployerUnit.objects.none())
    filed_on = forms.DateField(
        label=_("登记日期"), initial=timezone.localdate, validators=[_past_or_today], widget=DateInput()
    )
    is_petition = forms.BooleanField(label=_("信访件（按信访时限办理）"), required=False)

    field_order = ["channel", "applicant_name", "applicant_phone", "employer_unit", "category", "filed_on"]

    def __init__(self, *args, employers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if employers is not None:
            self.fields["employer_unit"].queryset = employers


class AcceptForm(forms.Form):
    needs_task = True

    decision = forms.ChoiceField(
        label=_("审查结论"), choices=[("accept", _("受理")), ("reject", _("不予受理"))], widget=forms.RadioSelect
    )
    mediator = forms.ModelChoiceField(label=_("指派调解员"), queryset=None, required=False)
    rejection_reason = forms.ChoiceField(
        label=_("不予受理理由"), choices=[("", "—"), *GrievanceCase.RejectionReason.choices], required=False
    )
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)

    def __init__(self, data=None, *, task):
        super().__init__(data)
        from workflows.selectors import users_who_may

        process = task.process.unionprocess
        self.fields["mediator"].queryset = users_who_may("cases.mediate_grievancecase", process.org_unit)
        self.fields["mediator"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self):
        data = super().clean()
        if data.get("decision") == "accept" and not data.get("mediator"):
            self.add_error("mediator", _("受理时请指派调解员。"))
        if data.get("decision") == "reject":
            if not data.get("rejection_reason"):
                self.add_error("rejection_reason", _("请选择不予受理的理由。"))
            elif data["rejection_reason"] == "other" and not data.get("note", "").strip():
                self.add_error("note", REASON_REQUIRED)
        return data


class OutcomeForm(forms.Form):
    """调解成功 or 调解不成.  A failure's reason may stay blank only when a session is on record."""

    needs_task = True

    outcome = forms.ChoiceField(
        label=_("调解结果"), choices=[("agree", _("达成调解协议")), ("fail", _("调解不成"))], widget=forms.RadioSelect
    )
    amount_agreed = forms.DecimalField(
        label=_("协议金额（元）"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        required=False,
        validators=CASE_AMOUNT[1:],
        widget=AmountInput(),
    )
    agreement_terms = forms.CharField(
        label=_("协议内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    performance_due = forms.DateField(label=_("履行期限"), required=False, validators=[deadline], widget=DateInput())
    failure_reason = forms.CharField(
        label=_("调解不成原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("未记录调解情况的，须填写原因。"),
    )

    def __init__(self, data=None, *, task):
        super().__init__(data)
        self.task = task

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "agree":
            if data.get("amount_agreed") is None:
                self.add_error("amount_agreed", _("请填写协议金额（无金额填0）。"))
            if not data.get("agreement_terms", "").strip():
                self.add_error("agreement_terms", _("请填写协议内容。"))
            if not data.get("performance_due") and "performance_due" not in self.errors:
                self.add_error("performance_due", _("请填写履行期限。"))
        if data.get("outcome") == "fail" and not data.get("failure_reason", "").strip():
            if not self.task.process.artifact.sessions.exists():
                self.add_error("failure_reason", FAILURE_NEEDS_SESSION_OR_REASON)
        return data


class FollowUpForm(forms.Form):
    performed = forms.TypedChoiceField(
        label=_("协议履行情况"),
        choices=[("yes", _("已履行")), ("no", _("未履行"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("当事人评价"), choices=GrievanceCase.Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("延长天数"), min_value=1)
    reason = forms.CharField(label=_("延长理由（双方同意）"), max_length=300)


class SessionForm(forms.Form):
    held_on = forms.DateField(
        label=_("调解日期"), initial=timezone.localdate, validators=[_past_or_today], widget=DateInput()
    )
    attendees = forms.CharField(label=_("参加人员"), max_length=500)
    invited = forms.CharField(label=_("邀请参加的单位或个人"), max_length=300, required=False)
    notes = forms.CharField(label=_("调解情况"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class SignForm(forms.Form):
    signed_on = forms.DateField(
        label=_("签署日期"), initial=timezone.localdate, validators=[_past_or_today], widget=DateInput()
    )


class PetitionExtendForm(forms.Form):
    reason = forms.CharField(label=_("延长信访办结期限的理由"), max_length=300)


class CaseFilterForm(RecordFilterForm):
    """The case list's search and filters."""

    model = GrievanceCase
    category_choices = GrievanceCase.Category.choices
    category_label = _("争议类别")
    amount_label = _("标的额")
    search_placeholder = _("编号、申请人、被申请单位")
    date_choices = [("", _("登记日期")), ("concluded", _("办结日期"))]
    sort_choices = [
        ("", _("登记日期（新→旧）")),
        ("filed_on", _("登记日期（旧→新）")),
        ("-amount_claimed", _("标的额（高→低）")),
        ("-workers_involved", _("人数（多→少）")),
    ]

    collective = forms.BooleanField(label=_("仅集体争议"), required=False)
