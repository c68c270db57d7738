"""The aid desk: every step has a deadline, and the approver sees what each fund has left."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from aid.flows import AidFlow
from aid.models import Fund
from tests.aid.conftest import apply
from tests.aid.test_aid_flow import after_publicity, approve, task, through_review
from tests.factories import fresh
from workflows import engine

pytestmark = pytest.mark.django_db


def test_review_approval_and_payment_each_have_a_deadline(tree, aid_people, fund, period):
    application = through_review(tree, aid_people, apply(tree, aid_people["needy"]))
    application = after_publicity(application)
    approval = task(application, AidFlow.approve).get()
    allowed = datetime.timedelta(days=settings.UNIONFLOW["AID_APPROVE_DAYS"])
    assert abs(approval.deadline.due_at - approval.created - allowed) < datetime.timedelta(seconds=5)
    approve(application, AidFlow.approve, tree.chair_a, fund)
    payment = task(application, AidFlow.disburse).get()
    allowed = datetime.timedelta(days=settings.UNIONFLOW["AID_DISBURSE_DAYS"])
    assert abs(payment.deadline.due_at - payment.created - allowed) < datetime.timedelta(seconds=5)


def test_the_approval_form_shows_each_funds_remaining_budget(client, tree, aid_people, fund, period):
    Fund.objects.create(org_unit=tree.a, name="金秋助学金")  # no budget this period
    application = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"], amount="3000")))
    other = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy2"], amount="1500")))
    approve(other, AidFlow.approve, tree.chair_a, fund)  # reserves 1,500 of 20,000
    approval = task(application, AidFlow.approve).get()
    engine.task_claim(task=approval, actor=fresh(tree.chair_a))
    client.force_login(tree.chair_a)
    page = client.get(reverse("task_detail", args=[approval.pk])).content.decode()
    assert "困难职工帮扶资金（本期预算余额18,500元）" in page
    assert "金秋助学金（本期未编预算）" in page
    assert Decimal("18500") == fund.budgets.get().remaining
