"""困难职工帮扶: hardship files, aid applications and batches, funds with budgets, disbursements."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from workflows import pii
from workflows.errors import PeriodClosed
from workflows.models import Member, OrgUnit, Period, WorkflowRecord
from workflows.roles import AID_READ, in_scope
from workflows.transitions import condition
from workflows.validators import NOT_NEGATIVE, PAYMENT, money_in_range

MONEY = {"max_digits": 12, "decimal_places": 2}
BUDGET_OF_CLOSED_PERIOD = _("%(period)s已结账，其预算不能新增、修改或删除。")


class AidType(models.TextChoices):
    LIVING = "living", _("生活救助")
    MEDICAL = "medical", _("医疗救助")
    EDUCATION = "education", _("助学/金秋助学")
    FESTIVAL = "festival", _("节日慰问/送温暖")
    MODEL_WORKER = "model_worker", _("劳模慰问")
    EMERGENCY = "emergency", _("临时救助/意外")


# The name each type goes by in a sentence of the report: one name, no slash (the labels above
# name both the type and its usual campaign for the forms).
AID_TYPE_PROSE = {
    AidType.LIVING: _("生活救助"),
    AidType.MEDICAL: _("医疗救助"),
    AidType.EDUCATION: _("助学"),
    AidType.FESTIVAL: _("节日慰问"),
    AidType.MODEL_WORKER: _("劳模慰问"),
    AidType.EMERGENCY: _("临时救助"),
}


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("银行转账")
    CASH = "cash", _("现金（签字领取）")
    IN_KIND = "in_kind", _("实物")


class Fund(models.Model):
    """A fund the union pays aid from (e.g. 困难职工帮扶资金, 送温暖专项)."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("资金名称"), max_length=60)

    class Meta:
        verbose_name = _("帮扶资金")
        verbose_name_plural = _("帮扶资金")
        constraints = [models.UniqueConstraint(fields=["org_unit", "name"], name="fund_unique_name")]

    def __str__(self):
        return self.name


