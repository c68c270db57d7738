from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .errors import REASON_REQUIRED
from .models import MembershipApplication, OrgUnit
from .widgets import AmountInput, DateInput


class MembershipApplyForm(forms.Form):
    statement = forms.CharField(
        label=_("入会申请书"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=2000,
        min_length=10,
        help_text=_("请简述本人情况与入会意愿，自愿遵守工会章程。"),
    )


class MembershipReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("approve", _("同意入会")), ("reject", _("不同意"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("note", "").strip():
            self.add_error("note", REASON_REQUIRED)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CommentForm(forms.Form):
    # the record pages show the box under their 意见与附件 heading, without a <label>: named for screen readers
    body = forms.CharField(
        label=_("意见"), widget=forms.Textarea(attrs={"rows": 3, "aria-label": _("意见")}), max_length=5000
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"), widget=forms.ClearableFileInput(attrs={"aria-label": _("选择附件")}))


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("改派给"), queryset=get_user_model().objects.none())

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["to_user"].queryset = candidates
        self.fields["to_user"].label_from_instance = lambda u: u.get_full_name() or u.username


class TransferForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("转交给"), queryset=get_user_model().objects.none())
    note = forms.CharField(label=_("附言（可选）"), required=False, max_length=200)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["to_user"].queryset = candidates
        self.fields["to_user"].label_from_instance = lambda u: u.get_full_name() or u.username


class SendBackForm(forms.Form):
    """退回: to which earlier step, and why (the reason is required and goes on the timeline)."""

    to = forms.ChoiceField(label=_("退回到"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("退回理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = list(targets)
        if len(self.fields["to"].choices) == 1:
            self.fields["to"].initial = self.fields["to"].choices[0][0]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请写明退回理由。"))
        return reason


class DelegationForm(forms.Form):
    deputy = forms.ModelChoiceField(label=_("代理人"), queryset=get_user_model().objects.none())
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    note = forms.CharField(label=_("事由（可选）"), required=False, max_length=200)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["deputy"].queryset = candidates
        self.fields["deputy"].label_from_instance = lambda u: u.get_full_name() or u.username


class NotificationSettingsForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label=_("同时发送邮件的通知"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("未勾选的类型只在系统内通知。"),
    )

    def __init__(self, *args, **kwargs):
        from .models import Notification

        super().__init__(*args, **kwargs)
        self.fields["email_kinds"].choices = Notification.Kind.choices


class ConsultForm(forms.Form):
    consultant = forms.ModelChoiceField(label=_("征求谁的意见"), queryset=get_user_model().objects.none())
    question = forms.CharField(
        label=_("征求的问题"), max_length=500, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500})
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["consultant"].queryset = candidates
        self.fields["consultant"].label_from_instance = lambda u: u.get_full_name() or u.username


class ConsultAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("您的意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000})
    )


class UrgeForm(forms.Form):
    note = forms.CharField(label=_("附言（可选）"), required=False, max_length=200)


class CopyForm(forms.Form):
    """抄送: people by name and/or whole roles, of the record's union or a union above it."""

    people = forms.ModelMultipleChoiceField(
        label=_("抄送人"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.MultipleChoiceField(
        label=_("或按角色抄送"), choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("附言（可选）"), required=False, max_length=200)

    def __init__(self, *args, record, actor, **kwargs):
        from .copies import COPY_ROLES, candidates

        super().__init__(*args, **kwargs)
        people = candidates(record, actor)
        self.fields["people"].queryset = people
        self.fields["people"].label_from_instance = lambda user: self._label(user, record)
        self.fields["roles"].choices = [(role.value, role.label) for role in COPY_ROLES]

    def _label(self, user, record):
        """ "刘德明（工会主席）": the name with the roles that make them a colleague here (one query)."""
        if not hasattr(self, "_roles"):
            from .models import RoleAssignment
            from .roles import Role

            self._roles = {}
            rows = RoleAssignment.objects.filter(org_unit__in=record.org_unit.ancestors()).values_list(
                "user_id", "role"
            )
            for user_id, role in rows.order_by("role"):
                self._roles.setdefault(user_id, []).append(str(Role(role).label))
        roles = "、".join(dict.fromkeys(self._roles.get(user.pk, [])))
        name = user.get_full_name() or user.username
        return f"{name}（{roles}）" if roles else name

    def clean(self):
        data = super().clean()
        if not data.get("people") and not data.get("roles") and not self.errors:
            raise forms.ValidationError(_("请选择抄送人或抄送角色。"))
        return data


def max_attachment_mb():
    return settings.UNIONFLOW["ATTACHMENT_MAX_BYTES"] // (1024 * 1024)


class RecordFilterForm(forms.Form):
    """A record list's search and filters (GET): text, state, category, org unit, date and amount
    ranges, sorting.  Each is optional; a wrong value is refused with the form's message and filters
    nothing.  Subclasses name the model, its categories and its sort orders."""

    model = None
    category_choices = ()
    category_label = _("类别")
    amount_label = _("金额")
    search_placeholder = _("编号、姓名、单位")
    sort_choices = [("", _("登记日期（新→旧）")), ("filed_on", _("登记日期（旧→新）"))]
    # which date the date range reads: the filing date, or another the list offers (办结日期…)
    date_choices = [("", _("登记日期"))]

    q = forms.CharField(
        label=_("搜索"), required=False, max_length=60, widget=forms.TextInput(attrs={"type": "search"})
    )
    status = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.ChoiceField(required=False)
    unit = forms.ModelChoiceField(label=_("组织单位"), required=False, queryset=OrgUnit.objects.none())
    dated = forms.ChoiceField(label=_("日期按"), required=False)
    filed_from = forms.DateField(label=_("日期从"), required=False, widget=DateInput())
    filed_to = forms.DateField(label=_("至"), required=False, widget=DateInput())
    amount_min = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=AmountInput(attrs={"step": "0.01"}),
    )
    amount_max = forms.DecimalField(
        label=_("至（元）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=AmountInput(attrs={"step": "0.01"}),
    )
    sort = forms.ChoiceField(label=_("排序"), required=False)

    def __init__(self, *args, user, **kwargs):
        from django.db.models import Q

        from . import selectors

        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = self.search_placeholder
        self.fields["status"].choices = [("", _("全部"))] + list(self.model.Status.choices)
        if self.category_choices:
            self.fields["category"].choices = [("", _("全部"))] + list(self.category_choices)
            self.fields["category"].label = self.category_label
        else:  # a record without categories (入会申请)
            del self.fields["category"]
        if self.amount_label is None:  # a record without an amount (a proposal)
            del self.fields["amount_min"], self.fields["amount_max"]
        else:
            self.fields["amount_min"].label = _("%(what)s从（元）") % {"what": self.amount_label}
        self.fields["sort"].choices = self.sort_choices
        if len(self.date_choices) > 1:
            self.fields["dated"].choices = self.date_choices
        else:
            del self.fields["dated"]
        units = selectors.org_units_in_scope(user, perm=self.model.read_permission)
        self.fields["unit"].queryset = units  # any unit in scope is accepted; the select offers two levels
        top = min((path.count("/") - 1 for path in selectors.scope_paths(user)), default=0)
        wanted = Q(depth__lte=top + 1)
        if str(self.data.get("unit", "")).isdigit():
            wanted |= Q(pk=int(self.data["unit"]))
        self.fields["unit"].choices = [("", _("全部单位"))] + [
            (unit.pk, unit.name) for unit in units.filter(wanted).order_by("path").only("pk", "name")
        ]
        self.has_units = len(self.fields["unit"].choices) > 2

    def clean(self):
        data = super().clean()
        if data.get("filed_from") and data.get("filed_to") and data["filed_from"] > data["filed_to"]:
            self.add_error("filed_to", _("结束日期不能早于开始日期。"))
        if data.get("amount_min") is not None and data.get("amount_max") is not None:
            if data["amount_min"] > data["amount_max"]:
                self.add_error("amount_max", _("上限不能小于下限。"))
        return data

    def describe(self):
        """The filters in use, in words (for the export's audit event)."""
        if not self.is_bound or not self.is_valid():
            return ""
        parts = []
        for name, value in self.cleaned_data.items():
            if value in (None, "", False):
                continue
            field = self.fields[name]
            shown = dict(field.choices).get(value, value) if isinstance(field, forms.ChoiceField) else value
            parts.append(f"{field.label}={shown}")
        return "，".join(str(p) for p in parts)


class MembershipFilterForm(RecordFilterForm):
    """The membership application list's search and filters."""

    model = MembershipApplication

    amount_label = None
    search_placeholder = _("编号、申请人、用人单位")
    sort_choices = [("", _("申请日期（新→旧）")), ("filed_on", _("申请日期（旧→新）"))]
    date_choices = [("", _("申请日期"))]
