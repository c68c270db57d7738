"""劳模慰问 over the API: the chair of a union starts a batch for its 劳模 (the 劳模 flag on members),
which then runs as every batch does."""

from decimal import Decimal

import pytest

from aid.api_model_workers import NOT_CHAIR
from aid.models import AidApplication, AidBatch
from aid.services import NO_MODEL_WORKERS, NOT_MODEL_WORKERS
from tests.factories import grant, make_user
from workflows.models import Member
from workflows.roles import Role

pytestmark = pytest.mark.django_db
URL = "/api/v1/aid/model-worker-batches/"


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
def model_workers(aid_people):
    members = Member.objects.filter(user__in=[aid_people["needy"], aid_people["needy2"]]).order_by("pk")
    members.update(is_model_worker=True)
    return list(members)


def test_the_chair_starts_a_batch_for_the_unions_model_workers(api, tree, fund, model_workers):
    status, body = api(tree.chair_a, "post", URL, {"fund": fund.pk, "amount_per_household": "1000"})
    assert status == 201, body
    assert (body["title"], body["households"], body["amount_per_household"], body["skipped"]) == (
        "劳模慰问",
        2,
        "1000.00",
        [],
    )
    batch = AidBatch.objects.get(pk=body["id"])
    assert batch.aid_type == "model_worker" and batch.status == AidBatch.Status.REVIEWING
    households = AidApplication.objects.filter(batch=batch)
    assert {a.member for a in households} == set(model_workers)
    assert all(a.aid_type == "model_worker" and a.hardship_file is None for a in households)
    # the batch's tasks name it
    client_tasks = api(tree.committee_a, "get", f"/api/v1/tasks/?box=queue&record_type=aid-batch&record_id={batch.pk}")
    assert client_tasks[1]["count"] >= 1
    # listed for who reads the union's records, not for another union
    assert [b["id"] for b in api(tree.committee_a, "get", URL)[1]["results"]] == [batch.pk]
    assert api(tree.committee_b, "get", URL)[1]["count"] == 0
    assert api(tree.committee_b, "get", f"{URL}{batch.pk}/")[0] == 404
    # the same 劳模 are not given 劳模慰问 twice in a period
    status, body = api(tree.chair_a, "post", URL, {"fund": fund.pk, "amount_per_household": "1000"})
    assert status == 409 and AidBatch.objects.count() == 1


def test_the_chair_chooses_among_the_model_workers(api, tree, fund, model_workers, aid_people):
    first = model_workers[0]
    status, body = api(
        tree.chair_a, "post", URL, {"fund": fund.pk, "amount_per_household": "800", "members": [first.pk]}
    )
    assert status == 201 and body["households"] == 1
    plain = Member.objects.get(user=tree.applicant_a)
    status, body = api(
        tree.chair_a, "post", URL, {"fund": fund.pk, "amount_per_household": "800", "members": [plain.pk]}
    )
    assert status == 409 and body["message"] == str(NOT_MODEL_WORKERS % {"ids": plain.pk, "union": "甲公司工会"})
    outside = Member.objects.get(user=tree.applicant_b)
    status, body = api(
        tree.chair_a, "post", URL, {"fund": fund.pk, "amount_per_household": "800", "members": [outside.pk]}
    )
    assert status == 400 and str(outside.pk) in str(body["fields"]["members"])
    assert AidBatch.objects.count() == 1


def test_a_union_without_model_workers_is_told_so(api, tree, fund):
    status, body = api(tree.chair_a, "post", URL, {"fund": fund.pk, "amount_per_household": "800"})
    assert status == 409 and body["message"] == str(NO_MODEL_WORKERS % {"union": "甲公司工会"})


def test_only_a_chair_in_scope_starts_one(api, tree, fund, model_workers, aid_people):
    body = {"fund": fund.pk, "amount_per_household": "800"}
    for user in (tree.committee_a, aid_people["finance"], tree.applicant_a):
        status, answer = api(user, "post", URL, body)
        assert status == 403 and answer["message"] == str(NOT_CHAIR), user
    chair_b = grant(make_user("chair_b", name="乙主席", unit=tree.b, employer=tree.employer_b), Role.CHAIR, tree.b)
    status, answer = api(chair_b, "post", URL, body)
    assert status == 400 and "fund" in answer["fields"]  # another union's fund
    assert api(None, "post", URL, body)[0] in (401, 403)
    assert not AidBatch.objects.exists()


BAD = [
    {"amount_per_household": "1e400"},
    {"amount_per_household": "0"},
    {"amount_per_household": "-5"},
    {"amount_per_household": "abc"},
    {"amount_per_household": "1000000.01"},
    {"amount_per_household": None},
    {"members": "x"},
    {"members": []},
    {"members": ["a"]},
    {"members": [0]},
    {"members": list(range(1, 1002))},
    {"title": "x" * 101},
    {"fund": "abc"},
    {"fund": None},
]


@pytest.mark.parametrize("change", BAD, ids=[str(b)[:40] for b in BAD])
def test_a_malformed_body_is_refused_and_starts_nothing(api, tree, fund, model_workers, change):
    status, body = api(tree.chair_a, "post", URL, {"fund": fund.pk, "amount_per_household": "800", **change})
    assert status == 400 and set(change) & {name.split(".")[0] for name in body["fields"]}
    assert not AidBatch.objects.exists() and not AidApplication.objects.exists()


@pytest.mark.parametrize("raw", ["[]", "null", '"x"', "1", '{"fund": '])
def test_a_body_that_is_not_an_object_is_refused(api, tree, fund, model_workers, raw):
    assert api(tree.chair_a, "post", URL, raw=raw)[0] == 400
    assert not AidBatch.objects.exists()


def test_the_amount_is_money(api, tree, fund, model_workers):
    status, body = api(tree.chair_a, "post", URL, {"fund": fund.pk, "amount_per_household": "1000.5"})
    assert status == 201 and AidBatch.objects.get().amount_per_household == Decimal("1000.50")
