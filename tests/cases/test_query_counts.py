"""The case pages cost the same statements with 3 cases as with 30 (issue #14)."""

import pytest
from django.urls import reverse

from cases import services
from cases.models import GrievanceCase
from tests.cases.conftest import file_kwargs
from tests.factories import make_user
from tests.query_counts import assert_no_n_plus_one, statements_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow(tree):
    def to(n):
        for i in range(GrievanceCase.objects.count(), n):
            worker = make_user(f"case_worker{i}", name=f"工人{i}", unit=tree.a_branch, employer=tree.employer_a)
            services.case_file(actor=worker, **file_kwargs(facts=f"第{i}批工资未按时足额发放。"))

    return to


def test_the_case_list_has_no_query_per_case(client, mediator, grow):
    client.force_login(mediator)
    assert_no_n_plus_one(
        client, reverse("cases:list"), grow, shown=lambda page: page.count('data-testid="case-row"'), most=12
    )


def test_the_case_page_is_a_bounded_number_of_queries(client, mediator, grow):
    grow(3)
    client.force_login(mediator)
    assert statements_of(client, GrievanceCase.objects.first().get_absolute_url()) <= 25
