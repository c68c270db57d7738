"""The grievance figures of the period report, against a fixture computed by hand."""

import datetime
from decimal import Decimal

import pytest

from cases import services
from cases.summary import section
from tests.cases.conftest import register_kwargs
from tests.factories import fresh
from workflows.models import EmployerUnit
from workflows.summary import compute, sections
from workflows.transitions import run_transition

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def half_year(tree, mediator):
    """Nine filings; six count for 甲公司工会 in 2026年上半年 (see the expectations below)."""
    other_employer = EmployerUnit.objects.create(name="甲公司二厂", industry="制造", size="small", org_unit=tree.a)
    m = fresh(mediator)

    def register(**kw):
        return services.case_register(actor=m, **register_kwargs(tree, **kw))

    def move(case, name, **kw):
        return run_transition(case, name, actor=m, check_permission=False, **kw)

    c1 = register(
        channel="phone", category="wages", applicant_name="甲", amount_claimed=Decimal("8600"), filed_on=D(2026, 3, 1)
    )
    move(c1, "accept", on_date=D(2026, 3, 2), mediator=m, mediation_due=D(2026, 3, 17))
    move(c1, "agree", on_date=D(2026, 3, 10), amount=Decimal("8000"), terms="支付", performance_due=D(2026, 3, 31))

    c2 = register(
        channel="visit", category="injury", applicant_name="乙", workers_involved=6, amount_claimed=Decimal("120000"),
        employer_unit=other_employer, filed_on=D(2026, 3, 30),
    )  # fmt: skip
    move(c2, "accept", on_date=D(2026, 4, 1), mediator=m, mediation_due=D(2026, 4, 16))
    move(c2, "fail", on_date=D(2026, 4, 16), failure_reason="期限届满", expired=True)

    c3 = register(
        channel="letter", category="contract", applicant_name="丙", amount_claimed=Decimal("0"), filed_on=D(2026, 4, 3)
    )
    c3.channel = "online"  # an online filing by the worker themself; the channel is all that matters here
    c3.save(update_fields=["channel"])
    move(c3, "reject", rejection_reason="not_labour", note="")

    c4 = register(
        channel="letter", category="wages", applicant_name="丁", workers_involved=2, amount_claimed=Decimal("5000"),
        filed_on=D(2026, 4, 28),
    )  # fmt: skip
    move(c4, "accept", on_date=D(2026, 5, 1), mediator=m, mediation_due=D(2026, 5, 16))
    move(c4, "extend", days=10, extension_reason="双方同意")  # due 2026-05-26
    move(c4, "agree", on_date=D(2026, 5, 25), amount=Decimal("4500"), terms="支付", performance_due=D(2026, 6, 10))
    move(c4, "close", on_date=D(2026, 6, 12), performed=True, note="已履行", satisfaction="satisfied")

    c5 = register(
        channel="phone",
        category="social_insurance",
        applicant_name="戊",
        amount_claimed=Decimal("3000"),
        filed_on=D(2026, 5, 5),
    )
    move(c5, "withdraw", on_date=D(2026, 5, 6), withdrawal_reason="自行和解")

    c6 = register(
        channel="phone",
        category="overtime",
        applicant_name="己",
        amount_claimed=Decimal("2000"),
        filed_on=D(2026, 6, 1),
    )
    c7 = register(
        channel="visit",
        category="overtime",
        applicant_name="己",
        amount_claimed=Decimal("2000"),
        filed_on=D(2026, 6, 2),
    )
    assert c7.duplicate_of == c6

    mediator_b = fresh(tree.committee_b)
    from tests.factories import grant
    from workflows.roles import Role

    grant(mediator_b, Role.MEDIATOR, tree.b)
    services.case_register(
        actor=fresh(mediator_b), **register_kwargs(tree, employer_unit=tree.employer_b, filed_on=D(2026, 3, 3))
    )
    register(channel="phone", category="wages", applicant_name="庚", filed_on=D(2026, 7, 5))
    return [c1, c2, c3, c4, c5, c6]


def ids(*cases):
    return tuple(sorted(c.pk for c in cases))


def test_figures_match_the_hand_computed_half_year(tree, half_year):
    c1, c2, c3, c4, c5, c6 = half_year
    s = section(tree.a, D(2026, 1, 1), D(2026, 6, 30))
    value = {key: fig.value for key, fig in s.figures.items()}
    assert value == {
        "received": 6,
        "units": 2,
        "workers": 12,
        "amount_claimed": Decimal("138600.00"),
        "collective": 1,
        "collective_workers": 6,
        "collective_amount": Decimal("120000.00"),
        "accepted": 3,
        "rejected": 1,
        "successful": 2,
        "failed": 1,
        "expired": 1,
        "withdrawn": 1,
        "open": 1,
        "carried_in": 0,
        "success_rate": Decimal("66.7"),
        "amount_agreed": Decimal("12500.00"),
        "average_days": Decimal("15.7"),  # (8 + 15 + 24) / 3
        "within_limit": 3,
        "beyond_limit": 0,
        "within_limit_rate": Decimal("100.0"),
    }
    assert s.records("received") == ids(c1, c2, c3, c4, c5, c6)
    assert s.records("successful") == ids(c1, c4)
    assert s.records("collective") == ids(c2)
    assert s.records("success_rate") == ids(c1, c2, c4)  # the denominator's records
    assert s.records("open") == ids(c6)
    channels = {f.label: f.value for f in s.breakdowns["by_channel"]}
    assert channels == {"来电": 3, "来访": 1, "网上": 1, "信函": 1, "转办": 0}
    categories = {f.label: (f.value, s.records(f.key)) for f in s.breakdowns["by_category"]}
    assert categories["劳动报酬/欠薪"] == (2, ids(c1, c4))
    assert sum(v for v, _ in categories.values()) == s["received"].value  # parts add up to the total


def test_the_upper_union_rolls_up_its_units(tree, half_year):
    s = section(tree.top, D(2026, 1, 1), D(2026, 6, 30))
    assert s["received"].value == 7  # 甲's six and 乙's one


def test_an_empty_period_has_zeroes_and_no_rate(tree):
    s = section(tree.a, D(2025, 1, 1), D(2025, 6, 30))
    assert s["received"].value == 0 and s["success_rate"].value is None and s["average_days"].value is None
    assert s["amount_claimed"].value == Decimal("0")


def test_the_section_is_registered_for_the_report(tree, half_year):
    assert ("cases", "维权服务") in [(key, title) for key, title, _f in sections()]
    assert compute("cases", tree.a, D(2026, 1, 1), D(2026, 6, 30))["received"].value == 6


def test_figures_cost_a_fixed_number_of_queries(tree, half_year, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        section(tree.top, D(2026, 1, 1), D(2026, 6, 30))


def test_an_open_case_is_carried_over_into_the_next_period(tree, half_year):
    c6 = half_year[5]  # filed in June, still open at the close of the half-year
    s = section(tree.a, D(2026, 7, 1), D(2026, 12, 31))
    assert s.records("carried_in") == ids(c6)
    assert section(tree.a, D(2026, 1, 1), D(2026, 6, 30)).records("open") == ids(c6)  # and 尚在办理 in its own
