"""Amounts and dates of hardship aid are real ones at every door.

Measured before: an amount of ``"1e400"`` answered 500 but was stored, after which every /aid/
page of that union answered 500; a payment date in 2099 was accepted.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from aid import services
from aid.flows import AidFlow
from aid.models import AidApplication, AidBatch, Disbursement, FundBudget, HardshipFile
from tests.aid.conftest import apply, approved_batch, hardship_file
from tests.aid.test_aid_flow import after_publicity, approve, disburse, task, through_review
from tests.factories import fresh
from workflows import engine
from workflows.errors import PeriodClosed, WorkflowError
from workflows.models import Member, Period
from workflows.services import period_finish_closing, period_start_closing

pytestmark = pytest.mark.django_db

GARBAGE_AMOUNTS = ["1e400", "-1e400", "NaN", "Infinity", "1e10", "0.001", "12345678901.5", "1000000.01", "０"]


@pytest.fixture
def approved(tree, aid_people, fund, period):
    application = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"])))
    approve(application, AidFlow.approve, tree.chair_a, fund)
    assert application.status == AidApplication.Status.APPROVED
    return application


@pytest.fixture
def closed_previous_half(tree, period):
    """The half-year before the current one, closed by the chair."""
    before = period.starts_on - datetime.timedelta(days=1)
    kind = Period.Kind.FIRST_HALF if before.month <= 6 else Period.Kind.SECOND_HALF
    closed = Period.objects.create(org_unit=tree.top, year=before.year, kind=kind)
    period_start_closing(period=closed, actor=fresh(tree.chair))
    period_finish_closing(period=closed)
    return closed


MONEY_COLUMNS = [
    (AidApplication, "amount_requested"),
    (AidApplication, "amount_approved"),
    (AidBatch, "amount_per_household"),
    (FundBudget, "amount"),
    (FundBudget, "reserved"),
    (Disbursement, "amount"),
    (HardshipFile, "income_per_head"),
    (HardshipFile, "sudden_loss"),
]
# Django refuses Infinity and NaN itself; these it handed to SQLite, which stored them, and every
# page that read the row back failed with decimal.InvalidOperation.
UNSTORABLE = [Decimal("1E+400"), "1e400", Decimal("12345678901234")]


def test_the_database_refuses_an_amount_no_money_column_holds(client, tree, aid_people, fund, period, approved):
    """Whatever writes it (a service bug, the shell), the row keeps a real amount and the pages work."""
    approved_batch(tree, second_committee=aid_people["committee2"], fund=fund, households=1, amount=200)
    disburse(approved, AidFlow.disburse, aid_people["finance"])
    for model, column in MONEY_COLUMNS:
        row = model.objects.order_by("pk").first()
        for value in UNSTORABLE:
            with pytest.raises(DatabaseError), transaction.atomic():
                model.objects.filter(pk=row.pk).update(**{column: value})
    client.force_login(tree.chair_a)
    for page in ("aid:list", "aid:funds", "aid:publicity", "aid:files"):
        assert client.get(reverse(page)).status_code == 200
    assert client.get(reverse("aid:application", args=[approved.pk])).status_code == 200


@pytest.mark.parametrize("amount", GARBAGE_AMOUNTS)
def test_an_api_application_with_a_garbage_amount_is_refused_and_nothing_is_stored(
    client, tree, aid_people, fund, period, amount
):
    client.force_login(aid_people["needy"])
    response = client.post(
        "/api/v1/aid/applications/",
        {"aid_type": "living", "amount_requested": amount, "reasons": "家庭困难"},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["amount_requested"]
    assert not AidApplication.objects.exists()


@pytest.mark.parametrize("amount", ["1e400", "NaN", "1000000.01"])
def test_the_apply_page_refuses_a_garbage_amount(client, tree, aid_people, fund, period, amount):
    client.force_login(aid_people["needy"])
    response = client.post(reverse("aid:apply"), {"aid_type": "living", "amount_requested": amount, "reasons": "困难"})
    assert response.status_code == 200 and "申请金额" in response.content.decode()
    assert not AidApplication.objects.exists()


def test_the_ceiling_is_a_setting_and_holds_in_the_services_too(tree, aid_people, fund, period, settings):
    settings.UNIONFLOW = {**settings.UNIONFLOW, "AID_MAX_PAYMENT": 5000}
    with pytest.raises(WorkflowError) as refused:
        apply(tree, aid_people["needy"], amount="5000.01")
    assert refused.value.fields == {"amount_requested": ["单笔金额不能超过5000元。"]}
    assert not AidApplication.objects.exists()
    assert apply(tree, aid_people["needy"], amount="5000").amount_requested == Decimal("5000")


@pytest.mark.parametrize("amount", ["0", "-300", "1000000.01", "1E+400"])
def test_a_batch_of_an_impossible_amount_is_refused_by_the_service(tree, aid_people, fund, period, amount):
    """Found by the property test: the chair's batch of 0 元 was an IntegrityError (a 500)."""
    hardship_file(tree, aid_people["needy"])
    with pytest.raises(WorkflowError) as refused:
        services.batch_create(
            actor=fresh(tree.chair_a),
            title="送温暖",
            aid_type="festival",
            amount_per_household=Decimal(amount),
            fund=fund,
            files=list(HardshipFile.objects.all()),
        )
    assert list(refused.value.fields) == ["amount_per_household"]
    assert not AidBatch.objects.exists()


