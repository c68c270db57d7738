"""职代会提案: a representative's proposal, from seconding to the department's answer and the proposer's rating."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from workflows.models import Member, OrgUnit, WorkflowRecord
from workflows.roles import PROPOSALS_READ, in_scope
from workflows.transitions import condition


class Congress(models.Model):
    """One session of the staff (or teachers') congress (届次/会议) and its proposal window (征集期)."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("会议名称"), max_length=100)
    window_opens = models.DateField(_("提案征集开始"))
    window_closes = models.DateField(_("提案征集截止"))
    held_on = models.DateField(_("会议日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("职代会会议")
        verbose_name_plural = _("职代会会议")
        ordering = ["-window_opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_opens__lte=models.F("window_closes")), name="congress_window_in_order"
            )
        ]

    def __str__(self):
        return self.name

    def window_open_on(self, day):
        return self.window_opens <= day <= self.window_closes


class Delegation(models.Model):
    """代表团/组: the representatives of a congress, grouped."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="delegations")
    name = models.CharField(_("代表团（组）"), max_length=60)
    members = models.ManyToManyField(Member, verbose_name=_("代表"), related_name="delegations", blank=True)

    class Meta:
        verbose_name = _("代表团")
        verbose_name_plural = _("代表团")

    def __str__(self):
        return self.name


class Department(models.Model):
    """承办部门: answers proposals through its contact person (联络人)."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("部门名称"), max_length=60)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联络人"),
        on_delete=models.PROTECT,
        related_name="proposal_departments",
    )

    class Meta:
        verbose_name = _("承办部门")
        verbose_name_plural = _("承办部门")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "name"], name="department_unique_name")]

    def __str__(self):
        return self.name


@condition(_("附议人数不足"))
def has_quorum(proposal):
    return proposal.seconds.count() >= settings.UNIONFLOW["PROPOSAL_MIN_SECONDERS"]


@condition(_("不在提案征集期内"))
def window_is_open(proposal):
    from django.utils import timezone

    return proposal.congress.window_open_on(timezone.localdate())


@condition(_("已有协办部门提交意见或已再办过的提案不能退回提案审查，请答复"))
def not_yet_contributed(proposal):
    return not proposal.rehandled and not proposal.co_answers.exists()


@condition(_("已再办过一次，第二次答复为最终答复"))
def not_yet_rehandled(proposal):
    return not proposal.rehandled


