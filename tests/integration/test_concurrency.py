"""Two people completing the same task at the same moment: exactly one succeeds (real threads)."""

import threading

import pytest
from django.db import connection

from tests.factories import make_tree
from workflows import engine, services
from workflows.errors import AlreadyHandled
from workflows.models import AuditEvent, MembershipApplication

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def runner(i, call):
        try:
            barrier.wait()
            results[i] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_concurrent_completions_of_one_task_exactly_one_succeeds():
    tree = make_tree()
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    task = engine.open_tasks_for(application).get()
    engine.task_claim(task=task, actor=tree.committee_a)

    def complete(decision):
        def call():
            from viewflow.workflow.models import Task

            fresh = Task.objects.get(pk=task.pk)  # each thread reads the task as its request would
            return engine.task_complete(task=fresh, actor=tree.committee_a, data={"decision": decision, "note": "并发"})

        return call

    results = run_together(complete("approve"), complete("reject"))
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, AlreadyHandled), error
    decided = AuditEvent.objects.filter(action__in=["approve", "reject"])
    assert decided.count() == 1
    assert (
        MembershipApplication.objects.get().status
        == {"approve": "approved", "reject": "rejected"}[decided.get().action]
    )


def test_two_concurrent_claims_exactly_one_wins():
    tree = make_tree()
    application = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")
    task = engine.open_tasks_for(application).get()

    def claim(user):
        def call():
            from viewflow.workflow.models import Task

            return engine.task_claim(task=Task.objects.get(pk=task.pk), actor=user)

        return call

    results = run_together(claim(tree.committee_a), claim(tree.chair_a))
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), AlreadyHandled)


def test_fifty_concurrent_approvals_never_overdraw_a_fund_with_room_for_ten():
    from decimal import Decimal

    from django.utils import timezone

    from aid import services as aid_services
    from aid.models import AidApplication, Fund, FundBudget
    from tests.factories import make_user
    from workflows.errors import WorkflowError
    from workflows.models import Member, Period

    tree = make_tree()
    today = timezone.localdate()
    period = Period.objects.create(org_unit=tree.top, year=today.year, kind="H1" if today.month <= 6 else "H2")
    fund = Fund.objects.create(org_unit=tree.a, name="帮扶资金")
    FundBudget.objects.create(fund=fund, period=period, amount=Decimal("10000"))
    applications = []
    for i in range(50):
        member = Member.objects.get(user=make_user(f"needy{i}", name=f"职工{i}", unit=tree.a, employer=tree.employer_a))
        applications.append(
            AidApplication.objects.create(
                member=member, org_unit=tree.a, created_by=tree.chair_a, period=period, aid_type="living",
                amount_requested=Decimal("1000"), reasons="困难", status=AidApplication.Status.APPROVING,
            )
        )  # fmt: skip

    def approve(application):
        def call():
            from tests.factories import fresh

            data = {"decision": "approve", "fund": fund, "amount": Decimal("1000"), "note": ""}
            return aid_services.application_approve(application=application, actor=fresh(tree.chair_a), data=data)

        return call

    results = run_together(*[approve(a) for a in applications])
    ok = [v for k, v in results if k == "ok"]
    errors = [v for k, v in results if k == "error"]
    assert len(ok) == 10 and len(errors) == 40, [type(e) for e in errors if not isinstance(e, WorkflowError)]
    assert all(isinstance(e, WorkflowError) and "不足以批准" in e.message for e in errors)
    budget = FundBudget.objects.get()
    assert budget.reserved == Decimal("10000") and budget.remaining == 0
    assert AidApplication.objects.filter(status="approved").count() == 10


