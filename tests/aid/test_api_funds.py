"""Funds and budgets over the API: read within scope, set by finance or an administrator, audited,
never below what is committed, never in a closed period, never from a malformed body."""

from decimal import Decimal

import pytest

from aid.models import FundBudget
from aid.services import (
    BUDGET_BELOW_USED,
    BUDGET_EXISTS,
    BUDGET_HALF_YEAR_ONLY,
    BUDGET_NOT_ALLOWED,
    BUDGET_PERIOD_CLOSED,
)
from tests.factories import grant, make_user
from workflows.models import AuditEvent, Period
from workflows.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(user, method, url, data=None, raw=None):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(url, data=raw if raw is not None else data, content_type="application/json")
        return response.status_code, response.json() if response.content else None

    return call


@pytest.fixture
def next_half(tree, period):
    """The half-year after the current one, open, of the union above the fund's."""
    if period.kind == Period.Kind.FIRST_HALF:
        return Period.objects.create(org_unit=tree.top, year=period.year, kind=Period.Kind.SECOND_HALF)
    return Period.objects.create(org_unit=tree.top, year=period.year + 1, kind=Period.Kind.FIRST_HALF)


@pytest.fixture
def finance_b(tree):
    return grant(make_user("finance_b", name="乙会计", unit=tree.b, employer=tree.employer_b), Role.FINANCE, tree.b)


def budget(fund, period):
    return FundBudget.objects.get(fund=fund, period=period)


def test_funds_and_budgets_are_read_within_scope(api, tree, fund, period, finance_b):
    status, body = api(tree.committee_a, "get", "/api/v1/aid/funds/")
    assert status == 200 and body["count"] == 1
    (row,) = body["results"]
    assert row["name"] == "困难职工帮扶资金" and row["org_unit"] == "甲公司工会"
    assert [(b["period"], b["amount"], b["remaining"]) for b in row["budgets"]] == [(period.pk, "20000.00", "20000.00")]
    status, body = api(tree.committee_a, "get", "/api/v1/aid/budgets/")
    assert status == 200 and body["count"] == 1
    for stranger in (finance_b, tree.committee_b, tree.applicant_a):
        assert api(stranger, "get", "/api/v1/aid/funds/")[1]["count"] == 0
        assert api(stranger, "get", f"/api/v1/aid/funds/{fund.pk}/")[0] == 404
        assert api(stranger, "get", "/api/v1/aid/budgets/")[1]["count"] == 0
        assert api(stranger, "get", f"/api/v1/aid/budgets/{budget(fund, period).pk}/")[0] == 404
    assert api(None, "get", "/api/v1/aid/funds/")[0] in (401, 403)


def test_finance_sets_a_budget_and_the_fund_remembers_who(api, tree, fund, next_half, aid_people):
    finance = aid_people["finance"]
    data = {"fund": fund.pk, "period": next_half.pk, "amount": "30000"}
    status, body = api(finance, "post", "/api/v1/aid/budgets/", data)
    assert status == 201 and body["amount"] == "30000.00" and body["remaining"] == "30000.00"
    assert budget(fund, next_half).amount == Decimal("30000")
    event = AuditEvent.objects.for_record(fund).get()
    assert (event.actor, event.action, event.reason) == (finance, "budget_create", f"{next_half.label}预算30000.00元")
    status, body = api(finance, "post", "/api/v1/aid/budgets/", data)
    assert status == 409 and body["message"] == str(BUDGET_EXISTS % {"fund": fund.name, "period": next_half.label})
    status, body = api(finance, "get", f"/api/v1/aid/funds/{fund.pk}/audit/")
    assert status == 200 and [e["action"] for e in body["results"]] == ["budget_create"]


def test_finance_changes_a_budget_but_never_below_what_is_committed(api, tree, fund, period, aid_people):
    finance, row = aid_people["finance"], budget(fund, period)
    url = f"/api/v1/aid/budgets/{row.pk}/"
    status, body = api(finance, "patch", url, {"amount": "25000", "reason": "追加拨款"})
    assert status == 200 and body["amount"] == "25000.00"
    event = AuditEvent.objects.for_record(fund).get()
    assert event.reason == f"{period.label}预算由20000.00元调整为25000.00元：追加拨款" and event.actor == finance
    FundBudget.objects.filter(pk=row.pk).update(reserved=Decimal("5000"), paid=Decimal("3000"))
    status, body = api(finance, "patch", url, {"amount": "7999.99"})
    assert status == 409 and body["message"] == str(BUDGET_BELOW_USED % {"used": Decimal("8000.00")})
    assert budget(fund, period).amount == Decimal("25000") and AuditEvent.objects.for_record(fund).count() == 1
    assert api(finance, "patch", url, {"amount": "8000"})[0] == 200
    # PATCH changes what it names: nothing named, nothing changed
    status, body = api(finance, "patch", url, {})
    assert status == 200 and body["amount"] == "8000.00" and AuditEvent.objects.for_record(fund).count() == 2


