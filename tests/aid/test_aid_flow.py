"""Hardship aid end to end: verification (会签), majority review, publicity and objections,
approval within budget and the upper-union threshold, disbursement exactly once, batches, masking."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers

from aid import services
from aid.flows import AidBatchFlow, AidFlow
from aid.models import AidApplication, Disbursement, FundBudget
from tests.aid.conftest import apply, hardship_file
from tests.factories import fresh
from workflows import engine
from workflows.badges import nav_counts
from workflows.errors import AlreadyHandled, IllegalTransition, NotPermitted, WorkflowError
from workflows.models import AuditEvent, Notification
from workflows.selectors import tasks_claimable

pytestmark = pytest.mark.django_db
S = AidApplication.Status


def task(record, node):
    return engine.open_tasks_for(record).filter(flow_task=node).order_by("pk")


def visit(record, user, returned=False, findings="入户核实，情况属实。"):
    t = task(record, AidFlow.home_visit).filter(owner__isnull=True).first() or task(record, AidFlow.home_visit).get(
        owner=user
    )
    if t.owner_id is None:
        engine.task_claim(task=t, actor=fresh(user))
        t.refresh_from_db()
    data = {"visited_on": timezone.localdate(), "findings": findings, "returned": returned}
    engine.task_complete(task=t, actor=fresh(user), data=data)


def votes(record, node, recorder, ballots, note=""):
    t = task(record, node).get()
    engine.task_claim(task=t, actor=fresh(recorder))
    form = node.make_form({f"vote_{u.pk}": c for u, c in ballots.items()} | {"note": note}, task=t)
    assert form.is_valid(), form.errors
    engine.task_complete(task=t, actor=fresh(recorder), data=form.cleaned_data)
    record.refresh_from_db()


def through_review(tree, aid_people, application):
    visit(application, tree.committee_a)
    visit(application, aid_people["committee2"])
    application.refresh_from_db()
    votes(
        application,
        AidFlow.review,
        tree.chair_a,
        {tree.committee_a: "for", aid_people["committee2"]: "for", tree.chair_a: "against"},
    )
    return application


def after_publicity(application):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        assert fire_due_timers() == 1
    application.refresh_from_db()
    return application


def approve(record, node, chair, fund, amount=None, decision="approve", note=""):
    t = task(record, node).get()
    engine.task_claim(task=t, actor=fresh(chair))
    data = {"decision": decision, "fund": fund, "note": note}
    if amount is not None:
        data["amount"] = Decimal(amount)
    engine.task_complete(task=t, actor=fresh(chair), data=data)
    record.refresh_from_db()


def disburse(record, node, finance, reference="转账0001"):
    t = task(record, node).get()
    engine.task_claim(task=t, actor=fresh(finance))
    engine.task_complete(
        task=t, actor=fresh(finance), data={"method": "bank", "reference": reference, "paid_on": timezone.localdate()}
    )
    record.refresh_from_db()


def test_the_whole_procedure_pays_once_and_moves_the_budget(tree, aid_people, fund, period):
    hardship_file(tree, aid_people["needy"])
    application = apply(tree, aid_people["needy"])
    assert application.hardship_file is not None and application.period == period
    application = through_review(tree, aid_people, application)
    assert application.status == S.PUBLICIZING
    application = after_publicity(application)
    assert application.status == S.APPROVING
    approve(application, AidFlow.approve, tree.chair_a, fund)
    assert application.status == S.APPROVED and application.amount_approved == Decimal("3000")
    budget = FundBudget.objects.get()
    assert (budget.reserved, budget.paid) == (Decimal("3000"), Decimal("0"))
    disburse(application, AidFlow.disburse, aid_people["finance"])
    budget.refresh_from_db()
    assert application.status == S.PAID and (budget.reserved, budget.paid) == (Decimal("0"), Decimal("3000"))
    assert Disbursement.objects.get().amount == Decimal("3000")


def test_verification_needs_two_different_committee_members(tree, aid_people, fund, period):
    application = apply(tree, aid_people["needy"])
    visits = task(application, AidFlow.home_visit)
    assert visits.count() == 2
    visit(application, tree.committee_a)
    second = task(application, AidFlow.home_visit).get()
    with pytest.raises(NotPermitted, match="会签须由不同人员"):
        engine.task_claim(task=second, actor=fresh(tree.committee_a))
    # so neither 可认领 nor its badge offers it to the one who made the first visit
    assert second not in tasks_claimable(fresh(tree.committee_a))
    assert nav_counts(fresh(tree.committee_a))["claimable"] == 0
    assert list(tasks_claimable(fresh(aid_people["committee2"]))) == [second]
    assert nav_counts(fresh(aid_people["committee2"]))["claimable"] == 1
    application.refresh_from_db()
    assert application.status == S.VERIFYING  # one visit is not enough
    visit(application, aid_people["committee2"])
    application.refresh_from_db()
    assert application.status == S.REVIEWING


def test_either_verifier_returns_it_for_correction_and_it_comes_back(tree, aid_people, fund, period):
    application = apply(tree, aid_people["needy"])
    visit(application, tree.committee_a, returned=True, findings="缺少医院诊断证明")
    visit(application, aid_people["committee2"])
    application.refresh_from_db()
    assert application.status == S.RETURNED and "诊断证明" in application.decision_note
    correction = task(application, AidFlow.correct).get()
    assert correction.owner == aid_people["needy"]
    engine.task_complete(
        task=correction,
        actor=fresh(aid_people["needy"]),
        data={"reasons": "已补交诊断证明", "amount_requested": Decimal("2500")},
    )
    application.refresh_from_db()
    assert application.status == S.VERIFYING and application.amount_requested == Decimal("2500")
    assert task(application, AidFlow.home_visit).count() == 2  # verified again


def test_review_passes_by_majority_only(tree, aid_people, fund, period):
    application = apply(tree, aid_people["needy"])
    visit(application, tree.committee_a)
    visit(application, aid_people["committee2"])
    application.refresh_from_db()
    votes(application, AidFlow.review, tree.chair_a, {tree.committee_a: "for", aid_people["committee2"]: "abstain"})
    assert application.status == S.REJECTED  # 1 of 2 is not a majority
    assert "同意1票，不同意0票，弃权1票" in AuditEvent.objects.for_record(application).last().reason


def test_a_vote_by_someone_not_on_the_committee_is_refused(tree, aid_people, fund, period):
    application = apply(tree, aid_people["needy"])
    visit(application, tree.committee_a)
    visit(application, aid_people["committee2"])
    application.refresh_from_db()
    with pytest.raises(NotPermitted, match="不是本单位工会委员"):
        services.record_review(
            record=application, actor=fresh(tree.chair_a), data={"votes": {aid_people["finance"]: "for"}, "note": ""}
        )
    application.refresh_from_db()
    assert application.status == S.REVIEWING and not application.votes.exists()


def test_an_objection_sends_it_back_to_review_at_once_and_blocks_approval(tree, aid_people, fund, period):
    application = through_review(tree, aid_people, apply(tree, aid_people["needy"]))
    services.objection_raise(record=application, actor=fresh(aid_people["needy2"]), text="申请人家庭有经营性收入")
    application.refresh_from_db()
    assert application.status == S.REVIEWING
    assert fire_due_timers() == 1  # the publicity timer was brought forward
    review = task(application, AidFlow.review).get()  # a second round of 民主评议
    assert review.status in ("NEW", "ASSIGNED")
    with pytest.raises(IllegalTransition):
        services.application_approve(
            application=application, actor=fresh(tree.chair_a), data={"decision": "approve", "fund": fund, "note": ""}
        )
    votes(
        application,
        AidFlow.review,
        tree.chair_a,
        {tree.committee_a: "for", aid_people["committee2"]: "for"},
        note="经核实异议不成立",
    )
    assert application.status == S.PUBLICIZING and application.votes.filter(round=2).count() == 2


def test_objections_come_only_from_the_union_during_publicity(tree, aid_people, fund, period):
    application = apply(tree, aid_people["needy"])
    with pytest.raises(WorkflowError, match="不在公示期内"):
        services.objection_raise(record=application, actor=fresh(aid_people["needy2"]), text="x")
    application = through_review(tree, aid_people, application)
    with pytest.raises(NotPermitted):
        services.objection_raise(record=application, actor=fresh(tree.committee_b), text="x")


def test_above_the_threshold_the_upper_union_approves_too(tree, aid_people, fund, period):
    application = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"], amount="8000")))
    approve(application, AidFlow.approve, tree.chair_a, fund)
    assert application.status == S.UPPER_APPROVING
    upper = task(application, AidFlow.upper_approve).get()
    with pytest.raises(NotPermitted):
        engine.task_claim(task=upper, actor=fresh(tree.chair_a))
    engine.task_claim(task=upper, actor=fresh(aid_people["upper"]))
    engine.task_complete(task=upper, actor=fresh(aid_people["upper"]), data={"decision": "reject", "note": "超出标准"})
    application.refresh_from_db()
    assert application.status == S.REJECTED
    assert FundBudget.objects.get().reserved == Decimal("0")  # the reservation went back


def test_a_fund_without_room_refuses_with_its_balance(tree, aid_people, fund, period):
    FundBudget.objects.update(amount=Decimal("1000"))
    application = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"])))
    t = task(application, AidFlow.approve).get()
    engine.task_claim(task=t, actor=fresh(tree.chair_a))
    with pytest.raises(WorkflowError, match="预算余额为1000.00元，不足以批准3000元"):
        engine.task_complete(
            task=t,
            actor=fresh(tree.chair_a),
            data={"decision": "approve", "fund": fund, "amount": Decimal("3000"), "note": ""},
        )
    application.refresh_from_db()
    assert application.status == S.APPROVING and FundBudget.objects.get().reserved == 0


def test_the_same_type_twice_in_a_period_is_refused(tree, aid_people, fund, period, settings):
    apply(tree, aid_people["needy"])
    with pytest.raises(WorkflowError, match="同一期间同一类型不能重复申请"):
        apply(tree, aid_people["needy"])
    apply(tree, aid_people["needy"], aid_type="medical")  # another type is fine
    settings.UNIONFLOW = {**settings.UNIONFLOW, "AID_ALLOW_REPEAT_TYPE_IN_PERIOD": True}
    apply(tree, aid_people["needy"])


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_amounts_must_be_positive(tree, aid_people, fund, period, amount):
    with pytest.raises(WorkflowError):
        apply(tree, aid_people["needy"], amount=amount)
    assert not AidApplication.objects.exists()


def test_disbursement_is_idempotent_and_never_twice(tree, aid_people, fund, period):
    application = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"])))
    approve(application, AidFlow.approve, tree.chair_a, fund)
    kwargs = {"method": "bank", "reference": "T1", "paid_on": timezone.localdate()}
    first = services.application_disburse(
        application=application, actor=fresh(aid_people["finance"]), key="req-1", **kwargs
    )
    again = services.application_disburse(
        application=application, actor=fresh(aid_people["finance"]), key="req-1", **kwargs
    )
    assert first.pk == again.pk  # a retried request gets the same payment
    with pytest.raises(AlreadyHandled, match="不会重复发放"):
        services.application_disburse(
            application=application, actor=fresh(aid_people["finance2"]), key="req-2", **kwargs
        )
    assert Disbursement.objects.count() == 1 and FundBudget.objects.get().paid == Decimal("3000")
    with pytest.raises(IllegalTransition):  # an unapproved application cannot be paid
        other = apply(tree, aid_people["needy2"])
        services.application_disburse(application=other, actor=fresh(aid_people["finance"]), key="req-3", **kwargs)


def test_batch_relief_pays_every_household_once_and_skips_those_already_helped(
    tree, aid_people, fund, period, django_capture_on_commit_callbacks
):
    f1 = hardship_file(tree, aid_people["needy"])
    f2 = hardship_file(tree, aid_people["needy2"], id_number="330102198202022222")
    f3 = hardship_file(tree, tree.applicant_a, id_number="330102198303033333")
    apply(tree, tree.applicant_a, aid_type="festival")  # already has 送温暖 this period
    batch, skipped = services.batch_create(
        actor=fresh(tree.chair_a),
        title="春节送温暖",
        aid_type="festival",
        amount_per_household=Decimal("500"),
        fund=fund,
        files=[f1, f2, f3],
    )
    assert skipped == ["张三"] and batch.applications.count() == 2 and batch.total == Decimal("1000")
    votes(batch, AidBatchFlow.review, tree.chair_a, {tree.committee_a: "for", aid_people["committee2"]: "for"})
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        assert fire_due_timers() == 1
    batch.refresh_from_db()
    approve(batch, AidBatchFlow.approve, tree.chair_a, fund)
    assert FundBudget.objects.get().reserved == Decimal("1000")
    with django_capture_on_commit_callbacks(execute=True) as paying:  # the worker's pay_batch, inline
        disburse(batch, AidBatchFlow.disburse, aid_people["finance"])
    assert [callback.__name__ for callback in paying].count("send_pay_batch") == 1  # sent once
    batch.refresh_from_db()
    assert batch.status == "paid"
    # each household hears of its own payment (the chair who made the batch is not told each time)
    paid_notes = Notification.objects.filter(title__startswith="帮扶资金已发放")
    assert sorted(paid_notes.values_list("recipient__username", flat=True)) == sorted(
        batch.applications.values_list("member__user__username", flat=True)
    )
    assert set(batch.applications.values_list("status", flat=True)) == {S.PAID}
    budget = FundBudget.objects.get()
    assert (budget.reserved, budget.paid) == (Decimal("0"), Decimal("1000"))
    assert Disbursement.objects.count() == 2


def test_masking(tree):
    assert (
        services.mask_name("张小明") == "张*明"
        and services.mask_name("张明") == "张*"
        and services.mask_name("欧阳小明") == "欧**明"
    )
    assert services.mask_digits("330102198001011234") == "330***********1234"


def test_the_category_is_suggested_from_the_local_standard(settings):
    suggest = services.suggest_category
    assert suggest(income_per_head=Decimal("800"), household_size=3, sudden_loss=Decimal("0")) == "deep"
    assert suggest(income_per_head=Decimal("1500"), household_size=3, sudden_loss=Decimal("0")) == "relative"
    assert (
        suggest(income_per_head=Decimal("3000"), household_size=3, sudden_loss=Decimal("90000")) == "accident"
    )  # > 80% of 108000
    assert suggest(income_per_head=Decimal("3000"), household_size=3, sudden_loss=Decimal("0")) is None


def test_paying_a_batch_again_pays_nobody_twice(tree, aid_people, fund, period, django_capture_on_commit_callbacks):
    """A redelivered pay_batch (its worker was killed mid-batch) pays only the households still unpaid."""
    files = [
        hardship_file(tree, aid_people["needy"]),
        hardship_file(tree, aid_people["needy2"], id_number="330102198202022222"),
    ]
    batch, _ = services.batch_create(
        actor=fresh(tree.chair_a),
        title="夏送清凉",
        aid_type="festival",
        amount_per_household=Decimal("300"),
        fund=fund,
        files=files,
    )
    votes(batch, AidBatchFlow.review, tree.chair_a, {tree.committee_a: "for", aid_people["committee2"]: "for"})
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        fire_due_timers()
    batch.refresh_from_db()
    approve(batch, AidBatchFlow.approve, tree.chair_a, fund)
    with django_capture_on_commit_callbacks(execute=False) as paying:
        disburse(batch, AidBatchFlow.disburse, aid_people["finance"])
    assert batch.status == "paying"
    first, second = batch.applications.order_by("pk")
    services._pay(  # the killed run got as far as the first household
        first,
        budget=services._locked_budget(fund, period),
        amount=Decimal("300"),
        actor=aid_people["finance"],
        method="bank",
        reference="转账0001",
        paid_on=timezone.localdate(),
        key=f"task-x-{first.pk}",
    )
    paying[0]()  # the redelivered message
    paying[0]()  # and a second delivery of it
    batch.refresh_from_db()
    assert batch.status == "paid" and Disbursement.objects.count() == 2
    assert FundBudget.objects.get().paid == Decimal("600")
    assert AuditEvent.objects.filter(action="mark_paid").count() == 1


def test_a_batch_voted_down_turns_down_every_household(tree, aid_people, fund, period):
    f1 = hardship_file(tree, aid_people["needy"])
    batch, _ = services.batch_create(
        actor=fresh(tree.chair_a),
        title="送清凉",
        aid_type="living",
        amount_per_household=Decimal("300"),
        fund=fund,
        files=[f1],
    )
    votes(batch, AidBatchFlow.review, tree.chair_a, {tree.committee_a: "against", aid_people["committee2"]: "against"})
    assert batch.status == "rejected"
    assert set(batch.applications.values_list("status", flat=True)) == {S.REJECTED}
    apply(tree, aid_people["needy"], aid_type="living")  # the household may apply again this period


def test_the_yearly_review_reminds_the_committee_once(tree, aid_people, fund, period):
    from aid.tasks import remind_file_reviews
    from workflows.models import Notification

    file = hardship_file(tree, aid_people["needy"])
    assert remind_file_reviews() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=360)):
        assert remind_file_reviews() == 1
        assert remind_file_reviews() == 0
        assert Notification.objects.filter(kind="reminder", recipient=tree.committee_a).count() == 1
        file = services.file_review(file=file, actor=fresh(tree.committee_a), note="情况未变，继续在档")
        assert file.next_review_on == timezone.localdate() + datetime.timedelta(days=365)
    services.file_lift(file=file, actor=fresh(tree.committee_a), reason="子女毕业就业，家庭收入提高")
    assert file.status == "lifted"
