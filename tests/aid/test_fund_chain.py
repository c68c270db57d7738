"""A union pays only from its own funds or those of a union above it: never from a sibling's.

Checked in the services, so pages, the API and the shell are refused alike, with nothing changed."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from aid import services
from aid.flows import AidFlow
from aid.forms import ApproveForm, BatchForm
from aid.models import AidApplication, AidBatch, Fund, FundBudget
from tests.aid.conftest import apply, hardship_file
from tests.aid.test_aid_flow import after_publicity, approve, task, through_review
from tests.factories import fresh, make_user
from workflows import engine
from workflows.errors import WorkflowError
from workflows.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund_b(tree, period):
    fund = Fund.objects.create(org_unit=tree.b, name="乙公司困难职工帮扶资金")
    FundBudget.objects.create(fund=fund, period=period, amount=Decimal("20000"))
    return fund


@pytest.fixture
def fund_top(tree, period):
    fund = Fund.objects.create(org_unit=tree.top, name="开发区送温暖专项")
    FundBudget.objects.create(fund=fund, period=period, amount=Decimal("20000"))
    return fund


def budgets():
    return list(FundBudget.objects.order_by("pk").values_list("reserved", "paid"))


def ready_to_approve(tree, aid_people):
    return after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"])))


def test_an_application_is_never_approved_from_a_sibling_unions_fund(tree, aid_people, fund, fund_b):
    application = ready_to_approve(tree, aid_people)
    before, events = budgets(), AuditEvent.objects.count()
    t = task(application, AidFlow.approve).get()
    engine.task_claim(task=t, actor=fresh(tree.chair))
    with pytest.raises(WorkflowError) as refused:  # the chair of the top union reaches both funds
        services.application_approve(
            application=application, actor=fresh(tree.chair), data={"decision": "approve", "fund": fund_b, "note": ""}
        )
    assert "乙公司困难职工帮扶资金" in refused.value.message and "上级工会" in refused.value.message
    application.refresh_from_db()
    assert application.status == AidApplication.Status.APPROVING and application.fund_id is None
    assert budgets() == before and AuditEvent.objects.count() == events


def test_the_upper_unions_fund_serves_the_units_below(tree, aid_people, fund, fund_top):
    application = ready_to_approve(tree, aid_people)
    approve(application, AidFlow.approve, tree.chair_a, fund_top)
    assert application.status == AidApplication.Status.APPROVED and application.fund == fund_top


def test_the_approval_form_offers_only_the_funds_of_the_chain(tree, aid_people, fund, fund_b, fund_top):
    application = ready_to_approve(tree, aid_people)
    form = ApproveForm(task=task(application, AidFlow.approve).get())
    assert set(form.fields["fund"].queryset) == {fund, fund_top}


def test_a_payment_from_a_fund_outside_the_chain_is_refused(tree, aid_people, fund, fund_b):
    """A record approved from a wrong fund (before this rule, or by hand) is not paid from it."""
    application = ready_to_approve(tree, aid_people)
    approve(application, AidFlow.approve, tree.chair_a, fund)
    AidApplication.objects.filter(pk=application.pk).update(fund=fund_b)
    FundBudget.objects.filter(fund=fund_b).update(reserved=Decimal("3000"))
    before = budgets()
    with pytest.raises(WorkflowError):
        services.application_disburse(
            application=application,
            actor=fresh(aid_people["finance"]),
            method="transfer",
            reference="转账0001",
            paid_on=application.decided_on,
            key="req-1",
        )
    application.refresh_from_db()
    assert application.status == AidApplication.Status.APPROVED and budgets() == before


@pytest.fixture
def mixed_files(tree, aid_people):
    """A household of 甲 and one of 乙: the top chair's scope holds both."""
    file_a = hardship_file(tree, aid_people["needy"])
    needy_b = make_user("needy_b", name="乙困难户", unit=tree.b, employer=tree.employer_b)
    file_b = services.file_open(
        actor=fresh(tree.committee_b),
        member=Member.objects.get(user=needy_b),
        **{
            "household_size": 2,
            "income_per_head": Decimal("700"),
            "ill_or_disabled": 0,
            "sudden_loss": Decimal("0"),
            "cause": "下岗",
            "category": "deep",
            "id_number": "330102198101011111",
            "illness": "",
            "bank_account": "",
            "consent_signed_on": datetime.date.today(),
        },
    )
    return file_a, file_b