def test_two_finance_officers_paying_at_once_pay_once():
    from decimal import Decimal

    from django.utils import timezone

    from aid import services as aid_services
    from aid.models import AidApplication, Disbursement, Fund, FundBudget
    from tests.factories import fresh, grant, make_user
    from workflows.models import Member, Period
    from workflows.roles import Role

    tree = make_tree()
    today = timezone.localdate()
    period = Period.objects.create(org_unit=tree.top, year=today.year, kind="H1" if today.month <= 6 else "H2")
    fund = Fund.objects.create(org_unit=tree.a, name="帮扶资金")
    FundBudget.objects.create(fund=fund, period=period, amount=Decimal("10000"), reserved=Decimal("2000"))
    member = Member.objects.get(user=make_user("needy", name="困难职工", unit=tree.a, employer=tree.employer_a))
    application = AidApplication.objects.create(
        member=member, org_unit=tree.a, created_by=tree.chair_a, period=period, aid_type="living", fund=fund,
        amount_requested=Decimal("2000"), amount_approved=Decimal("2000"), reasons="困难",
        status=AidApplication.Status.APPROVED,
    )  # fmt: skip
    officers = [
        grant(make_user(f"fin{i}", name=f"会计{i}", unit=tree.a, employer=tree.employer_a), Role.FINANCE, tree.a)
        for i in (1, 2)
    ]

    def pay(officer, key):
        def call():
            kwargs = {"method": "bank", "reference": key, "paid_on": today}
            return aid_services.application_disburse(application=application, actor=fresh(officer), key=key, **kwargs)

        return call

    results = run_together(pay(officers[0], "k1"), pay(officers[1], "k2"))
    assert sorted(k for k, _ in results) == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), AlreadyHandled)
    assert Disbursement.objects.count() == 1
    budget = FundBudget.objects.get()
    assert (budget.reserved, budget.paid) == (Decimal("0"), Decimal("2000"))


def test_two_workers_paying_one_batch_at_once_pay_each_household_once(monkeypatch):
    """A batch sent again by the sweep while its first message still runs: two payers at once."""
    from django.db.models import Sum

    from aid.flows import AidBatchFlow
    from aid.models import AidBatch, Disbursement, FundBudget
    from aid.tasks import pay_batch
    from tests.aid.test_aid_flow import disburse
    from tests.integration.test_worker_kill import PER_HOUSEHOLD, an_approved_batch

    households = 40
    batch, finance = an_approved_batch(households)
    monkeypatch.setattr(pay_batch, "delay", lambda *args: None)  # the workers below take it instead
    disburse(batch, AidBatchFlow.disburse, finance)
    assert batch.status == AidBatch.Status.PAYING

    results = run_together(lambda: pay_batch(batch.pk), lambda: pay_batch(batch.pk))
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert sum(paid for _, paid in results) == households  # between them, each household once
    payments = Disbursement.objects.filter(application__batch=batch)
    assert payments.count() == payments.values("application").distinct().count() == households
    budget = FundBudget.objects.get(fund=batch.fund, period=batch.period)
    assert budget.paid == payments.aggregate(s=Sum("amount"))["s"] == PER_HOUSEHOLD * households
    assert budget.reserved == 0
    assert AidBatch.objects.get(pk=batch.pk).status == AidBatch.Status.PAID
    assert AuditEvent.objects.filter(action="mark_paid").count() == 1
    print(f"\nconcurrent payers paid {[paid for _, paid in results]} of {households} households")


def test_concurrent_appends_keep_the_audit_chain_whole():
    """Every audited write appends under the chain's lock: writers at the same moment get consecutive
    places, each linked to the one before (without the lock two take the same place, one fails)."""
    from django.db import transaction

    from tests.factories import make_user
    from workflows.models import Member
    from workflows.transitions import audit

    tree = make_tree()
    outsider = {"unit": tree.a, "employer": tree.employer_a, "membership": Member.Membership.NON_MEMBER}
    applicants = [make_user(f"joiner{i}", name=f"职工{i}", **outsider) for i in range(12)]
    first = services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")

    def apply(user):
        return lambda: services.membership_apply(actor=user, statement="本人自愿加入工会，遵守章程。")

    def note(i):
        def call():
            for n in range(10):
                with transaction.atomic():
                    audit(first, actor=None, action="note", reason=f"{i}-{n}")

        return call

    results = run_together(*[apply(u) for u in applicants], *[note(i) for i in range(6)])
    assert [kind for kind, _ in results] == ["ok"] * len(results), [v for k, v in results if k == "error"]
    checked, broken = AuditEvent.objects.verify_chain()
    assert broken is None, broken
    assert checked == AuditEvent.objects.count() == 1 + len(applicants) + 6 * 10
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, checked + 1))
