"""The summaries pages cost the same statements with 3 cases as with 30 (issue #14)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import GrievanceCase
from tests.cases.conftest import file_kwargs
from tests.factories import make_user
from tests.query_counts import assert_no_n_plus_one
from workflows.models import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow(tree):
    def to(n):
        for i in range(GrievanceCase.objects.count(), n):
            worker = make_user(f"sum_worker{i}", name=f"工人{i}", unit=tree.a_branch, employer=tree.employer_a)
            services.case_file(actor=worker, **file_kwargs(facts=f"第{i}批加班费未足额支付。"))

    return to


@pytest.fixture
def period(tree):
    today = timezone.localdate()
    kind = Period.Kind.FIRST_HALF if today.month <= 6 else Period.Kind.SECOND_HALF
    return Period.objects.create(org_unit=tree.a, year=today.year, kind=kind)


def test_the_live_figures_cost_the_same_with_3_or_30_cases(client, tree, grow):
    client.force_login(tree.chair_a)
    # 33 today, whatever the records: the figures as one conditional aggregate per section, for this
    # period and the same period last year, and the charts' own (a query per monthly trend — filed,
    # concluded, paid — two for the breakdown by unit).  More fails here.
    assert_no_n_plus_one(client, reverse("summaries:live"), grow, shown=None, most=33)


def test_the_close_preview_lists_open_cases_without_a_query_each(client, tree, grow, period):
    client.force_login(tree.chair_a)

    def shown(page):
        return len(set(re.findall(r'href="/cases/(\d+)/"', page)))

    assert_no_n_plus_one(client, reverse("summaries:close_preview", args=[period.pk]), grow, shown=shown, most=10)


def test_the_close_list_costs_the_same_with_one_or_three_periods(client, tree, grow):
    client.force_login(tree.chair_a)
    year = timezone.localdate().year

    def periods(n):
        for i in range(Period.objects.count(), n):
            Period.objects.create(org_unit=tree.a, year=year - i, kind=Period.Kind.FIRST_HALF)

    assert_no_n_plus_one(client, reverse("summaries:close"), periods, shown=None, few=1, many=3, most=10)
