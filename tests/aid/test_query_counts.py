"""The aid pages cost the same statements with 3 records as with 30 (issue #14)."""

import re

import pytest
from django.urls import reverse

from aid.models import AidApplication, HardshipFile
from tests.aid.conftest import apply, hardship_file
from tests.factories import make_user
from tests.query_counts import assert_no_n_plus_one, statements_of

pytestmark = pytest.mark.django_db


def files_shown(page):
    return len(set(re.findall(r'href="/aid/files/(\d+)/"', page)))


def needy(tree, i):
    return make_user(f"aid_needy{i}", name=f"困难职工{i}", unit=tree.a_branch, employer=tree.employer_a)


@pytest.fixture
def grow_applications(tree, fund):
    def to(n):
        for i in range(AidApplication.objects.count(), n):
            apply(tree, needy(tree, i))

    return to


@pytest.fixture
def grow_files(tree):
    def to(n):
        for i in range(HardshipFile.objects.count(), n):
            hardship_file(tree, needy(tree, 100 + i), id_number=f"33010219800101{1000 + i}")

    return to


def test_the_application_list_has_no_query_per_application(client, tree, grow_applications):
    client.force_login(tree.committee_a)
    assert_no_n_plus_one(
        client, reverse("aid:list"), grow_applications, shown=lambda page: page.count('data-testid="aid-row"'), most=12
    )


def test_the_hardship_file_list_has_no_query_per_file(client, tree, grow_files):
    client.force_login(tree.committee_a)
    assert_no_n_plus_one(client, reverse("aid:files"), grow_files, shown=files_shown, most=12)


def test_the_aid_pages_are_a_bounded_number_of_queries(client, tree, grow_applications, grow_files):
    grow_applications(3)
    grow_files(3)
    client.force_login(tree.committee_a)
    assert statements_of(client, reverse("aid:application", args=[AidApplication.objects.first().pk])) <= 25
    assert statements_of(client, reverse("aid:file", args=[HardshipFile.objects.first().pk])) <= 25