class FundBudget(models.Model):
    """A fund's budget for a period.  reserved + paid never exceeds the amount: the database holds
    the rule, and approvals lock this row before reserving."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="budgets")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("预算（元）"), validators=NOT_NEGATIVE, **MONEY)
    reserved = models.DecimalField(_("已批待付（元）"), default=Decimal("0"), **MONEY)
    paid = models.DecimalField(_("已发放（元）"), default=Decimal("0"), **MONEY)

    class Meta:
        verbose_name = _("资金预算")
        verbose_name_plural = _("资金预算")
        constraints = [
            models.UniqueConstraint(fields=["fund", "period"], name="fund_budget_once_per_period"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(paid__gte=0) & Q(amount__gte=0), name="fund_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=F("reserved") + F("paid")), name="fund_budget_never_overdrawn"
            ),
            models.CheckConstraint(
                condition=money_in_range("amount") & money_in_range("reserved") & money_in_range("paid"),
                name="fund_budget_amounts_finite",
            ),
        ]

    def __str__(self):
        return f"{self.fund} {self.period.label}"

    def save(self, *args, **kwargs):
        self._refuse_in_closed_period()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_in_closed_period(deleting=True)
        return super().delete(*args, **kwargs)

    def closed_period(self, *, deleting=False):
        """The closed period this row is in, or was in as stored: its budget is part of that period's
        figures (帮扶资金预算, 预算使用率), so it is neither added, changed nor deleted."""
        stored = type(self)._default_manager.filter(pk=self.pk).values("period_id", "amount").first()
        if not deleting and stored == {"period_id": self.period_id, "amount": self.amount}:
            return None  # unchanged (approvals and payments move money with update(), not here)
        periods = {self.period_id, stored["period_id"] if stored else None} - {None}
        return Period.objects.filter(pk__in=periods).exclude(status=Period.Status.OPEN).first()

    def clean(self):
        closed = self.closed_period()
        if closed is not None:
            raise ValidationError(BUDGET_OF_CLOSED_PERIOD % {"period": closed.label})

    def _refuse_in_closed_period(self, *, deleting=False):
        closed = self.closed_period(deleting=deleting)
        if closed is not None:
            raise PeriodClosed(BUDGET_OF_CLOSED_PERIOD, period=closed.label)

    @property
    def remaining(self):
        return self.amount - self.reserved - self.paid


@condition(_("该档案尚有未办结的帮扶申请，办结或撤回后才能脱困"))
def no_open_application(file):
    return not file.applications.exclude(status__in=AidApplication.CLOSED_STATUSES).exists()


@condition(_("困难职工档案已脱困"))
def hardship_file_not_lifted(record):
    """No step towards money on a lifted file: lifting waits for open applications, and one that
    was open before this rule can still be rejected or withdrawn (those moves have no condition)."""
    file_id = getattr(record, "hardship_file_id", None)  # a batch has none: its households do
    return file_id is None or HardshipFile.objects.filter(pk=file_id, status=HardshipFile.Status.ACTIVE).exists()


class HardshipFile(WorkflowRecord):
    """困难职工档案: the household's situation, with the category the committee confirmed."""

    class Category(models.TextChoices):
        DEEP = "deep", _("深度困难")
        RELATIVE = "relative", _("相对困难")
        ACCIDENT = "accident", _("意外致困")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在档")
        LIFTED = "lifted", _("已脱困")

    member = models.ForeignKey(Member, verbose_name=_("职工"), on_delete=models.PROTECT, related_name="hardship_files")
    household_size = models.PositiveSmallIntegerField(_("家庭人口"))
    income_per_head = models.DecimalField(_("家庭月人均收入（元）"), validators=NOT_NEGATIVE, **MONEY)
    ill_or_disabled = models.PositiveSmallIntegerField(_("患病或残疾人数"), default=0)
    sudden_loss = models.DecimalField(_("突发损失（元）"), default=Decimal("0"), validators=NOT_NEGATIVE, **MONEY)
    cause = models.TextField(_("致困原因"), max_length=3000)
    category = models.CharField(_("困难类别"), max_length=10, choices=Category.choices)
    # Personal data: masked in lists, publicity and the API unless the role needs it.
    id_number = models.CharField(_("身份证号"), max_length=18)
    illness = models.CharField(_("病情"), max_length=300, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=30, blank=True)
    consent_signed_on = models.DateField(_("核对家庭经济状况授权书签署日期"))
    next_review_on = models.DateField(_("下次复核日期"))
    status = FSMField(_("状态"), default=Status.ACTIVE, choices=Status.choices, protected=True)
    lifted_on = models.DateField(_("脱困日期"), null=True, blank=True)
    lifted_reason = models.TextField(_("脱困原因"), blank=True)

    class Meta:
        verbose_name = _("困难职工档案")
        verbose_name_plural = _("困难职工档案")
        ordering = ["-pk"]
        permissions = [
            ("manage_hardshipfile", _("建档与复核困难职工档案")),
            ("view_pii", _("查看困难职工个人敏感信息")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="active"), name="hardship_one_active_file_per_member"
            ),
            models.CheckConstraint(condition=Q(household_size__gte=1), name="hardship_household_at_least_one"),
            models.CheckConstraint(
                condition=Q(income_per_head__gte=0) & Q(sudden_loss__gte=0), name="hardship_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=money_in_range("income_per_head") & money_in_range("sudden_loss"),
                name="hardship_amounts_finite",
            ),
        ]

    # A file holds the household's income, illness and ID number: the committee that keeps it reads it.
    read_permission = "aid.manage_hardshipfile"

    def __str__(self):
        # No personal data: the member's name is added for each viewer by workflows.pii.title.
        return _("困难职工档案（第%(pk)s号）") % {"pk": self.pk}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("aid:file", args=[self.pk])

    @classmethod
    def open_to_q(cls, user):
        return Q(member__user_id=user.pk)

    @transition(
        field=status,
        source=Status.ACTIVE,
        target=Status.LIFTED,
        conditions=[no_open_application],
        permission=in_scope("aid.manage_hardshipfile"),
        custom={"label": _("脱困")},
    )
    def lift(self, *, on_date, lifted_reason):
        self.lifted_on, self.lifted_reason = on_date, lifted_reason


