"""劳动争议调解: a complaint or labour dispute from filing to agreement, failure or arbitration advice."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from workflows import pii
from workflows.models import EmployerUnit, Member, WorkflowRecord
from workflows.roles import CASES_READ, in_scope
from workflows.transitions import condition
from workflows.validators import CASE_AMOUNT, money_in_range


@condition(_("调解期限只能延长一次，本案已延长过"))
def mediation_not_yet_extended(case):
    return case.extended_days == 0


@condition(_("已记录调解过程或已延长调解期限的案件不能退回受理审查，请按调解结果办结"))
def mediation_not_yet_begun(case):
    return case.extended_days == 0 and not case.sessions.exists()


@condition(_("只有信访件可以延长办结期限，且只能延长一次"))
def is_petition_not_yet_extended(case):
    return case.is_petition and not case.petition_extended


# 待受理 and 调解中: a dispute filed again while in one of these is linked as a duplicate.
OPEN_DISPUTE_STATES = ["registered", "mediating"]


class GrievanceCase(WorkflowRecord):
    class Channel(models.TextChoices):
        PHONE = "phone", _("来电")
        VISIT = "visit", _("来访")
        ONLINE = "online", _("网上")
        LETTER = "letter", _("信函")
        REFERRAL = "referral", _("转办")

    class Category(models.TextChoices):
        WAGES = "wages", _("劳动报酬/欠薪")
        SOCIAL_INSURANCE = "social_insurance", _("社会保险")
        CONTRACT = "contract", _("劳动合同")
        INJURY = "injury", _("工伤")
        OVERTIME = "overtime", _("加班与休假")
        COMPENSATION = "compensation", _("经济补偿")
        OTHER = "other", _("其他")

    # The name each category goes by in a sentence of the report (one name, no slash).
    CATEGORY_PROSE = {
        Category.WAGES: _("劳动报酬"),
        Category.SOCIAL_INSURANCE: _("社会保险"),
        Category.CONTRACT: _("劳动合同"),
        Category.INJURY: _("工伤"),
        Category.OVERTIME: _("加班与休假"),
        Category.COMPENSATION: _("经济补偿"),
        Category.OTHER: _("其他"),
    }

    class Status(models.TextChoices):
        REGISTERED = "registered", _("待受理")
        DUPLICATE = "duplicate", _("重复登记")
        REJECTED = "rejected", _("不予受理")
        MEDIATING = "mediating", _("调解中")
        AGREED = "agreed", _("调解成功")  # 达成调解协议, awaiting performance
        FAILED = "failed", _("调解不成")
        WITHDRAWN = "withdrawn", _("已撤回")
        CLOSED = "closed", _("已结案")

    class RejectionReason(models.TextChoices):
        NOT_LABOUR = "not_labour", _("不属于劳动争议")
        NO_CONSENT = "no_consent", _("对方不同意调解")
        IN_ARBITRATION = "in_arbitration", _("已进入仲裁或诉讼")
        OTHER = "other", _("其他")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        FAIRLY = "fairly", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    # Intake (登记)
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("争议类别"), max_length=20, choices=Category.choices)
    applicant_name = models.CharField(_("申请人"), max_length=60)
    applicant_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    applicant = models.ForeignKey(
        Member, verbose_name=_("申请人（职工）"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employer_unit = models.ForeignKey(
        EmployerUnit, verbose_name=_("被申请单位"), on_delete=models.PROTECT, related_name="+"
    )
    facts = models.TextField(_("事实与理由"), max_length=5000)
    claims = models.TextField(_("请求事项"), max_length=3000)
    workers_involved = models.PositiveIntegerField(_("涉及职工人数"), validators=[MinValueValidator(1)])
    amount_claimed = models.DecimalField(
        _("标的额（元）"), max_digits=12, decimal_places=2, default=Decimal("0.00"), validators=CASE_AMOUNT
    )
    is_collective = models.BooleanField(_("集体争议"), default=False, editable=False)
    is_petition = models.BooleanField(_("信访件"), default=False)
    petition_reply_due = models.DateField(_("信访受理答复期限"), null=True, blank=True)
    petition_conclude_due = models.DateField(_("信访办结期限"), null=True, blank=True)
    petition_extended = models.BooleanField(_("信访办结期限已延长"), default=False)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("重复于"), null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    status = FSMField(_("状态"), default=Status.REGISTERED, choices=Status.choices, protected=True)

    # Acceptance (受理) or rejection
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调解员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mediation_due = models.DateField(_("调解期限"), null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(_("延长天数"), default=0)
    extension_reason = models.CharField(_("延长理由"), max_length=300, blank=True)
    rejection_reason = models.CharField(_("不予受理理由"), max_length=20, choices=RejectionReason.choices, blank=True)
    rejection_note = models.TextField(_("不予受理说明"), blank=True)

    # Outcome
    concluded_on = models.DateField(_("调解终结日期"), null=True, blank=True)
    amount_agreed = models.DecimalField(
        _("协议金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True, validators=CASE_AMOUNT
    )
    agreement_terms = models.TextField(_("协议内容"), blank=True)
    performance_due = models.DateField(_("履行期限"), null=True, blank=True)
    agreement_signed_on = models.DateField(_("协议签署日期"), null=True, blank=True)
    failure_reason = models.TextField(_("调解不成原因"), blank=True)
    expired = models.BooleanField(_("超期自动终结"), default=False)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)

    # Follow-up (回访) and close (结案)
    performed = models.BooleanField(_("已履行"), null=True, blank=True)
    follow_up_note = models.TextField(_("回访情况"), blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("劳动争议案件")
        verbose_name_plural = _("劳动争议案件")
        ordering = ["-filed_on", "-pk"]
        permissions = [
            ("accept_grievancecase", _("受理劳动争议")),
            ("mediate_grievancecase", _("调解劳动争议")),
            ("register_grievancecase", _("代为登记劳动争议")),
        ]
        indexes = [
            models.Index(fields=["org_unit", "filed_on"]),
            models.Index(fields=["employer_unit", "category"]),
            # The duplicate-dispute check on filing (services.find_open_duplicate) looks among open
            # cases only: small partial indexes keep filing flat however many cases have closed.
            models.Index(
                fields=["applicant", "employer_unit", "category"],
                condition=Q(status__in=OPEN_DISPUTE_STATES, applicant__isnull=False),
                name="case_open_dispute_by_member",
            ),
            models.Index(
                fields=["applicant_name", "applicant_phone", "employer_unit", "category"],
                condition=Q(status__in=OPEN_DISPUTE_STATES),
                name="case_open_dispute_by_name",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(workers_involved__gte=1), name="case_workers_involved_at_least_one"),
            models.CheckConstraint(condition=Q(amount_claimed__gte=0), name="case_amount_claimed_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_agreed__isnull=True) | Q(amount_agreed__gte=0),
                name="case_amount_agreed_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False), name="case_duplicate_links_original"
            ),
            models.CheckConstraint(
                condition=money_in_range("amount_claimed")
                & (Q(amount_agreed__isnull=True) | money_in_range("amount_agreed")),
                name="case_amounts_finite",
            ),
        ]

    read_permission = CASES_READ

    # what the worker in dispute is told, and when (rejection and failure carry their written
    # advice: services._tell_applicant)
    applicant_notices = {
        "accept": _("已受理：%(record)s"),
        "agree": _("调解成功：%(record)s"),
        "close": _("已结案：%(record)s"),
    }

    def applicant_users(self):
        return [self.applicant.user] if self.applicant_id and self.applicant.user_id else []

    def notice_body(self, transition):
        if transition == "accept":
            return _("您的调解申请已受理，调解员%(mediator)s将在%(due)s前主持调解。") % {
                "mediator": self.mediator.get_full_name() or self.mediator.username,
                "due": f"{self.mediation_due:%Y-%m-%d}",
            }
        if transition == "agree":
            return _("双方已达成调解协议，金额%(amount)s元，履行期限%(due)s。请按约定签署并履行。") % {
                "amount": self.amount_agreed,
                "due": f"{self.performance_due:%Y-%m-%d}" if self.performance_due else "—",
            }
        return _("本案已回访结案，感谢您的评价。")

    @classmethod
    def open_to_q(cls, user):
        """The filer and the worker in dispute (a case registered on their behalf)."""
        return Q(created_by_id=user.pk) | Q(applicant__user_id=user.pk)

    def __str__(self):
        # No personal data: the applicant's name is added for each viewer by workflows.pii.title.
        return _("%(number)s：%(employer)s（%(category)s）") % {
            "number": self.number,
            "employer": self.employer_unit.name,
            "category": self.get_category_display(),
        }

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cases:detail", args=[self.pk])

    @property
    def number(self):
        """The case number the union writes on documents: 调字〔2026〕第12号."""
        return _("调字〔%(year)s〕第%(pk)s号") % {"year": self.filed_on.year, "pk": self.pk}

    @property
    def is_open(self):
        return self.status in (self.Status.REGISTERED, self.Status.MEDIATING, self.Status.AGREED)

    # -- transitions: the only writers of status ------------------------------------------------
    @transition(
        field=status,
        source=Status.REGISTERED,
        target=Status.MEDIATING,
        permission=in_scope("cases.accept_grievancecase"),
        custom={"label": _("受理")},
    )
    def accept(self, *, on_date, mediator, mediation_due):
        self.accepted_on = on_date
        self.mediator = mediator
        self.mediation_due = mediation_due

    @transition(
        field=status,
        source=Status.REGISTERED,
        target=Status.REJECTED,
        permission=in_scope("cases.accept_grievancecase"),
        custom={"label": _("不予受理")},
    )
    def reject(self, *, rejection_reason, note=""):
        self.rejection_reason = rejection_reason
        self.rejection_note = note

    @transition(
        field=status,
        source=Status.MEDIATING,
        target=Status.MEDIATING,
        conditions=[mediation_not_yet_extended],
        permission=lambda case, user: case.mediator_id == user.pk,
        custom={"label": _("双方同意延长调解期限")},
    )
    def extend(self, *, days, extension_reason):
        """By agreement of both parties, once (企业劳动争议协商调解规定 art. 26)."""
        self.extended_days = days
        self.extension_reason = extension_reason
        self.mediation_due += datetime.timedelta(days=days)

    @transition(
        field=status,
        source=Status.MEDIATING,
        target=Status.REGISTERED,
        conditions=[mediation_not_yet_begun],
        permission=lambda case, user: case.mediator_id == user.pk,
        custom={"label": _("退回受理审查")},
    )
    def send_back_to_review(self):
        """退回: the mediator finds the acceptance should be looked at again before any mediation
        happened; the acceptance (date, mediator, time limit) is voided and made again."""
        self.accepted_on = None
        self.mediator = None
        self.mediation_due = None

    @transition(
        field=status,
        source=Status.MEDIATING,
        target=Status.AGREED,
        permission=lambda case, user: case.mediator_id == user.pk,
        custom={"label": _("调解成功")},
    )
    def agree(self, *, on_date, amount, terms, performance_due):
        self.concluded_on = on_date
        self.amount_agreed = amount
        self.agreement_terms = terms
        self.performance_due = performance_due

    @transition(
        field=status,
        source=Status.MEDIATING,
        target=Status.FAILED,
        permission=lambda case, user: case.mediator_id == user.pk,
        custom={"label": _("调解不成")},
    )
    def fail(self, *, on_date, failure_reason, expired=False):
        self.concluded_on = on_date
        self.failure_reason = failure_reason
        self.expired = expired

    @transition(
        field=status,
        source=[Status.REGISTERED, Status.MEDIATING],
        target=Status.WITHDRAWN,
        permission=lambda case, user: (
            case.created_by_id == user.pk or (case.applicant_id is not None and case.applicant.user_id == user.pk)
        ),
        custom={"label": _("撤回申请")},
    )
    def withdraw(self, *, on_date, withdrawal_reason):
        self.concluded_on = on_date
        self.withdrawal_reason = withdrawal_reason

    @transition(
        field=status,
        source=[Status.REGISTERED, Status.MEDIATING, Status.AGREED],
        target=RETURN_VALUE(Status.REGISTERED, Status.MEDIATING, Status.AGREED),
        conditions=[is_petition_not_yet_extended],
        permission=in_scope("cases.accept_grievancecase"),
        custom={"label": _("延长信访办结期限")},
    )
    def extend_petition(self, *, days):
        """信访: the conclusion limit may be extended once (30 days by default); status stays."""
        self.petition_extended = True
        self.petition_conclude_due += datetime.timedelta(days=days)
        return self.status

    @transition(
        field=status,
        source=Status.AGREED,
        target=Status.AGREED,
        permission=lambda case, user: case.mediator_id == user.pk,
        custom={"label": _("记录协议签署")},
    )
    def record_signature(self, *, on_date):
        self.agreement_signed_on = on_date

    @transition(
        field=status,
        source=Status.AGREED,
        target=Status.CLOSED,
        permission=lambda case, user: case.mediator_id == user.pk,
        custom={"label": _("回访结案")},
    )
    def close(self, *, on_date, performed, note, satisfaction):
        self.performed = performed
        self.follow_up_note = note
        self.satisfaction = satisfaction
        self.closed_on = on_date


class MediationSession(models.Model):
    """One mediation meeting (调解记录): who attended and what was said."""

    case = models.ForeignKey(GrievanceCase, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("调解日期"))
    attendees = models.CharField(_("参加人员"), max_length=500)
    invited = models.CharField(_("邀请参加的单位或个人"), max_length=300, blank=True)
    notes = models.TextField(_("调解情况"), max_length=10000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["held_on", "pk"]

    def __str__(self):
        return f"{self.case_id} {self.held_on}"


pii.register(
    GrievanceCase,
    pii.Policy(
        subject=lambda case: case.applicant.user_id if case.applicant_id else None,
        title=lambda case, name: (
            _("%(name)s诉%(employer)s（%(category)s）")
            % {"name": name, "employer": case.employer_unit.name, "category": case.get_category_display()}
        ),
        fields={
            # Those who accept and mediate disputes know whose dispute it is; finance, the proposal
            # committee and the upper union read the figures, not the people.
            "name": pii.Field(
                _("申请人"), pii.NAME, (pii.HANDLER, "cases.accept_grievancecase"), get=lambda c: c.applicant_name
            ),
            # The phone only to who must call: the mediator, the registrar, the holder of the case's task.
            "applicant_phone": pii.Field(_("联系电话"), pii.PHONE, (pii.HANDLER,)),
        },
        handlers=lambda case: (case.mediator_id, case.created_by_id),
        related=("applicant", "employer_unit", "org_unit"),
    ),
)
