"""Bulk approval (批量办理) of 主席审批 from the queue: it answered 500 (``KeyError: 'fund'``) for
every aid application and batch; now it approves from the record's fund, or says why it cannot."""

from decimal import Decimal

import pytest
from django.urls import reverse

from aid import services
from aid.flows import AidBatchFlow, AidFlow
from aid.models import AidApplication, AidBatch, Fund, FundBudget
from tests.aid.conftest import apply, hardship_file
from tests.aid.test_aid_flow import after_publicity, task, through_review, votes
from tests.factories import fresh, make_user
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def awaiting_approval(tree, aid_people, user, amount="3000"):
    application = apply(tree, user, amount=amount)
    return after_publicity(through_review(tree, aid_people, application))


def bulk(client, tasks):
    return client.post(reverse("task_bulk"), {"task": [t.pk for t in tasks], "box": "queue"}, follow=True)


def test_bulk_approval_of_applications_reserves_each_amount_from_the_only_fund(client, tree, aid_people, fund, period):
    first = awaiting_approval(tree, aid_people, aid_people["needy"], "3000")
    second = awaiting_approval(tree, aid_people, aid_people["needy2"], "1200")
    client.force_login(tree.chair_a)
    response = bulk(client, [task(first, AidFlow.approve).get(), task(second, AidFlow.approve).get()])
    assert response.status_code == 200 and "已批量办结2项任务" in response.content.decode()
    for application, amount in ((first, "3000"), (second, "1200")):
        application.refresh_from_db()
        assert application.status == AidApplication.Status.APPROVED
        assert (application.fund, application.amount_approved) == (fund, Decimal(amount))
    assert FundBudget.objects.get().reserved == Decimal("4200")


def test_bulk_approval_of_a_batch_takes_the_batch_fund(client, tree, aid_people, fund, period):
    files = [
        hardship_file(tree, make_user(name=f"困难户{n}", unit=tree.a_branch, employer=tree.employer_a))
        for n in range(2)
    ]
    batch, _skipped = services.batch_create(
        actor=fresh(tree.chair_a),
        title="春节送温暖",
        aid_type="festival",
        amount_per_household=500,
        fund=fund,
        files=files,
    )
    votes(batch, AidBatchFlow.review, tree.chair_a, {tree.committee_a: "for", aid_people["committee2"]: "for"})
    batch = after_publicity(batch)
    client.force_login(tree.chair_a)
    response = bulk(client, [task(batch, AidBatchFlow.approve).get()])
    assert "已批量办结1项任务" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == AidBatch.Status.APPROVED
    assert FundBudget.objects.get().reserved == Decimal("1000")


def test_with_two_funds_bulk_approval_says_to_choose_and_changes_nothing(client, tree, aid_people, fund, period):
    second_fund = Fund.objects.create(org_unit=tree.a, name="送温暖专项")
    FundBudget.objects.create(fund=second_fund, period=period, amount=Decimal("5000"))
    application = awaiting_approval(tree, aid_people, aid_people["needy"])
    events = AuditEvent.objects.count()
    client.force_login(tree.chair_a)
    response = bulk(client, [task(application, AidFlow.approve).get()])
    page = response.content.decode()
    assert response.status_code == 200 and "不能批量办理" in page and "请选择资金" in page
    application.refresh_from_db()
    assert application.status == AidApplication.Status.APPROVING
    assert AuditEvent.objects.count() == events
    assert sum(b.reserved for b in FundBudget.objects.all()) == 0