@condition(_("公示期间有未处理的异议"))
def no_open_objection(record):
    return not record.objections.filter(resolved=False).exists()


class ReviewedAndPublicised(models.Model):
    """民主评议 then 公示, the same for one application and for a batch: a majority passes it into
    publicity, an objection sends it back, and publicity's end passes it to approval."""

    publicity_ends_on = models.DateField(_("公示截止"), null=True, blank=True)
    decision_note = models.TextField(_("审批/退回意见"), blank=True)

    class Meta:
        abstract = True

    @transition(
        field="status",
        source="reviewing",
        target="publicizing",
        conditions=[hardship_file_not_lifted],
        custom={"label": _("评议通过，进入公示")},
    )
    def pass_review(self, *, publicity_ends_on):
        self.publicity_ends_on = publicity_ends_on

    @transition(field="status", source="reviewing", target="rejected", custom={"label": _("评议未通过")})
    def fail_review(self, *, note=""):
        self.decision_note = note

    @transition(
        field="status", source="publicizing", target="reviewing", custom={"label": _("公示期间有异议，退回评议")}
    )
    def object(self):
        pass

    @transition(
        field="status",
        source="publicizing",
        target="approving",
        conditions=[no_open_objection, hardship_file_not_lifted],
        custom={"label": _("公示期满")},
    )
    def end_publicity(self):
        pass


class AidBatch(ReviewedAndPublicised, WorkflowRecord):
    """批量慰问: many households, one amount each, reviewed, publicised and approved together."""

    class Status(models.TextChoices):
        REVIEWING = "reviewing", _("民主评议")
        PUBLICIZING = "publicizing", _("公示中")
        APPROVING = "approving", _("待审批")
        APPROVED = "approved", _("已批准")
        PAYING = "paying", _("发放中")
        PAID = "paid", _("已发放")
        REJECTED = "rejected", _("未通过")

    title = models.CharField(_("名称"), max_length=100)
    aid_type = models.CharField(_("帮扶类型"), max_length=14, choices=AidType.choices)
    amount_per_household = models.DecimalField(_("每户金额（元）"), validators=PAYMENT, **MONEY)
    fund = models.ForeignKey(Fund, verbose_name=_("资金"), on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, verbose_name=_("期间"), on_delete=models.PROTECT, related_name="+")
    status = FSMField(_("状态"), default=Status.REVIEWING, choices=Status.choices, protected=True)
    # The payment instruction finance gave when the batch started paying (发放指令).  It lives here,
    # not only in the worker's message, so a lost or killed message can be sent again from the row.
    payment_ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payment_method = models.CharField(_("发放方式"), max_length=8, choices=PaymentMethod.choices, blank=True)
    payment_reference = models.CharField(_("凭证号/签收人"), max_length=60, blank=True)
    payment_paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    payment_key = models.CharField(max_length=64, blank=True)  # each household's payment key is <key>-<application>
    paying_since = models.DateTimeField(_("开始发放时间"), null=True, blank=True)
    last_paid_at = models.DateTimeField(_("最近一户发放时间"), null=True, blank=True)
    payment_resubmitted_at = models.DateTimeField(_("重新提交发放时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量慰问")
        verbose_name_plural = _("批量慰问")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_per_household__gt=0), name="batch_amount_positive"),
            models.CheckConstraint(condition=money_in_range("amount_per_household"), name="batch_amount_finite"),
            # An instruction is whole or absent (batches that started paying before it was stored have none).
            models.CheckConstraint(
                condition=Q(payment_key="")
                | Q(
                    payment_ordered_by__isnull=False,
                    payment_paid_on__isnull=False,
                    paying_since__isnull=False,
                    payment_method__in=PaymentMethod.values,
                ),
                name="batch_payment_instruction_whole",
            ),
        ]

    read_permission = AID_READ

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("aid:batch", args=[self.pk])

    @classmethod
    def open_to_q(cls, user):
        return Q(pk__in=[])  # a batch is the union's; each household reads its own application

    @property
    def total(self):
        return self.amount_per_household * self.applications.count()

    @transition(
        field=status,
        source=Status.APPROVING,
        target=Status.APPROVED,
        permission=in_scope("aid.approve_aidapplication"),
        custom={"label": _("审批同意")},
    )
    def approve(self, *, note=""):
        pass

    @transition(
        field=status,
        source=Status.APPROVING,
        target=Status.REJECTED,
        permission=in_scope("aid.approve_aidapplication"),
        custom={"label": _("审批不同意")},
    )
    def reject(self, *, note):
        pass

    @transition(field=status, source=Status.APPROVED, target=Status.PAYING, custom={"label": _("开始发放")})
    def start_paying(self, *, ordered_by, payment_method, reference, paid_on, key):
        """Finance has decided the payment; a worker now pays household by household.
        (``payment_method``, not ``method``: django-fsm passes the transition itself as ``method``.)"""
        self.store_payment_instruction(
            ordered_by=ordered_by, method=payment_method, reference=reference, paid_on=paid_on, key=key
        )

    def store_payment_instruction(self, *, ordered_by, method, reference, paid_on, key):
        self.payment_ordered_by = ordered_by
        self.payment_method = method
        self.payment_reference = reference
        self.payment_paid_on = paid_on
        self.payment_key = key
        self.paying_since = timezone.now()

    @transition(field=status, source=Status.PAYING, target=Status.PAID, custom={"label": _("发放完毕")})
    def mark_paid(self):
        pass