def test_a_batch_never_pays_another_unions_households_from_a_unions_fund(tree, mixed_files, fund):
    with pytest.raises(WorkflowError) as refused:
        services.batch_create(
            actor=fresh(tree.chair),
            title="春节送温暖",
            aid_type="festival",
            amount_per_household=Decimal("500"),
            fund=fund,
            files=list(mixed_files),
        )
    assert "乙困难户" in refused.value.message or "乙公司工会" in refused.value.message
    assert not AidBatch.objects.exists() and not AidApplication.objects.exists()


def test_the_top_unions_fund_may_carry_a_batch_across_its_unions(tree, mixed_files, fund_top):
    batch, skipped = services.batch_create(
        actor=fresh(tree.chair),
        title="春节送温暖",
        aid_type="festival",
        amount_per_household=Decimal("500"),
        fund=fund_top,
        files=list(mixed_files),
    )
    assert batch.applications.count() == 2 and not skipped


def test_the_api_refuses_a_batch_outside_the_chain_and_changes_nothing(client, tree, mixed_files, fund):
    client.force_login(tree.chair)
    payload = {
        "title": "送温暖",
        "aid_type": "festival",
        "amount_per_household": "500",
        "fund": fund.pk,
        "files": [f.pk for f in mixed_files],
    }
    response = client.post("/api/v1/aid/batches/", payload, content_type="application/json")
    assert response.status_code in (400, 409), response.content
    assert "上级工会" in response.content.decode()
    assert not AidBatch.objects.exists() and not AidApplication.objects.exists()


def test_the_batch_page_says_which_households_the_fund_cannot_serve(client, tree, mixed_files, fund):
    form = BatchForm(
        {
            "title": "送温暖",
            "aid_type": "festival",
            "amount_per_household": "500",
            "fund": fund.pk,
            "files": [f.pk for f in mixed_files],
        },
        funds=Fund.objects.all(),
        files=type(mixed_files[0]).objects.all(),
    )
    assert not form.is_valid() and "乙困难户" in str(form.errors)
    client.force_login(tree.chair)
    response = client.post(
        reverse("aid:batch_new"),
        {
            "title": "送温暖",
            "aid_type": "festival",
            "amount_per_household": "500",
            "fund": fund.pk,
            "files": [f.pk for f in mixed_files],
        },
    )
    assert response.status_code == 200 and "乙困难户" in response.content.decode()
    assert not AidBatch.objects.exists()


def test_a_batch_moved_to_a_fund_outside_the_chain_is_neither_approved_nor_paid(tree, mixed_files, fund, fund_top):
    batch, _skipped = services.batch_create(
        actor=fresh(tree.chair),
        title="春节送温暖",
        aid_type="festival",
        amount_per_household=Decimal("500"),
        fund=fund_top,
        files=list(mixed_files),
    )
    AidBatch.objects.filter(pk=batch.pk).update(fund=fund)  # as a row edited by hand would be
    batch.refresh_from_db()
    before = budgets()
    with pytest.raises(WorkflowError, match="乙困难户"):
        services.batch_approve(batch=batch, actor=fresh(tree.chair), data={"decision": "approve", "note": ""})
    with pytest.raises(WorkflowError, match="乙困难户"):
        services.batch_disburse(
            batch=batch, actor=fresh(tree.chair), method="transfer", reference="转账", paid_on=None, key="k"
        )
    batch.refresh_from_db()
    assert batch.status == AidBatch.Status.REVIEWING and budgets() == before