def test_an_approval_of_a_garbage_amount_through_the_api_is_refused(client, tree, aid_people, fund, period):
    application = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"])))
    approval = task(application, AidFlow.approve).get()
    engine.task_claim(task=approval, actor=fresh(tree.chair_a))
    client.force_login(tree.chair_a)
    for amount in ("1e400", "NaN", "2000000", [1], {"a": 1}):
        response = client.post(
            f"/api/v1/tasks/{approval.pk}/complete/",
            {"data": {"decision": "approve", "fund": fund.pk, "amount": amount}},
            content_type="application/json",
        )
        assert response.status_code == 400 and "data.amount" in response.json()["fields"], (amount, response.content)
    application.refresh_from_db()
    assert application.status == AidApplication.Status.APPROVING
    assert FundBudget.objects.get().reserved == 0


def complete_disbursement(client, application, finance, paid_on):
    payment = task(application, AidFlow.disburse).get()
    if payment.owner_id is None:
        engine.task_claim(task=payment, actor=fresh(finance))
    client.force_login(finance)
    return client.post(
        f"/api/v1/tasks/{payment.pk}/complete/",
        {"data": {"method": "bank", "reference": "转账0001", "paid_on": paid_on}},
        content_type="application/json",
    )


def test_a_payment_dated_in_2099_is_refused_and_nothing_is_paid(client, tree, aid_people, approved):
    response = complete_disbursement(client, approved, aid_people["finance"], "2099-01-01")
    assert response.status_code == 400 and "data.paid_on" in response.json()["fields"]
    assert not Disbursement.objects.exists()
    with pytest.raises(WorkflowError) as refused:
        services.application_disburse(
            application=approved,
            actor=fresh(aid_people["finance"]),
            method="bank",
            reference="x",
            paid_on=datetime.date(2099, 1, 1),
            key="k",
        )
    assert "paid_on" in refused.value.fields
    assert not Disbursement.objects.exists()


def test_a_payment_dated_in_a_closed_period_is_refused_as_it_would_change_that_period(
    client, tree, aid_people, approved, closed_previous_half
):
    day = closed_previous_half.ends_on.isoformat()
    response = complete_disbursement(client, approved, aid_people["finance"], day)
    body = response.json()
    assert response.status_code == 409 and body["code"] == "period_closed"
    assert closed_previous_half.label in body["message"] and day in body["message"]
    assert not Disbursement.objects.exists() and FundBudget.objects.get().paid == 0


def test_a_payment_dated_before_its_approval_is_refused(client, tree, aid_people, approved):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    if yesterday < Period.objects.get().starts_on:
        pytest.skip("today opens the period; the closed-period rule answers first")
    response = complete_disbursement(client, approved, aid_people["finance"], yesterday.isoformat())
    assert response.status_code == 400 and "审批日期" in response.json()["fields"]["paid_on"][0]
    assert not Disbursement.objects.exists()


def test_a_batch_payment_dated_in_the_future_is_refused(tree, aid_people, fund, period):
    batch = approved_batch(tree, second_committee=aid_people["committee2"], fund=fund, households=1, amount=300)
    with pytest.raises(WorkflowError) as refused:
        services.batch_disburse(
            batch=batch,
            actor=fresh(aid_people["finance"]),
            method="bank",
            reference="x",
            paid_on=timezone.localdate() + datetime.timedelta(days=1),
            key="k",
        )
    assert "paid_on" in refused.value.fields
    batch.refresh_from_db()
    assert batch.status == AidBatch.Status.APPROVED


def test_a_batch_payment_in_a_closed_period_is_refused(tree, aid_people, fund, period, closed_previous_half):
    batch = approved_batch(tree, second_committee=aid_people["committee2"], fund=fund, households=1, amount=300)
    with pytest.raises(PeriodClosed):
        services.batch_disburse(
            batch=batch,
            actor=fresh(aid_people["finance"]),
            method="bank",
            reference="x",
            paid_on=closed_previous_half.ends_on,
            key="k",
        )


def test_a_consent_signed_in_the_future_is_refused_by_the_file_api(client, tree, aid_people, fund, period):
    client.force_login(tree.committee_a)
    data = {
        "member": Member.objects.get(user=aid_people["needy"]).pk, "household_size": 3, "income_per_head": "800",
        "ill_or_disabled": 1, "sudden_loss": "0", "cause": "配偶患病", "category": "deep",
        "id_number": "330102198001011234", "illness": "", "bank_account": "", "consent_signed_on": "2099-01-05",
    }  # fmt: skip
    response = client.post("/api/v1/aid/files/", data, content_type="application/json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["consent_signed_on"]
    response = client.post("/api/v1/aid/files/", {**data, "household_size": "1e400"}, content_type="application/json")
    assert response.status_code == 400 and "household_size" in response.json()["fields"]
    assert not HardshipFile.objects.exists()
