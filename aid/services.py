"""Every write of 困难职工帮扶: one transaction each, audited; money moves only under a row lock."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows import engine
from workflows.calendar import add_working_days
from workflows.errors import AlreadyHandled, Conflict, IllegalTransition, NotPermitted, PeriodClosed, WorkflowError
from workflows.models import Member, Period
from workflows.pii import mask_digits, mask_name  # noqa: F401  (re-exported for aid's callers)
from workflows.transitions import (
    audit,
    backdated_note,
    ensure_day_open,
    ensure_numbers_storable,
    ensure_open_period_covers,
    ensure_period_open,
    is_locked,
    record_file,
    run_transition,
)

from .models import (
    AidApplication,
    AidBatch,
    AidType,
    Disbursement,
    FundBudget,
    HardshipFile,
    Objection,
    Verification,
    Vote,
)

NO_PERIOD = _("尚未设立%(date)s所在的统计期间，请管理员先在后台建立期间。")
NO_BUDGET = _("“%(fund)s”尚未安排%(period)s的预算。")
FUND_EXHAUSTED = _("“%(fund)s”%(period)s预算余额为%(left)s元，不足以批准%(amount)s元。")
SAME_TYPE_IN_PERIOD = _("%(name)s在%(period)s已有一份%(type)s申请，同一期间同一类型不能重复申请。")
NOT_PUBLICIZING = _("该事项不在公示期内，不能提出异议。")
NOT_IN_UNION = _("只有本单位的职工可以对公示提出异议。")
ALREADY_PAID = _("该笔帮扶已于%(date)s发放（%(reference)s），不会重复发放。")
NOT_A_VOTER = _("%(name)s不是本单位工会委员，不能参加评议表决。")
OPEN_FILE_EXISTS = _("该职工已有在档的困难职工档案。")
NOT_MEMBER = _("申请人尚未登记为职工。")
NOT_APPROVED = _("该申请尚未批准（当前状态：%(state)s），不能发放。")
ZERO_AMOUNT = _("金额应大于0元。")
FILE_LIFTED = _("该档案已于%(date)s脱困，不再复核。")
OCCURRED_ON_BEHALF_ONLY = _("只有代职工登记的申请可以填写发生日期。")
NOT_MODEL_WORKERS = _("职工（编号%(ids)s）不是%(union)s或其下级工会的劳模。")
NO_MODEL_WORKERS = _("%(union)s及其下级工会尚无认定的劳模。")
BUDGET_NOT_ALLOWED = _("只有本单位财务或管理员可以编制或调整资金预算。")
BUDGET_HALF_YEAR_ONLY = _("预算按上半年或下半年编制（帮扶按半年度期间计入）。")
BUDGET_PERIOD_OUTSIDE = _("%(period)s不是“%(fund)s”所属工会或其上级工会的统计期间。")
BUDGET_EXISTS = _("“%(fund)s”%(period)s的预算已经编制，请调整该预算。")
BUDGET_BELOW_USED = _("预算不能少于已批待付与已发放之和（%(used)s元）。")
BUDGET_PERIOD_CLOSED = _("%(period)s已结账，其预算不能再编制或调整；如需更正，请工会主席先重新开放该期间。")
FUND_OUTSIDE_CHAIN = _(
    "%(subject)s属于%(unit)s，“%(fund)s”是%(owner)s的资金，不能用于支付：只能使用本单位或上级工会的资金。"
)
PAID_BEFORE_DECISION = _("发放日期不能早于%(what)s（%(date)s）。")


# -- helpers ----------------------------------------------------------------------------------
def half_year_period(org_unit, day):
    """The 上半年/下半年 period that a record of ``org_unit`` filed on ``day`` belongs to."""
    period = (
        Period.objects.covering(org_unit, day).exclude(kind=Period.Kind.FULL_YEAR).order_by("-org_unit__depth").first()
    )
    if period is None:
        raise WorkflowError(NO_PERIOD, date=day)
    return period


def suggest_category(*, income_per_head, household_size, sudden_loss):
    """深度困难 below the local minimum, 相对困难 below twice it, 意外致困 for a sudden loss above 80% of
    the household's yearly income; the committee confirms."""
    standard = Decimal(settings.UNIONFLOW["AID_LOCAL_MINIMUM_LIVING"])
    yearly_household = income_per_head * household_size * 12
    if sudden_loss and yearly_household and sudden_loss > yearly_household * Decimal("0.8"):
        return HardshipFile.Category.ACCIDENT
    if income_per_head < standard:
        return HardshipFile.Category.DEEP
    if income_per_head < standard * 2:
        return HardshipFile.Category.RELATIVE
    return None


