"""B4's invariant checker (``benchmarks.b4_load.check_invariants``): quiet on consistent data, loud on
a fabricated double payment or a status change without its audit event.

A negative fund cannot be fabricated: the database's check constraints refuse the row, which is
the rule the checker re-reads; that refusal is what the last test pins down."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from aid.flows import AidFlow
from aid.models import AidApplication, FundBudget
from benchmarks.b4_load import check_invariants
from tests.aid.conftest import apply, hardship_file
from tests.aid.test_aid_flow import after_publicity, approve, disburse, through_review
from workflows.transitions import audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(tree, aid_people, fund, period):
    hardship_file(tree, aid_people["needy"])
    application = after_publicity(through_review(tree, aid_people, apply(tree, aid_people["needy"])))
    approve(application, AidFlow.approve, tree.chair_a, fund)
    disburse(application, AidFlow.disburse, aid_people["finance"])
    assert application.status == AidApplication.Status.PAID
    return application


def broken(results):
    return {name for name, result in results.items() if not result["ok"]}


def test_consistent_data_passes_every_invariant(paid):
    assert broken(check_invariants()) == set()


def test_a_second_debit_of_the_budget_is_a_double_payment(paid):
    FundBudget.objects.update(paid=F("paid") + paid.amount_approved)
    assert broken(check_invariants()) == {"no_double_payment"}


def test_a_second_pay_event_is_a_double_payment_and_an_extra_transition(tree, paid):
    audit(paid, actor=tree.chair_a, action="pay", from_state="approved", to_state="paid")
    assert broken(check_invariants()) == {"no_double_payment", "one_audit_event_per_transition"}


def test_a_status_change_without_its_audit_event_is_caught(paid):
    AidApplication.objects.filter(pk=paid.pk).update(status=AidApplication.Status.WITHDRAWN)
    assert "one_audit_event_per_transition" in broken(check_invariants())


def test_a_negative_fund_cannot_be_written_so_the_check_reads_the_database_rule(paid):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundBudget.objects.update(paid=F("amount") + Decimal("1"))
    assert broken(check_invariants()) == set()
