import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from aid import services
from aid.models import Fund, FundBudget
from tests.factories import fresh, grant, make_user
from workflows.models import Member, Period
from workflows.roles import Role


@pytest.fixture
def period(tree):
    today = timezone.localdate()
    kind = Period.Kind.FIRST_HALF if today.month <= 6 else Period.Kind.SECOND_HALF
    return Period.objects.create(org_unit=tree.top, year=today.year, kind=kind)


@pytest.fixture
def aid_people(tree):
    return {
        "committee2": grant(
            make_user("committee_a2", name="钱委员", unit=tree.a, employer=tree.employer_a), Role.COMMITTEE, tree.a
        ),
        "finance": grant(
            make_user("finance_a", name="赵会计", unit=tree.a, employer=tree.employer_a), Role.FINANCE, tree.a
        ),
        "finance2": grant(
            make_user("finance_a2", name="孙出纳", unit=tree.a, employer=tree.employer_a), Role.FINANCE, tree.a
        ),
        "upper": grant(
            make_user("upper", name="上级工会", unit=tree.top, employer=tree.employer_a), Role.UPPER_UNION, tree.top
        ),
        "needy": make_user("needy", name="张小明", unit=tree.a_branch, employer=tree.employer_a),
        "needy2": make_user("needy2", name="李四", unit=tree.a_branch, employer=tree.employer_a),
    }


@pytest.fixture
def fund(tree, period):
    fund = Fund.objects.create(org_unit=tree.a, name="困难职工帮扶资金")
    FundBudget.objects.create(fund=fund, period=period, amount=Decimal("20000"))
    return fund


def hardship_file(tree, user, **overrides):
    data = {
        "household_size": 3,
        "income_per_head": Decimal("800"),
        "ill_or_disabled": 1,
        "sudden_loss": Decimal("0"),
        "cause": "配偶患病长期治疗，家庭收入低。",
        "category": "deep",
        "id_number": "330102198001011234",
        "illness": "尿毒症",
        "bank_account": "6222020202020202",
        "consent_signed_on": datetime.date.today(),
    }
    data.update(overrides)
    return services.file_open(actor=fresh(tree.committee_a), member=Member.objects.get(user=user), **data)


def apply(tree, user, *, amount="3000", aid_type="living"):
    member = Member.objects.get(user=user)
    return services.application_submit(
        actor=fresh(user),
        member=member,
        aid_type=aid_type,
        amount_requested=Decimal(amount),
        reasons="家庭困难，申请生活救助。",
    )


def approved_batch(tree, *, second_committee, fund, households, amount):
    """A 送温暖 batch of ``households`` hardship files at ``amount`` each, reviewed, publicised and
    approved by the chair: ready for finance to pay."""
    import time_machine
    from viewflow.workflow.timers import fire_due_timers

    from aid.flows import AidBatchFlow
    from tests.aid.test_aid_flow import approve, votes

    files = [
        hardship_file(
            tree,
            make_user(name=f"困难户{n}", unit=tree.a_branch, employer=tree.employer_a),
            id_number=f"3301021980{n:08d}",
        )
        for n in range(households)
    ]
    batch, skipped = services.batch_create(
        actor=fresh(tree.chair_a),
        title="春节送温暖",
        aid_type="festival",
        amount_per_household=amount,
        fund=fund,
        files=files,
    )
    assert not skipped
    votes(batch, AidBatchFlow.review, tree.chair_a, {tree.committee_a: "for", second_committee: "for"})
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        assert fire_due_timers() == 1
    batch.refresh_from_db()
    approve(batch, AidBatchFlow.approve, tree.chair_a, fund)
    return batch