def _check_no_same_type(member, aid_type, period, *, exclude=None):
    """A member gets one application of a type per period, checked under a lock on the member."""
    if settings.UNIONFLOW["AID_ALLOW_REPEAT_TYPE_IN_PERIOD"]:
        return
    Member.objects.select_for_update().filter(pk=member.pk).exists()
    existing = AidApplication.objects.filter(member=member, aid_type=aid_type, period=period).exclude(
        status__in=[AidApplication.Status.REJECTED, AidApplication.Status.WITHDRAWN]
    )
    if exclude is not None:
        existing = existing.exclude(pk=exclude.pk)
    if existing.exists():
        from .models import AidType

        raise WorkflowError(
            SAME_TYPE_IN_PERIOD, name=member.display_name, period=period.label, type=AidType(aid_type).label
        )


def _locked_budget(fund, period):
    budget = (
        FundBudget.objects.select_for_update(of=("self",))
        .select_related("fund", "period")
        .filter(fund=fund, period=period)
        .first()
    )
    if budget is None:
        raise WorkflowError(NO_BUDGET, fund=fund.name, period=period.label)
    return budget


def fund_serves(fund, org_unit):
    """A fund pays for records of its own unit and of the units below it: a union is paid from its
    own funds or a union's above it (the record's unit chain), never from a sibling's."""
    return org_unit.path.startswith(fund.org_unit.path)


def ensure_fund_serves(fund, org_unit, subject):
    if not fund_serves(fund, org_unit):
        raise WorkflowError(
            FUND_OUTSIDE_CHAIN, subject=subject, unit=org_unit.name, fund=fund.name, owner=fund.org_unit.name
        )


def _ensure_batch_fund_serves(batch):
    for application in batch.applications.select_related("org_unit", "member__user"):
        ensure_fund_serves(batch.fund, application.org_unit, application.member.display_name)


def _reserve(fund, period, amount):
    budget = _locked_budget(fund, period)
    if budget.remaining < amount:
        raise WorkflowError(FUND_EXHAUSTED, fund=fund.name, period=period.label, left=budget.remaining, amount=amount)
    FundBudget.objects.filter(pk=budget.pk).update(reserved=budget.reserved + amount)


def _release(fund, period, amount):
    budget = _locked_budget(fund, period)
    FundBudget.objects.filter(pk=budget.pk).update(reserved=budget.reserved - amount)


# -- hardship files ---------------------------------------------------------------------------
def file_open(*, actor, member, request_id="", **fields):
    if not actor.has_perm("aid.manage_hardshipfile", member):
        raise NotPermitted(_("您无权为该职工建档。"))
    if HardshipFile.objects.filter(member=member, status=HardshipFile.Status.ACTIVE).exists():
        raise WorkflowError(OPEN_FILE_EXISTS)
    today = timezone.localdate()
    with transaction.atomic():
        file = HardshipFile(
            member=member,
            org_unit=member.org_unit,
            created_by=actor,
            next_review_on=today + datetime.timedelta(days=settings.UNIONFLOW["AID_FILE_REVIEW_DAYS"]),
            **fields,
        )
        record_file(file, actor=actor, action="open", label=_("建档"), request_id=request_id)
    return file