def test_only_finance_or_an_administrator_in_scope_writes_budgets(api, tree, fund, period, next_half, finance_b):
    data = {"fund": fund.pk, "period": next_half.pk, "amount": "30000"}
    url = f"/api/v1/aid/budgets/{budget(fund, period).pk}/"
    for user in (tree.committee_a, tree.chair_a):
        status, body = api(user, "post", "/api/v1/aid/budgets/", data)
        assert status == 403 and body["message"] == str(BUDGET_NOT_ALLOWED), user
        assert api(user, "patch", url, {"amount": "1"})[0] == 403
        assert api(user, "patch", url, {})[0] == 403
    status, body = api(finance_b, "post", "/api/v1/aid/budgets/", data)
    assert status == 400 and "fund" in body["fields"]  # not a fund finance_b can see
    assert api(finance_b, "patch", url, {"amount": "1"})[0] == 404
    assert api(tree.applicant_a, "patch", url, {"amount": "1"})[0] == 404
    assert not AuditEvent.objects.for_record(fund).exists() and budget(fund, period).amount == Decimal("20000")
    admin_a = grant(make_user("admin_a", name="甲管理员", unit=tree.a, employer=tree.employer_a), Role.ADMIN, tree.a)
    assert api(admin_a, "post", "/api/v1/aid/budgets/", data)[0] == 201
    assert api(admin_a, "put", url, {"amount": "1"})[0] == 405


def test_a_budget_is_set_for_a_half_year_of_the_funds_union_chain(api, tree, fund, period, aid_people):
    finance = aid_people["finance"]
    whole_year = Period.objects.create(org_unit=tree.a, year=period.year, kind=Period.Kind.FULL_YEAR)
    status, body = api(finance, "post", "/api/v1/aid/budgets/", {"fund": fund.pk, "period": whole_year.pk, "amount": 1})
    assert status == 400 and body["message"] == str(BUDGET_HALF_YEAR_ONLY)
    other = Period.objects.create(org_unit=tree.b, year=period.year + 1, kind=Period.Kind.FIRST_HALF)
    status, body = api(finance, "post", "/api/v1/aid/budgets/", {"fund": fund.pk, "period": other.pk, "amount": 1})
    assert status == 400 and "不是" in body["message"]
    assert FundBudget.objects.count() == 1


def test_a_budget_of_a_closed_period_is_not_changed(api, tree, fund, period, aid_people):
    Period.objects.filter(pk=period.pk).update(status=Period.Status.CLOSED)
    status, body = api(aid_people["finance"], "patch", f"/api/v1/aid/budgets/{budget(fund, period).pk}/", {"amount": 1})
    assert status == 409 and body["message"] == str(BUDGET_PERIOD_CLOSED % {"period": period.label})
    assert budget(fund, period).amount == Decimal("20000") and not AuditEvent.objects.for_record(fund).exists()
    # nor set afresh in a period whose figures are closed
    FundBudget.objects.filter(fund=fund).delete()
    status, body = api(
        aid_people["finance"], "post", "/api/v1/aid/budgets/", {"fund": fund.pk, "period": period.pk, "amount": 1}
    )
    assert status == 409 and not FundBudget.objects.exists()


BAD_AMOUNTS = ["1e400", "NaN", "Infinity", "-1", "abc", "", "100000000.01", "12345678901234", "1.234", None, [], {}]


@pytest.mark.parametrize("amount", BAD_AMOUNTS, ids=[repr(a) for a in BAD_AMOUNTS])
def test_a_malformed_amount_is_refused_and_changes_nothing(api, tree, fund, period, next_half, aid_people, amount):
    finance = aid_people["finance"]
    status, body = api(
        finance, "post", "/api/v1/aid/budgets/", {"fund": fund.pk, "period": next_half.pk, "amount": amount}
    )
    assert status == 400 and "amount" in body["fields"]
    status, body = api(finance, "patch", f"/api/v1/aid/budgets/{budget(fund, period).pk}/", {"amount": amount})
    assert status == 400 and "amount" in body["fields"]
    assert FundBudget.objects.count() == 1 and budget(fund, period).amount == Decimal("20000")
    assert not AuditEvent.objects.for_record(fund).exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"fund": "abc", "period": 1, "amount": "1"}, {"fund": [1], "period": 1, "amount": "1"}, {"amount": "1"}],
)
def test_a_malformed_budget_body_is_refused(api, tree, fund, period, aid_people, body):
    assert api(aid_people["finance"], "post", "/api/v1/aid/budgets/", body)[0] == 400
    assert FundBudget.objects.count() == 1


@pytest.mark.parametrize("raw", ["[]", "null", '"x"', '{"amount": '])
def test_a_body_that_is_not_an_object_is_refused(api, tree, fund, period, aid_people, raw):
    finance = aid_people["finance"]
    assert api(finance, "post", "/api/v1/aid/budgets/", raw=raw)[0] == 400
    assert api(finance, "patch", f"/api/v1/aid/budgets/{budget(fund, period).pk}/", raw=raw)[0] == 400
    assert budget(fund, period).amount == Decimal("20000")


def test_listing_funds_and_budgets_costs_the_same_queries_for_one_or_many(client, tree, fund, period, next_half):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from aid.models import Fund

    client.force_login(tree.committee_a)
    client.get("/api/v1/aid/funds/")
    counts = []
    for extra in range(3):
        other = Fund.objects.create(org_unit=tree.a_branch, name=f"送温暖专项{extra}")
        FundBudget.objects.create(fund=other, period=period, amount=Decimal("1000"))
        FundBudget.objects.create(fund=other, period=next_half, amount=Decimal("1000"))
        with CaptureQueriesContext(connection) as funds:
            assert client.get("/api/v1/aid/funds/").json()["count"] == 2 + extra
        with CaptureQueriesContext(connection) as budgets:
            assert client.get("/api/v1/aid/budgets/").json()["count"] == 3 + 2 * extra
        counts.append((len(funds), len(budgets)))
    assert counts[0] == counts[1] == counts[2]