class AidApplication(ReviewedAndPublicised, WorkflowRecord):
    class Status(models.TextChoices):
        VERIFYING = "verifying", _("入户核实")
        RETURNED = "returned", _("退回补正")
        REVIEWING = "reviewing", _("民主评议")
        PUBLICIZING = "publicizing", _("公示中")
        APPROVING = "approving", _("主席审批")
        UPPER_APPROVING = "upper_approving", _("上级工会审批")
        APPROVED = "approved", _("已批准待发放")
        PAID = "paid", _("已发放")
        REJECTED = "rejected", _("未批准")
        WITHDRAWN = "withdrawn", _("已撤回")
        IN_BATCH = "in_batch", _("随批量慰问办理")

    # ended: nothing more happens to it (a hardship file with only these may be lifted)
    CLOSED_STATUSES = (Status.PAID, Status.REJECTED, Status.WITHDRAWN)

    member = models.ForeignKey(
        Member, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="aid_applications"
    )
    hardship_file = models.ForeignKey(
        HardshipFile,
        verbose_name=_("困难档案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    period = models.ForeignKey(Period, verbose_name=_("期间"), on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        AidBatch,
        verbose_name=_("批量慰问"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    aid_type = models.CharField(_("帮扶类型"), max_length=14, choices=AidType.choices)
    amount_requested = models.DecimalField(_("申请金额（元）"), validators=PAYMENT, **MONEY)
    reasons = models.TextField(_("申请理由"), max_length=3000)
    fund = models.ForeignKey(
        Fund, verbose_name=_("资金"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount_approved = models.DecimalField(_("批准金额（元）"), null=True, blank=True, validators=PAYMENT, **MONEY)
    status = FSMField(_("状态"), default=Status.VERIFYING, choices=Status.choices, protected=True)
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("帮扶申请")
        verbose_name_plural = _("帮扶申请")
        ordering = ["-pk"]
        permissions = [
            ("verify_aidapplication", _("入户核实")),
            ("review_aidapplication", _("民主评议")),
            ("approve_aidapplication", _("审批帮扶")),
            ("upper_approve_aidapplication", _("上级工会审批帮扶")),
            ("disburse_aidapplication", _("发放帮扶资金")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_requested__gt=0), name="aid_amount_requested_positive"),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True) | Q(amount_approved__gt=0),
                name="aid_amount_approved_positive",
            ),
            models.CheckConstraint(
                condition=money_in_range("amount_requested")
                & (Q(amount_approved__isnull=True) | money_in_range("amount_approved")),
                name="aid_amounts_finite",
            ),
        ]

    read_permission = AID_READ

    # what the applicant (and whoever applied for them) is told, and when
    applicant_notices = {
        "approve": _("帮扶申请已批准：%(record)s"),
        "approve_to_upper": _("帮扶申请经主席同意，已报上级工会审批：%(record)s"),
        "upper_approve": _("帮扶申请已批准：%(record)s"),
        "reject": _("帮扶申请未获批准：%(record)s"),
        "pay": _("帮扶资金已发放：%(record)s"),
    }

    def __str__(self):
        # No personal data: the applicant's name is added for each viewer by workflows.pii.title.
        return _("%(type)s申请（第%(pk)s号）") % {"type": self.get_aid_type_display(), "pk": self.pk}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("aid:application", args=[self.pk])

    def applicant_users(self):
        # a batch's household hears of its own payment; the chair who made the batch is not told 26 times
        return [self.member.user] if self.batch_id else [self.member.user, self.created_by]

    def notice_body(self, transition):
        amount = self.amount_approved
        if amount is None and self.batch_id:
            amount = self.batch.amount_per_household
        if transition == "reject":
            return _("意见：%(note)s") % {"note": self.decision_note} if self.decision_note else ""
        if transition == "approve_to_upper":
            return _("批准金额%(amount)s元，上级工会审批后发放。") % {"amount": amount}
        if transition == "pay":
            return _("%(amount)s元已发放，请注意查收。") % {"amount": amount}
        return _("批准金额%(amount)s元，财务将按规定发放。") % {"amount": amount}

    @classmethod
    def open_to_q(cls, user):
        """The applicant, and whoever applied on their behalf."""
        return Q(member__user_id=user.pk) | Q(created_by_id=user.pk)

    def may_open_attachments(self, user):
        """Certificates and receipts show the household's situation: the applicant, whoever applied
        for them, and those who may read that situation (the home visitors, the chair deciding)."""
        from workflows import pii

        return user.pk in (self.member.user_id, self.created_by_id) or pii.may_see(user, self, "illness")

    @transition(
        field=status,
        source=Status.VERIFYING,
        target=Status.REVIEWING,
        conditions=[hardship_file_not_lifted],
        custom={"label": _("核实完毕")},
    )
    def verified(self):
        pass

    @transition(field=status, source=Status.VERIFYING, target=Status.RETURNED, custom={"label": _("退回补正")})
    def return_for_correction(self, *, note):
        self.decision_note = note

    @transition(
        field=status,
        source=Status.RETURNED,
        target=Status.VERIFYING,
        conditions=[hardship_file_not_lifted],
        permission=lambda a, user: a.member.user_id == user.pk or a.created_by_id == user.pk,
        custom={"label": _("补正后重新提交")},
    )
    def resubmit(self, *, reasons, amount_requested):
        self.reasons, self.amount_requested = reasons, amount_requested

    def _holds_current_step(self, user):
        """退回 is the current step's holder's move: 民主评议 or 主席审批, in the record's scope."""
        perm = {
            self.Status.REVIEWING: "aid.review_aidapplication",
            self.Status.APPROVING: "aid.approve_aidapplication",
        }.get(self.status)
        return perm is not None and user.has_perm(perm, self)

    @transition(
        field=status,
        source=[Status.REVIEWING, Status.APPROVING],
        target=Status.VERIFYING,
        conditions=[hardship_file_not_lifted],
        permission=lambda a, user: a._holds_current_step(user),
        custom={"label": _("退回入户核实")},
    )
    def send_back_to_verify(self):
        """退回: the household is visited again (two new visits; the latest two count); the
        votes and publicity of an earlier round stay in the record as history."""
        self.publicity_ends_on = None

    @transition(
        field=status,
        source=Status.APPROVING,
        target=Status.REVIEWING,
        conditions=[hardship_file_not_lifted],
        permission=lambda a, user: a._holds_current_step(user),
        custom={"label": _("退回民主评议")},
    )
    def send_back_to_review(self):
        """退回: the committee reviews again and the result is publicised again."""
        self.publicity_ends_on = None

    @transition(
        field=status,
        source=Status.APPROVING,
        target=Status.APPROVED,
        conditions=[hardship_file_not_lifted],
        permission=in_scope("aid.approve_aidapplication"),
        custom={"label": _("主席审批同意")},
    )
    def approve(self, *, on_date, fund, amount, note=""):
        self.decided_on, self.fund, self.amount_approved, self.decision_note = on_date, fund, amount, note

    @transition(
        field=status,
        source=Status.APPROVING,
        target=Status.UPPER_APPROVING,
        conditions=[hardship_file_not_lifted],
        permission=in_scope("aid.approve_aidapplication"),
        custom={"label": _("主席同意，报上级工会审批")},
    )
    def approve_to_upper(self, *, on_date, fund, amount, note=""):
        self.decided_on, self.fund, self.amount_approved, self.decision_note = on_date, fund, amount, note

    @transition(
        field=status,
        source=Status.UPPER_APPROVING,
        target=Status.APPROVED,
        conditions=[hardship_file_not_lifted],
        permission=in_scope("aid.upper_approve_aidapplication"),
        custom={"label": _("上级工会审批同意")},
    )
    def upper_approve(self, *, note=""):
        if note:
            self.decision_note = note

    @transition(
        field=status,
        source=[Status.APPROVING, Status.UPPER_APPROVING, Status.IN_BATCH],
        target=Status.REJECTED,
        custom={"label": _("审批不同意")},
    )
    def reject(self, *, note):
        self.decision_note = note

    @transition(
        field=status, source=[Status.APPROVED, Status.IN_BATCH], target=Status.PAID, custom={"label": _("发放")}
    )
    def pay(self):
        pass

    @transition(
        field=status,
        source=[Status.VERIFYING, Status.RETURNED, Status.REVIEWING, Status.PUBLICIZING],
        target=Status.WITHDRAWN,
        permission=lambda a, user: a.member.user_id == user.pk,
        custom={"label": _("撤回申请")},
    )
    def withdraw(self, *, note=""):
        self.decision_note = note


class Verification(models.Model):
    """入户核实 by one committee member (two per application, 会签)."""

    application = models.ForeignKey(AidApplication, on_delete=models.CASCADE, related_name="verifications")
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("核实日期"))
    findings = models.TextField(_("核实情况"))
    returned = models.BooleanField(_("退回补正"), default=False)

    class Meta:
        verbose_name = _("入户核实")
        verbose_name_plural = _("入户核实")

    def __str__(self):
        return f"{self.application_id} {self.verifier}"


class Vote(models.Model):
    """民主评议: each committee member's vote, per round (an objection opens a new round)."""

    class Choice(models.TextChoices):
        FOR = "for", _("同意")
        AGAINST = "against", _("不同意")
        ABSTAIN = "abstain", _("弃权")

    application = models.ForeignKey(
        AidApplication, null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    batch = models.ForeignKey(AidBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="votes")
    round = models.PositiveSmallIntegerField(default=1)
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        verbose_name = _("评议表决")
        verbose_name_plural = _("评议表决")
        constraints = [
            models.UniqueConstraint(fields=["application", "round", "voter"], name="vote_once_per_round"),
            models.UniqueConstraint(fields=["batch", "round", "voter"], name="batch_vote_once_per_round"),
            models.CheckConstraint(
                condition=Q(application__isnull=False) ^ Q(batch__isnull=False), name="vote_on_one_thing"
            ),
        ]

    def __str__(self):
        return f"{self.voter} {self.choice}"


class Objection(models.Model):
    """异议 raised during publicity."""

    application = models.ForeignKey(
        AidApplication, null=True, blank=True, on_delete=models.CASCADE, related_name="objections"
    )
    batch = models.ForeignKey(AidBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="objections")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("异议内容"), max_length=2000)
    at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(_("已处理"), default=False)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self):
        return self.text[:30]