def file_review(*, file, actor, note, request_id=""):
    """年度复核: the household is still in hardship; the next review is a year on."""
    if not actor.has_perm("aid.manage_hardshipfile", file):
        raise NotPermitted(_("您无权复核该档案。"))
    if file.status != HardshipFile.Status.ACTIVE:
        raise IllegalTransition(FILE_LIFTED, date=file.lifted_on)
    ensure_period_open(file)
    with transaction.atomic():
        HardshipFile.objects.filter(pk=file.pk).update(
            next_review_on=timezone.localdate() + datetime.timedelta(days=settings.UNIONFLOW["AID_FILE_REVIEW_DAYS"])
        )
        audit(file, actor=actor, action="review", action_label=_("年度复核"), reason=note, request_id=request_id)
    file.refresh_from_db()
    return file


def file_lift(*, file, actor, reason, request_id=""):
    return run_transition(
        file,
        "lift",
        actor=actor,
        reason=reason,
        request_id=request_id,
        on_date=timezone.localdate(),
        lifted_reason=reason,
    )


# -- applications -----------------------------------------------------------------------------
def application_submit(*, actor, member, aid_type, amount_requested, reasons, occurred_on=None, request_id=""):
    """申请 by the employee, or by a committee member on their behalf; starts the flow.
    ``occurred_on``: a paper application handed in earlier, entered on the member's behalf; it
    counts in the open period of that day and its filing audit says so."""
    from .flows import AidFlow

    if member is None:
        raise NotPermitted(NOT_MEMBER)
    if member.user_id != actor.pk and not actor.has_perm("aid.manage_hardshipfile", member):
        raise NotPermitted(_("您无权代该职工申请。"))
    if amount_requested <= 0:
        raise WorkflowError(ZERO_AMOUNT)
    filed_on = timezone.localdate()
    if occurred_on is not None:
        if member.user_id == actor.pk:
            raise WorkflowError(OCCURRED_ON_BEHALF_ONLY)
        ensure_open_period_covers(member.org_unit, occurred_on)
        filed_on = occurred_on
    period = half_year_period(member.org_unit, filed_on)
    with transaction.atomic():
        _check_no_same_type(member, aid_type, period)
        application = AidApplication(
            member=member,
            org_unit=member.org_unit,
            created_by=actor,
            period=period,
            hardship_file=member.hardship_files.filter(status=HardshipFile.Status.ACTIVE).first(),
            aid_type=aid_type,
            amount_requested=amount_requested,
            reasons=reasons,
            filed_on=filed_on,
        )
        record_file(
            application,
            actor=actor,
            action="submit",
            label=_("提交申请"),
            request_id=request_id,
            reason=backdated_note(filed_on),
        )
        AidFlow.start.run(record=application)
    return application


def application_visit(*, application, actor, data):
    ensure_period_open(application)
    with transaction.atomic():
        Verification.objects.create(
            application=application,
            verifier=actor,
            visited_on=data["visited_on"],
            findings=data["findings"],
            returned=data["returned"],
        )
        audit(application, actor=actor, action="visit", action_label=_("入户核实"), reason=data["findings"][:500])


def application_tally_visits(*, application):
    """Both visits done: back to the applicant if either verifier returned it, else to review."""
    visits = application.verifications.order_by("-pk")[:2]
    returned = [v.findings for v in visits if v.returned]
    if returned:
        note = "；".join(returned)
        return run_transition(
            application, "return_for_correction", actor=None, check_permission=False, reason=note, note=note
        )
    return run_transition(application, "verified", actor=None, check_permission=False)


def application_resubmit(*, application, actor, data, request_id=""):
    return run_transition(
        application,
        "resubmit",
        actor=actor,
        request_id=request_id,
        reasons=data["reasons"],
        amount_requested=data["amount_requested"],
    )