class Proposal(WorkflowRecord):
    class Category(models.TextChoices):
        DEVELOPMENT = "development", _("企业发展/经营管理")
        PAY = "pay", _("劳动报酬")
        SAFETY = "safety", _("劳动安全卫生")
        WELFARE = "welfare", _("生活福利")
        DEMOCRACY = "democracy", _("民主管理")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        DRAFT = "draft", _("起草中")
        SUBMITTED = "submitted", _("待审查")
        ACCEPTED = "accepted", _("已立案")
        SUGGESTION = "suggestion", _("转为意见建议")
        MERGED = "merged", _("已并案")
        REJECTED = "rejected", _("不予立案")
        HANDLING = "handling", _("办理中")
        ANSWERED = "answered", _("已答复")
        ARCHIVED = "archived", _("已办结归档")
        WITHDRAWN = "withdrawn", _("已撤回")

    class AnswerStatus(models.TextChoices):
        RESOLVED = "resolved", _("已解决")
        IN_PROGRESS = "in_progress", _("正在解决/列入计划")
        NOT_POSSIBLE = "not_possible", _("因条件限制暂不能解决")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        FAIRLY = "fairly", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")
        NONE = "none", _("未反馈")

    congress = models.ForeignKey(Congress, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="proposals")
    proposer = models.ForeignKey(Member, verbose_name=_("提案人"), on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("案题"), max_length=120)
    cause = models.TextField(_("案由"), max_length=5000)
    measures = models.TextField(_("建议"), max_length=5000)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    status = FSMField(_("状态"), default=Status.DRAFT, choices=Status.choices, protected=True)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)

    decided_on = models.DateField(_("审查日期"), null=True, blank=True)
    decision_note = models.TextField(_("审查意见"), blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("并入"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    is_suggestion = models.BooleanField(_("意见建议（轻量跟踪）"), default=False)

    lead_department = models.ForeignKey(
        Department, verbose_name=_("主办部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    co_departments = models.ManyToManyField(Department, verbose_name=_("协办部门"), blank=True, related_name="+")
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    answer_due = models.DateField(_("答复期限"), null=True, blank=True)

    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answer_status = models.CharField(_("办理情况"), max_length=14, choices=AnswerStatus.choices, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    answer_reason = models.TextField(_("暂不能解决的原因"), blank=True)
    answered_late = models.BooleanField(_("逾期答复"), default=False)
    rehandled = models.BooleanField(_("已再办"), default=False)
    first_answer = models.TextField(_("首次答复"), blank=True)

    satisfaction = models.CharField(_("提案人评价"), max_length=12, choices=Satisfaction.choices, blank=True)
    first_satisfaction = models.CharField(_("首次评价"), max_length=12, choices=Satisfaction.choices, blank=True)
    feedback_note = models.TextField(_("反馈意见"), blank=True)
    feedback_on = models.DateField(_("反馈日期"), null=True, blank=True)
    archived_on = models.DateField(_("归档日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("提案")
        verbose_name_plural = _("提案")
        ordering = ["-pk"]
        permissions = [
            ("review_proposal", _("审查提案")),
            ("answer_proposal", _("答复提案")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="proposal_merged_has_target"
            ),
        ]

    read_permission = PROPOSALS_READ

    # what the proposer is told, and when (an answer reaches them as the task to rate it)
    applicant_notices = {
        "accept": _("提案已立案：%(record)s"),
        "to_suggestion": _("提案转为意见建议办理：%(record)s"),
        "merge": _("提案已并案：%(record)s"),
        "reject": _("提案不予立案：%(record)s"),
        "archive": _("提案已办结归档：%(record)s"),
    }

    def applicant_users(self):
        return [self.proposer.user]

    def notice_body(self, transition):
        if transition == "merge" and self.merged_into_id:
            return _("并入%(number)s“%(title)s”办理。") % {
                "number": self.merged_into.number,
                "title": self.merged_into.title,
            }
        return _("提案委员会意见：%(note)s") % {"note": self.decision_note} if self.decision_note else ""

    @classmethod
    def open_to_q(cls, user):
        """提案公开: the proposer, and every member of the union the congress belongs to (or of a
        unit below it) — drafts too, so representatives find them to second (征集附议)."""
        members_below = Member.objects.filter(
            user_id=user.pk, org_unit__path__startswith=models.OuterRef("org_unit__path")
        )
        return Q(proposer__user_id=user.pk) | Q(models.Exists(members_below))

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("proposals:detail", args=[self.pk])

    @property
    def number(self):
        return _("第%(pk)s号") % {"pk": self.pk}

    def _is_proposer(self, user):
        return self.proposer.user_id == user.pk

    def filed_by(self, user):
        return self._is_proposer(user)

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.SUBMITTED,
        conditions=[window_is_open, has_quorum],
        permission=lambda p, user: p._is_proposer(user),
        custom={"label": _("提交提案")},
    )
    def submit(self, *, on_date):
        self.submitted_on = on_date

    @transition(
        field=status,
        source=[Status.DRAFT, Status.SUBMITTED],
        target=Status.WITHDRAWN,
        permission=lambda p, user: p._is_proposer(user),
        custom={"label": _("撤回提案")},
    )
    def withdraw(self, *, on_date, withdrawal_reason):
        self.decided_on, self.decision_note = on_date, withdrawal_reason

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.ACCEPTED,
        permission=in_scope("proposals.review_proposal"),
        custom={"label": _("立案")},
    )
    def accept(self, *, on_date, note=""):
        self.decided_on, self.decision_note = on_date, note

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.SUGGESTION,
        permission=in_scope("proposals.review_proposal"),
        custom={"label": _("不立案，转为意见建议")},
    )
    def to_suggestion(self, *, on_date, note=""):
        self.decided_on, self.decision_note, self.is_suggestion = on_date, note, True

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.MERGED,
        permission=in_scope("proposals.review_proposal"),
        custom={"label": _("并案")},
    )
    def merge(self, *, on_date, into, note=""):
        self.decided_on, self.decision_note, self.merged_into = on_date, note, into

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.REJECTED,
        permission=in_scope("proposals.review_proposal"),
        custom={"label": _("不予立案")},
    )
    def reject(self, *, on_date, note):
        self.decided_on, self.decision_note = on_date, note

    @transition(
        field=status,
        source=[Status.ACCEPTED, Status.SUGGESTION],
        target=Status.HANDLING,
        permission=in_scope("proposals.review_proposal"),
        custom={"label": _("交办")},
    )
    def assign(self, *, on_date, lead, answer_due):
        self.lead_department, self.assigned_on, self.answer_due = lead, on_date, answer_due

    @transition(
        field=status,
        source=Status.HANDLING,
        target=Status.ANSWERED,
        permission=lambda p, user: p.lead_department is not None and p.lead_department.contact_id == user.pk,
        custom={"label": _("答复")},
    )
    def give_answer(self, *, on_date, answer_status, answer, not_possible_reason=""):
        self.answered_on, self.answer_status, self.answer = on_date, answer_status, answer
        self.answer_reason = not_possible_reason
        self.answered_late = on_date > self.answer_due

    @transition(
        field=status,
        source=Status.ANSWERED,
        target=Status.ANSWERED,
        permission=lambda p, user: p._is_proposer(user),
        custom={"label": _("提案人反馈")},
    )
    def rate(self, *, on_date, satisfaction, note=""):
        self.feedback_on, self.satisfaction, self.feedback_note = on_date, satisfaction, note

    @transition(
        field=status,
        source=Status.ANSWERED,
        target=Status.HANDLING,
        conditions=[not_yet_rehandled],
        custom={"label": _("不满意，再办")},
    )
    def rehandle(self, *, answer_due):
        """再次办理: the department answers again by ``answer_due`` (the system's today + 30 days),
        or by the first deadline when that is later — a re-handling never moves it earlier."""
        self.rehandled = True
        self.first_answer, self.first_satisfaction = self.answer, self.satisfaction
        self.satisfaction = ""
        self.answer_due = max(answer_due, self.answer_due) if self.answer_due else answer_due

    @transition(
        field=status,
        source=Status.HANDLING,
        target=Status.SUBMITTED,
        conditions=[not_yet_contributed],
        permission=lambda p, user: p.lead_department is not None and p.lead_department.contact_id == user.pk,
        custom={"label": _("退回提案审查")},
    )
    def send_back_to_review(self):
        """退回: the lead department finds the proposal is not its own to answer (or not clear
        enough to); the committee decides and assigns again.  The assignment is voided."""
        self.lead_department, self.assigned_on, self.answer_due = None, None, None
        self.is_suggestion = False

    @transition(field=status, source=Status.ANSWERED, target=Status.ARCHIVED, custom={"label": _("办结归档")})
    def archive(self, *, on_date):
        if not self.satisfaction:
            self.satisfaction = self.Satisfaction.NONE  # silence counts as no feedback, shown apart
        self.archived_on = on_date


class Second(models.Model):
    """附议: one representative seconds a proposal, once."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="seconds")
    member = models.ForeignKey(Member, verbose_name=_("附议人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("附议时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = _("附议")
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="second_once_per_representative")]

    def __str__(self):
        return f"{self.member} → {self.proposal_id}"


class CoAnswer(models.Model):
    """协办部门's contribution, given before the lead department answers."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="co_answers")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("协办意见"))
    answered_on = models.DateField(_("日期"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("协办意见")
        verbose_name_plural = _("协办意见")
        constraints = [models.UniqueConstraint(fields=["proposal", "department"], name="co_answer_once_per_department")]

    def __str__(self):
        return f"{self.department} → {self.proposal_id}"
