from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .errors import REASON_REQUIRED


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
    body = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"))


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("改派给"), queryset=get_user_model().objects.none())

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["to_user"].queryset = candidates
        self.fields["to_user"].label_from_instance = lambda u: u.get_full_name() or u.username


def max_attachment_mb():
    return settings.UNIONFLOW["ATTACHMENT_MAX_BYTES"] // (1024 * 1024)