SEND_BACK = {"verify": "send_back_to_verify", "review": "send_back_to_review"}


def application_send_back(*, application, actor, target, reason, request_id=""):
    """退回 from 民主评议 or 主席审批 to 入户核实, or from 主席审批 to 民主评议."""
    return run_transition(application, SEND_BACK[target], actor=actor, reason=reason, request_id=request_id)


def application_withdraw(*, application, actor, reason="", request_id=""):
    """The applicant (or whoever filed for them) withdraws; a reason is welcome, not required."""
    return engine.withdraw(application, actor=actor, reason=reason, request_id=request_id, note=reason)


def record_review(*, record, actor, data, request_id=""):
    """民主评议: record each committee member's vote; passes by majority of the votes cast."""
    from workflows.roles import Role
    from workflows.selectors import users_with_role_in

    allowed = set(users_with_role_in([Role.COMMITTEE, Role.CHAIR], record.org_unit).values_list("pk", flat=True))
    votes = data["votes"]
    for voter in votes:
        if voter.pk not in allowed:
            raise NotPermitted(NOT_A_VOTER, name=voter.get_full_name() or voter.username)
    ensure_period_open(record)
    owner = {"application": record} if isinstance(record, AidApplication) else {"batch": record}
    with transaction.atomic():
        last = Vote.objects.filter(**owner).order_by("-round").values_list("round", flat=True).first() or 0
        Vote.objects.bulk_create(
            [Vote(round=last + 1, voter=voter, choice=choice, **owner) for voter, choice in votes.items()]
        )
        count = {choice: sum(1 for c in votes.values() if c == choice) for choice in Vote.Choice.values}
        in_favour = count[Vote.Choice.FOR]
        tally = f"同意{in_favour}票，不同意{count[Vote.Choice.AGAINST]}票，弃权{count[Vote.Choice.ABSTAIN]}票"
        reason = f"{tally}。{data.get('note', '')}".strip("。") + "。"
        Objection.objects.filter(**owner, resolved=False).update(resolved=True)  # this round answered them
        if in_favour * 2 > len(votes):
            ends = add_working_days(timezone.localdate(), settings.UNIONFLOW["AID_PUBLICITY_WORKING_DAYS"])
            return run_transition(
                record, "pass_review", actor=actor, request_id=request_id, reason=reason, publicity_ends_on=ends
            )
        record = run_transition(record, "fail_review", actor=actor, request_id=request_id, reason=reason, note=reason)
        if isinstance(record, AidBatch):
            _reject_households(record, reason)
        return record


def objection_raise(*, record, actor, text, request_id=""):
    """异议 during publicity: the record goes back to review at once (the publicity timer fires now)."""
    from workflows.tasks import fire_workflow_timers

    member = Member.objects.filter(user=actor).select_related("org_unit").first()
    union_path = "/".join([part for part in record.org_unit.path.split("/") if part][:2]) + "/"  # its 基层工会
    if member is None or not member.org_unit.path.startswith(union_path):
        raise NotPermitted(NOT_IN_UNION)
    if record.status != record.Status.PUBLICIZING:
        raise WorkflowError(NOT_PUBLICIZING)
    owner = {"application": record} if isinstance(record, AidApplication) else {"batch": record}
    with transaction.atomic():
        objection = Objection.objects.create(raised_by=actor, text=text, **owner)
        run_transition(record, "object", actor=actor, check_permission=False, reason=text, request_id=request_id)
        engine.timers_due_now(record)
        transaction.on_commit(fire_workflow_timers.delay, robust=True)  # else beat's sweep fires it
    return objection


def publicity_close(*, record):
    """The publicity timer fired: on to approval, unless an objection already sent it back."""
    record.refresh_from_db()
    if record.status != record.Status.PUBLICIZING:
        return record
    return run_transition(record, "end_publicity", actor=None, check_permission=False)