class Disbursement(models.Model):
    """发放: exactly one per application (the one-to-one and the idempotency key hold it)."""

    Method = PaymentMethod

    application = models.OneToOneField(AidApplication, on_delete=models.PROTECT, related_name="disbursement")
    fund_budget = models.ForeignKey(FundBudget, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.DecimalField(_("金额（元）"), validators=PAYMENT, **MONEY)
    method = models.CharField(_("发放方式"), max_length=8, choices=Method.choices)
    reference = models.CharField(_("凭证号/签收人"), max_length=60)
    paid_on = models.DateField(_("发放日期"))
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("发放记录")
        verbose_name_plural = _("发放记录")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
            models.CheckConstraint(condition=money_in_range("amount"), name="disbursement_amount_finite"),
        ]

    def __str__(self):
        return f"{self.application_id} {self.amount}"


# -- personal data (workflows.pii) -------------------------------------------------------------
VIEW_PII = "aid.view_pii"  # the chair and finance, within their unit
DECIDES = "aid.approve_aidapplication"  # the chair


def _file_field(name):
    return lambda application: getattr(application.hardship_file, name) if application.hardship_file_id else ""


pii.register(
    HardshipFile,
    pii.Policy(
        subject=lambda file: file.member.user_id,
        title=lambda file, name: _("%(name)s的困难职工档案") % {"name": name},
        fields={
            "name": pii.Field(_("姓名"), pii.NAME, (VIEW_PII,), get=lambda file: file.member.display_name),
            "id_number": pii.Field(_("身份证号"), pii.ID_NUMBER, (VIEW_PII,)),
            "income_per_head": pii.Field(_("家庭月人均收入"), pii.AMOUNT, (VIEW_PII,)),
            "sudden_loss": pii.Field(_("突发损失"), pii.AMOUNT, (VIEW_PII,)),
            "illness": pii.Field(_("病情"), pii.TEXT, (VIEW_PII,)),
            "cause": pii.Field(_("致困原因"), pii.TEXT, (VIEW_PII,)),
            "bank_account": pii.Field(_("银行账号"), pii.ACCOUNT, (VIEW_PII,)),
        },
        related=("member__user", "org_unit"),
    ),
)

