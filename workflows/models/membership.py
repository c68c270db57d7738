"""入会申请: a worker applies to join the union; a committee member of their union decides."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from .. import pii
from ..roles import MEMBERSHIP_READ, in_scope
from .org import EmployerUnit, Member
from .records import WorkflowRecord


class MembershipApplication(WorkflowRecord):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        WITHDRAWN = "withdrawn", _("已撤回")

    member = models.ForeignKey(Member, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="applications")
    employer_unit = models.ForeignKey(
        EmployerUnit, verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="+"
    )
    statement = models.TextField(_("入会申请书"), max_length=2000)
    status = FSMField(_("状态"), default=Status.SUBMITTED, choices=Status.choices, protected=True)
    decided_on = models.DateField(_("审核日期"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("入会申请")
        verbose_name_plural = _("入会申请")
        ordering = ["-created"]
        permissions = [("review_membershipapplication", _("审核入会申请"))]
        constraints = [
            # One open application per worker: a double submit cannot create a second one.
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(status="submitted"), name="membership_one_open_application"
            ),
        ]

    read_permission = MEMBERSHIP_READ

    # what the worker who applied is told, and when
    applicant_notices = {"approve": _("入会申请已批准：%(record)s"), "reject": _("入会申请未获批准：%(record)s")}

    @classmethod
    def open_to_q(cls, user):
        return models.Q(member__user_id=user.pk)

    def __str__(self):
        # No personal data: the applicant's name is added for each viewer by workflows.pii.title.
        return _("入会申请（第%(pk)s号）") % {"pk": self.pk}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("membership_detail", args=[self.pk])

    def applicant_users(self):
        return [self.member.user]

    def notice_body(self, transition):
        if transition == "approve":
            return _("欢迎加入工会！入会日期：%(on)s。") % {"on": f"{self.decided_on:%Y-%m-%d}"}
        return _("审核意见：%(note)s") % {"note": self.decision_note}

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.APPROVED,
        permission=in_scope("workflows.review_membershipapplication"),
        custom={"label": _("批准入会")},
    )
    def approve(self, *, on_date, note=""):
        self.decided_on = on_date
        self.decision_note = note
        self.member.membership = Member.Membership.MEMBER
        self.member.joined_on = on_date
        self.member.save(update_fields=["membership", "joined_on"])

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.REJECTED,
        permission=in_scope("workflows.review_membershipapplication"),
        custom={"label": _("不予批准")},
    )
    def reject(self, *, on_date, note):
        self.decided_on = on_date
        self.decision_note = note
        self.member.membership = Member.Membership.NON_MEMBER
        self.member.save(update_fields=["membership"])

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.WITHDRAWN,
        permission=lambda record, user: record.member.user_id == user.pk,
        custom={"label": _("撤回申请")},
    )
    def withdraw(self):
        self.member.membership = Member.Membership.NON_MEMBER
        self.member.save(update_fields=["membership"])


pii.register(
    MembershipApplication,
    pii.Policy(
        subject=lambda application: application.member.user_id,
        title=lambda application, name: _("%(name)s的入会申请") % {"name": name},
        fields={
            "name": pii.Field(
                _("申请人"),
                pii.NAME,
                (pii.HANDLER, "workflows.review_membershipapplication"),
                get=lambda application: application.member.display_name,
            ),
        },
        related=("member__user", "org_unit"),
    ),
)