def application_approve(*, application, actor, data, request_id=""):
    """审批: reserve the amount in the fund under a row lock; above the threshold the upper union
    approves as well.  A fund without room refuses with its balance and nothing changes."""
    if data["decision"] == "reject":
        return run_transition(
            application, "reject", actor=actor, request_id=request_id, reason=data["note"], note=data["note"]
        )
    amount = data.get("amount") or application.amount_requested
    ensure_fund_serves(data["fund"], application.org_unit, application)
    with transaction.atomic():
        _reserve(data["fund"], application.period, amount)
        above = amount > settings.UNIONFLOW["AID_UPPER_APPROVAL_ABOVE"]
        return run_transition(
            application,
            "approve_to_upper" if above else "approve",
            actor=actor,
            request_id=request_id,
            reason=data.get("note", ""),
            on_date=timezone.localdate(),
            fund=data["fund"],
            amount=amount,
            note=data.get("note", ""),
        )


def application_upper(*, application, actor, data, request_id=""):
    if data["decision"] == "approve":
        return run_transition(
            application,
            "upper_approve",
            actor=actor,
            request_id=request_id,
            reason=data.get("note", ""),
            note=data.get("note", ""),
        )
    with transaction.atomic():
        _release(application.fund, application.period, application.amount_approved)  # the reservation goes back
        return run_transition(
            application,
            "reject",
            actor=actor,
            request_id=request_id,
            reason=data["note"],
            note=data["note"],
            check_permission=False,
        )


def _earlier_payment(application, key):
    """The payment a retried request already made (returned), or a refusal if the application was
    paid under another request; None when nothing was paid yet."""
    existing = Disbursement.objects.filter(Q(application=application) | Q(idempotency_key=key)).first()
    if existing is None:
        return None
    if existing.idempotency_key == key and existing.application_id == application.pk:
        return existing
    raise AlreadyHandled(ALREADY_PAID, date=existing.paid_on, reference=existing.reference)


def _pay(application, *, budget, amount, actor, method, reference, paid_on, key, checked=False):
    """Move ``amount`` from reserved to paid and record the payment, exactly once per application
    (``checked``: the caller looked for an earlier payment under the same lock)."""
    existing = None if checked else _earlier_payment(application, key)
    if existing is not None:
        return existing
    FundBudget.objects.filter(pk=budget.pk).update(reserved=budget.reserved - amount, paid=budget.paid + amount)
    budget.reserved -= amount
    budget.paid += amount
    disbursement = Disbursement.objects.create(
        application=application,
        fund_budget=budget,
        amount=amount,
        method=method,
        reference=reference,
        paid_on=paid_on,
        paid_by=actor,
        idempotency_key=key,
    )
    run_transition(application, "pay", actor=actor, check_permission=False, reason=f"{reference} {amount}元")
    return disbursement


def _check_paid_on(record, paid_on, *, since, what):
    """The 发放日期 counts the payment in a period's figures: a real day, after the decision, in an
    open period (2099, or a day of a closed half-year, would move a figure no one can see move)."""
    ensure_day_open(record.org_unit, paid_on, field="paid_on", label=_("发放日期"))
    if since and paid_on < since:
        message = PAID_BEFORE_DECISION % {"what": what, "date": since.isoformat()}
        raise WorkflowError(message, fields={"paid_on": [message]})


def application_disburse(*, application, actor, method, reference, paid_on, key, request_id=""):
    """发放 by finance: exactly once even if the request is retried or a worker dies mid-way."""
    _check_paid_on(application, paid_on, since=application.decided_on, what=_("审批日期"))
    with transaction.atomic():
        if not is_locked(application):  # the disburse task's activation has locked it already
            application = (
                AidApplication.objects.select_for_update(of=("self",))
                .select_related("fund", "period")
                .get(pk=application.pk)
            )
        existing = _earlier_payment(application, key)
        if existing is not None:
            return existing
        if application.status != AidApplication.Status.APPROVED:
            raise IllegalTransition(NOT_APPROVED, state=application.get_status_display())
        ensure_fund_serves(application.fund, application.org_unit, application)
        budget = _locked_budget(application.fund, application.period)
        return _pay(
            application,
            budget=budget,
            amount=application.amount_approved,
            actor=actor,
            method=method,
            reference=reference,
            paid_on=paid_on,
            key=key,
            checked=True,
        )