pii.register(
    AidApplication,
    pii.Policy(
        subject=lambda application: application.member.user_id,
        title=lambda application, name: (
            _("%(name)s的%(type)s申请") % {"name": name, "type": application.get_aid_type_display()}
        ),
        fields={
            "name": pii.Field(
                _("申请人"), pii.NAME, (pii.HANDLER, VIEW_PII), get=lambda application: application.member.display_name
            ),
            # The household's situation to the committee members verifying it at home and to the
            # chair who decides; finance pays an amount and needs none of it.
            "income_per_head": pii.Field(
                _("家庭月人均收入"), pii.AMOUNT, (pii.Step("home_visit"), DECIDES), get=_file_field("income_per_head")
            ),
            "illness": pii.Field(_("病情"), pii.TEXT, (pii.Step("home_visit"), DECIDES), get=_file_field("illness")),
            "cause": pii.Field(_("致困原因"), pii.TEXT, (pii.Step("home_visit"), DECIDES), get=_file_field("cause")),
            # The account only to whoever is paying into it (发放, for the application or its batch).
            "bank_account": pii.Field(
                _("银行账号"), pii.ACCOUNT, (pii.Step("disburse"),), get=_file_field("bank_account")
            ),
        },
        # a household of a batch is paid through the batch's own task
        handled_via=lambda application: (AidBatch(pk=application.batch_id),) if application.batch_id else (),
        related=("member__user", "hardship_file", "org_unit"),
    ),
)
