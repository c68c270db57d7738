"""The proposal pages cost the same statements with 3 proposals as with 30 (issue #14)."""

import pytest
from django.urls import reverse

from proposals.models import Proposal
from tests.proposals.conftest import submitted
from tests.query_counts import assert_no_n_plus_one, statements_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow(congress, people):
    def to(n):
        for i in range(Proposal.objects.count(), n):
            submitted(congress, people, title=f"关于改善第{i}号车间通风条件的提案")

    return to


def test_the_proposal_list_has_no_query_per_proposal(client, people, grow):
    client.force_login(people["committee"])
    assert_no_n_plus_one(
        client, reverse("proposals:list"), grow, shown=lambda page: page.count('data-testid="proposal-row"'), most=12
    )


def test_the_proposal_page_is_a_bounded_number_of_queries(client, people, grow):
    grow(3)
    client.force_login(people["committee"])
    assert statements_of(client, reverse("proposals:detail", args=[Proposal.objects.first().pk])) <= 25