# -- batches ----------------------------------------------------------------------------------
def batch_create(*, actor, title, aid_type, amount_per_household, fund, files, request_id=""):
    """批量慰问: one batch for many households; a member already helped with this type in the
    period is left out (and named), never paid twice."""
    if not files:
        raise WorkflowError(_("请至少选择一户。"))
    households = [(file.member, file) for file in files]
    return _batch_start(
        actor=actor,
        title=title,
        aid_type=aid_type,
        amount_per_household=amount_per_household,
        fund=fund,
        households=households,
        request_id=request_id,
    )


def model_worker_batch_create(*, actor, title, amount_per_household, fund, members=None, request_id=""):
    """劳模慰问: one batch for the 劳模 of the fund's union and the unions below it (``members``
    chooses among them; all of them by default).  A 劳模 needs no hardship file; one who has an
    open file is linked to it."""
    eligible = Member.objects.filter(
        is_model_worker=True, org_unit__path__startswith=fund.org_unit.path
    ).select_related("user", "org_unit")
    if members is not None:
        chosen = list(eligible.filter(pk__in=[m.pk for m in members]).order_by("pk"))
        others = sorted({m.pk for m in members} - {m.pk for m in chosen})
        if others:
            raise Conflict(NOT_MODEL_WORKERS, ids="、".join(str(pk) for pk in others), union=fund.org_unit.name)
    else:
        chosen = list(eligible.order_by("org_unit__path", "pk"))
    if not chosen:
        raise Conflict(NO_MODEL_WORKERS, union=fund.org_unit.name)
    files = {f.member_id: f for f in HardshipFile.objects.filter(member__in=chosen, status=HardshipFile.Status.ACTIVE)}
    return _batch_start(
        actor=actor,
        title=title,
        aid_type=AidType.MODEL_WORKER,
        amount_per_household=amount_per_household,
        fund=fund,
        households=[(member, files.get(member.pk)) for member in chosen],
        request_id=request_id,
    )


def _batch_start(*, actor, title, aid_type, amount_per_household, fund, households, request_id):
    """Start a batch for ``households`` (pairs of member and hardship file or None)."""
    from .flows import AidBatchFlow

    org_unit = fund.org_unit
    if not actor.has_perm("aid.approve_aidapplication", org_unit):
        raise NotPermitted(_("只有工会主席可以发起批量慰问。"))
    for member, _file in households:
        ensure_fund_serves(fund, member.org_unit, member.display_name)
    today = timezone.localdate()
    period = half_year_period(org_unit, today)
    skipped = []
    with transaction.atomic():
        batch = AidBatch(
            org_unit=org_unit,
            created_by=actor,
            title=title,
            aid_type=aid_type,
            amount_per_household=amount_per_household,
            fund=fund,
            period=period,
        )
        ensure_period_open(batch)
        ensure_numbers_storable(batch)  # an amount of 0 or 1e400 is refused, not an IntegrityError
        batch.save()
        for member, file in households:
            try:
                with transaction.atomic():
                    _check_no_same_type(member, aid_type, period)
                    AidApplication.objects.create(
                        member=member,
                        org_unit=member.org_unit,
                        created_by=actor,
                        period=period,
                        hardship_file=file,
                        batch=batch,
                        aid_type=aid_type,
                        amount_requested=amount_per_household,
                        reasons=title,
                        fund=fund,
                        status=AidApplication.Status.IN_BATCH,
                    )
            except WorkflowError:
                skipped.append(member.display_name)
        if not batch.applications.exists():
            raise Conflict(_("所选职工本期均已获得同类帮扶，批量慰问未发起。"))
        # Counts only: the audit trail is read by roles that may not see who is in hardship (pii).
        note = f"共{batch.applications.count()}户" + (
            f"；{len(skipped)}户本期已享受同类帮扶，未列入" if skipped else ""
        )
        audit(
            batch,
            actor=actor,
            action="create",
            action_label=_("发起批量慰问"),
            to_state=batch.status,
            reason=note,
            request_id=request_id,
        )
        AidBatchFlow.start.run(record=batch)
    return batch, skipped


