"""Every API list pages with ``page_size`` up to 100; the schema says so."""

import pytest
from django.contrib.auth import get_user_model
from drf_spectacular.generators import SchemaGenerator

from workflows.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_members(tree):
    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"worker{n}", first_name=f"职工{n}") for n in range(105))
    Member.objects.bulk_create(
        Member(user=u, employee_no=f"W{n:04d}", employer_unit=tree.employer_a, org_unit=tree.a)
        for n, u in enumerate(users)
    )


def page(client, user, size):
    client.force_login(user)
    response = client.get(f"/api/v1/members/?is_model_worker=false&page_size={size}")
    return response.status_code, response.json()


def test_page_size_sets_the_page_up_to_the_maximum(client, tree, many_members):
    status, body = page(client, tree.chair_a, 2)
    assert status == 200 and len(body["results"]) == 2 and "page_size=2" in body["next"]
    status, body = page(client, tree.chair_a, 100)
    assert status == 200 and len(body["results"]) == 100 and body["count"] > 100
    client.force_login(tree.chair_a)
    assert len(client.get("/api/v1/members/?is_model_worker=false").json()["results"]) == 20


@pytest.mark.parametrize("size", ["101", "0", "-1", "abc", "1.5", ""])
def test_a_page_size_out_of_bounds_is_refused(client, tree, size):
    status, body = page(client, tree.chair_a, size)
    assert status == 400 and "100" in str(body["fields"]["page_size"])


def test_every_paged_list_documents_page_size_and_its_refusals():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paged = {
        (path, method): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if any(p["name"] == "page" for p in operation.get("parameters", []))
    }
    assert ("/api/v1/cases/", "get") in paged and ("/api/v1/members/", "get") in paged
    for (path, _method), operation in paged.items():
        size = next(p for p in operation["parameters"] if p["name"] == "page_size")
        assert size["schema"]["maximum"] == 100, path
        assert {"400", "404"} <= set(operation["responses"]), path
