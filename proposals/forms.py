import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.errors import REASON_REQUIRED
from workflows.forms import RecordFilterForm
from workflows.validators import deadline
from workflows.widgets import DateInput

from .models import Department, Proposal


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["title", "category", "cause", "measures"]
        widgets = {"cause": forms.Textarea(attrs={"rows": 5}), "measures": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"title": _("一事一案：一份提案只提一个问题。")}


def _add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise ValueError(day)


class ReviewForm(forms.Form):
    needs_task = True

    decision = forms.ChoiceField(
        label=_("审查结论"),
        choices=[
            ("accept", _("立案")),
            ("suggestion", _("不立案，转为意见建议")),
            ("merge", _("并案")),
            ("reject", _("不予立案")),
        ],
        widget=forms.RadioSelect,
    )
    merge_into = forms.ModelChoiceField(label=_("并入提案"), queryset=Proposal.objects.none(), required=False)
    lead = forms.ModelChoiceField(label=_("主办部门"), queryset=Department.objects.none(), required=False)
    co_departments = forms.ModelMultipleChoiceField(
        label=_("协办部门"), queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    answer_due = forms.DateField(label=_("答复期限"), required=False, validators=[deadline], widget=DateInput())
    note = forms.CharField(
        label=_("审查意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, data=None, *, task):
        super().__init__(data)
        proposal = task.process.artifact
        self.proposal = proposal
        departments = Department.objects.filter(org_unit__in=proposal.org_unit.ancestors())
        self.fields["lead"].queryset = departments
        self.fields["co_departments"].queryset = departments
        self.fields["merge_into"].queryset = (
            Proposal.objects.filter(congress=proposal.congress)
            .exclude(pk=proposal.pk)
            .exclude(status__in=[Proposal.Status.DRAFT, Proposal.Status.MERGED, Proposal.Status.REJECTED])
        )
        self.fields["merge_into"].label_from_instance = lambda p: f"{p.number} {p.title}"
        self.fields["answer_due"].initial = _add_months(
            timezone.localdate(), settings.UNIONFLOW["PROPOSAL_ANSWER_MONTHS"]
        )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision in ("accept", "suggestion"):
            if not data.get("lead"):
                self.add_error("lead", _("请选择主办部门。"))
            if data.get("lead") and data.get("lead") in (data.get("co_departments") or []):
                self.add_error("co_departments", _("主办部门不能同时作为协办部门。"))
            due = data.get("answer_due") or self.fields["answer_due"].initial
            if due <= timezone.localdate():
                self.add_error("answer_due", _("答复期限应晚于今天。"))
            data["answer_due"] = due
        if decision == "merge" and not data.get("merge_into"):
            self.add_error("merge_into", _("请选择并入的提案。"))
        if decision == "reject" and not data.get("note", "").strip():
            self.add_error("note", REASON_REQUIRED)
        return data


class CoAnswerForm(forms.Form):
    text = forms.CharField(label=_("协办意见"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class AnswerForm(forms.Form):
    answer_status = forms.ChoiceField(
        label=_("办理情况"), choices=Proposal.AnswerStatus.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=_("答复内容（已采取或拟采取的措施）"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    reason = forms.CharField(
        label=_("暂不能解决的原因"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def clean(self):
        data = super().clean()
        if data.get("answer_status") == Proposal.AnswerStatus.NOT_POSSIBLE and not data.get("reason", "").strip():
            self.add_error("reason", REASON_REQUIRED)
        return data


class FeedbackForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("对答复的评价"),
        choices=[c for c in Proposal.Satisfaction.choices if c[0] != Proposal.Satisfaction.NONE],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("satisfaction") == Proposal.Satisfaction.UNSATISFIED and not data.get("note", "").strip():
            self.add_error("note", _("不满意时请说明理由，以便承办部门再办。"))
        return data


class ProposalFilterForm(RecordFilterForm):
    """The proposal list's search and filters."""

    model = Proposal
    category_choices = Proposal.Category.choices
    amount_label = None
    search_placeholder = _("编号、案题、提案人")
    sort_choices = [("", _("编号（新→旧）")), ("filed_on", _("登记日期（旧→新）")), ("status", _("状态"))]

    mine = forms.BooleanField(label=_("只看我的提案"), required=False)