def _reject_households(batch, reason):
    """A batch turned down turns down each household's place in it (none stays half-open)."""
    for application in batch.applications.filter(status=AidApplication.Status.IN_BATCH):
        run_transition(application, "reject", actor=None, check_permission=False, reason=reason, note=reason)


def batch_approve(*, batch, actor, data, request_id=""):
    if data["decision"] == "reject":
        with transaction.atomic():
            batch = run_transition(
                batch, "reject", actor=actor, request_id=request_id, reason=data["note"], note=data["note"]
            )
            _reject_households(batch, data["note"])
        return batch
    _ensure_batch_fund_serves(batch)
    with transaction.atomic():
        _reserve(batch.fund, batch.period, batch.total)
        return run_transition(
            batch, "approve", actor=actor, request_id=request_id, reason=data.get("note", ""), note=data.get("note", "")
        )


def batch_disburse(*, batch, actor, method, reference, paid_on, key, request_id=""):
    """发放 decided by finance: the batch is 发放中 and a worker pays its households after the commit.

    A batch may hold hundreds of households, so the paying runs in a Celery task (acks late) that
    commits each household on its own; see :func:`batch_pay_households`.  The instruction (who, how,
    reference, date, key) is stored on the batch, and the message carries only the batch's id: a
    message lost between the commit and the broker is sent again by ``resume_paying_batches``.
    """
    from .tasks import pay_batch

    _ensure_batch_fund_serves(batch)
    _check_paid_on(batch, paid_on, since=batch.filed_on, what=_("发起日期"))
    with transaction.atomic():
        batch = run_transition(
            batch,
            "start_paying",
            actor=actor,
            check_permission=False,
            reason=reference,
            request_id=request_id,
            ordered_by=actor,
            payment_method=method,
            reference=reference,
            paid_on=paid_on,
            key=key,
        )
        # robust: the batch is committed as 发放中 either way; a send the broker refuses is logged,
        # not shown to finance as an error, and the sweep sends the batch again.
        batch_id = batch.pk

        def send_pay_batch():
            pay_batch.delay(batch_id)

        transaction.on_commit(send_pay_batch, robust=True)
    return batch


def batch_pay_households(*, batch):
    """Pay every unpaid household of a 发放中 batch as its stored instruction says, each in its own
    transaction, then mark the batch paid.

    Safe to run again at any point, and twice at once (a redelivered message after a killed worker,
    a message re-sent by the sweep, a second worker): a household is paid under a lock on its
    application and only while it is still 随批量慰问办理, and its payment key
    ``<key>-<application>`` is unique, so nobody is paid twice.  Each payment stamps the batch's
    ``last_paid_at``, which tells the sweep and the page that the paying is moving.
    Returns the number of households this run paid.
    """
    paid = 0
    pending = batch.applications.filter(status=AidApplication.Status.IN_BATCH).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            # Application, then budget, then batch: the order application_disburse and
            # batch_approve take them in, so two payers never wait on each other in a circle.
            application = AidApplication.objects.select_for_update(of=("self",)).get(pk=pk)
            if application.status != AidApplication.Status.IN_BATCH:
                continue  # paid (or turned down) by another run meanwhile
            _pay(
                application,
                budget=_locked_budget(batch.fund, batch.period),
                amount=batch.amount_per_household,
                actor=batch.payment_ordered_by,
                method=batch.payment_method,
                reference=batch.payment_reference,
                paid_on=batch.payment_paid_on,
                key=f"{batch.payment_key}-{pk}",
            )
            AidBatch.objects.filter(pk=batch.pk).update(last_paid_at=timezone.now())
        paid += 1
    with transaction.atomic():
        batch = AidBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
        in_batch = batch.applications.filter(status=AidApplication.Status.IN_BATCH)
        if batch.status == AidBatch.Status.PAYING and not in_batch.exists():
            households = batch.applications.filter(status=AidApplication.Status.PAID).count()
            run_transition(
                batch,
                "mark_paid",
                actor=batch.payment_ordered_by,
                check_permission=False,
                reason=f"发放{households}户",
            )
    return paid


