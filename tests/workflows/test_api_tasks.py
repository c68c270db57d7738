"""The task list names each task's record and filters by it, within the user's scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_user
from workflows.models import MembershipApplication

pytestmark = pytest.mark.django_db

STATEMENT = {"statement": "本人自愿加入工会，遵守工会章程。"}


@pytest.fixture
def applications(client, tree):
    others = [
        make_user(name=f"申请人{n}", unit=tree.a, employer=tree.employer_a, membership="non_member") for n in (1, 2)
    ]
    for user in [tree.applicant_a, *others]:
        client.force_login(user)
        assert (
            client.post("/api/v1/membership-applications/", STATEMENT, content_type="application/json").status_code
            == 201
        )
    return list(MembershipApplication.objects.order_by("pk"))


def tasks(client, user, query=""):
    client.force_login(user)
    response = client.get(f"/api/v1/tasks/?box=queue{query}")
    return response.status_code, response.json()


def test_each_task_carries_its_records_type_and_id(client, tree, applications):
    status, body = tasks(client, tree.committee_a)
    assert status == 200
    assert sorted((t["record_type"], t["record_id"]) for t in body["results"]) == [
        ("membership-application", a.pk) for a in applications
    ]


def test_tasks_are_filtered_by_record(client, tree, applications):
    first = applications[0]
    status, body = tasks(client, tree.committee_a, f"&record_type=membership-application&record_id={first.pk}")
    assert status == 200 and [t["record_id"] for t in body["results"]] == [first.pk]
    status, body = tasks(client, tree.committee_a, "&record_type=membership-application")
    assert body["count"] == 3
    status, body = tasks(client, tree.committee_a, f"&record_type=case&record_id={first.pk}")
    assert status == 200 and body["count"] == 0


def test_the_record_filter_does_not_reach_outside_scope(client, tree, applications):
    status, body = tasks(
        client, tree.committee_b, f"&record_type=membership-application&record_id={applications[0].pk}"
    )
    assert status == 200 and body["count"] == 0
    status, body = tasks(
        client, tree.applicant_a, f"&record_type=membership-application&record_id={applications[0].pk}"
    )
    assert status == 200 and body["count"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("&record_type=nonsense", "record_type"),
        ("&record_type=case&record_id=abc", "record_id"),
        ("&record_type=case&record_id=0", "record_id"),
        ("&record_id=1", "record_type"),
        ("&box=everything", "box"),
    ],
)
def test_a_malformed_filter_is_a_400_in_chinese(client, tree, query, field):
    status, body = tasks(client, tree.committee_a, query)
    assert status == 400 and field in body["fields"]
    message = str(body["fields"][field])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_naming_the_record_costs_no_query_per_task(client, tree, applications):
    client.force_login(tree.committee_a)
    client.get("/api/v1/tasks/?box=queue")  # warm the content-type cache
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/tasks/?box=queue&page_size=1")
    with CaptureQueriesContext(connection) as three:
        client.get("/api/v1/tasks/?box=queue&page_size=3")
    assert len(three) == len(one)