# -- fund budgets -----------------------------------------------------------------------------
def _ensure_budget_open(fund, period):
    """A budget is a figure of every report of the fund's union and the unions above it whose
    period overlaps the budget's: none of those may be closed (结账中 counts as closed)."""
    closed = (
        Period.objects.filter(
            org_unit__in=fund.org_unit.ancestors(), starts_on__lte=period.ends_on, ends_on__gte=period.starts_on
        )
        .exclude(status=Period.Status.OPEN)
        .first()
    )
    if closed is not None:
        raise PeriodClosed(BUDGET_PERIOD_CLOSED, period=closed.label)


def budget_create(*, fund, period, amount, actor, request_id=""):
    """编制预算: the fund's budget for a half-year of its union (or a union above it), audited on
    the fund."""
    if not actor.has_perm("aid.add_fundbudget", fund):
        raise NotPermitted(BUDGET_NOT_ALLOWED)
    if period.kind == Period.Kind.FULL_YEAR:
        raise WorkflowError(BUDGET_HALF_YEAR_ONLY)
    if not fund.org_unit.ancestors().filter(pk=period.org_unit_id).exists():
        raise WorkflowError(BUDGET_PERIOD_OUTSIDE, period=period.label, fund=fund.name)
    _ensure_budget_open(fund, period)
    with transaction.atomic():
        if FundBudget.objects.select_for_update().filter(fund=fund, period=period).exists():
            raise Conflict(BUDGET_EXISTS, fund=fund.name, period=period.label)
        try:
            with transaction.atomic():
                budget = FundBudget.objects.create(fund=fund, period=period, amount=amount)
        except IntegrityError:  # created meanwhile by someone else
            raise Conflict(BUDGET_EXISTS, fund=fund.name, period=period.label) from None
        audit(
            fund,
            actor=actor,
            action="budget_create",
            action_label=_("编制预算"),
            reason=f"{period.label}预算{amount}元",
            request_id=request_id,
        )
    return budget


def budget_change(*, budget, actor, amount=None, reason="", request_id=""):
    """调整预算, under the lock that approvals take, never below what is reserved and paid
    (``amount`` None changes nothing)."""
    fund = budget.fund
    if not actor.has_perm("aid.change_fundbudget", fund):
        raise NotPermitted(BUDGET_NOT_ALLOWED)
    if amount is None:
        return budget
    with transaction.atomic():
        locked = _locked_budget(fund, budget.period)
        _ensure_budget_open(fund, locked.period)
        used = locked.reserved + locked.paid
        if amount < used:
            raise Conflict(BUDGET_BELOW_USED, used=used)
        if amount != locked.amount:
            FundBudget.objects.filter(pk=locked.pk).update(amount=amount)
            note = f"{locked.period.label}预算由{locked.amount}元调整为{amount}元"
            audit(
                fund,
                actor=actor,
                action="budget_change",
                action_label=_("调整预算"),
                reason=f"{note}：{reason}" if reason else note,
                request_id=request_id,
            )
    return FundBudget.objects.select_related("fund__org_unit", "period").get(pk=locked.pk)
