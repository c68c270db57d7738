"""No request body makes the API answer 500 or store anything: every write endpoint of the router,
each malformed body, as a user allowed through every permission check."""

import re

import pytest
from django.apps import apps
from django.urls import reverse

from aid.models import AidBatch, Fund
from workflows.api_urls import router

pytestmark = pytest.mark.django_db

MALFORMED = {
    "a list": "[]",
    "a string": '"x"',
    "a number": "1",
    "null": "null",
    "broken JSON": '{"note": ',
    "5,000 levels deep": "[" * 5000 + "]" * 5000,
    "an object 40 levels deep": '{"a": ' * 40 + "1" + "}" * 40,
    "a lone surrogate": '{"note": "\\ud800", "reason": "\\ud800"}',
    "an infinite number": '{"amount_per_household": 1e400, "note": "x"}',
    "NaN": '{"amount": NaN}',
}


def write_urls():
    """Every (url, action) of the router that answers POST, with 1 for any id."""
    for pattern in router.urls:
        actions = getattr(pattern.callback, "actions", {}) or {}
        if "post" not in actions:
            continue
        route = str(pattern.pattern).lstrip("^").rstrip("$")
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route).replace("\\.", ".")
        if "(?P<format>" in str(pattern.pattern) or "format" in route:
            continue
        yield f"/api/v1/{route}", actions["post"]


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_the_sweep_covers_the_write_endpoints():
    urls = dict(write_urls())
    assert len(urls) >= 20, urls
    assert "/api/v1/aid/batches/" in urls and "/api/v1/tasks/1/claim/" in urls


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_body_is_refused_at_every_write_endpoint_and_changes_nothing(body, client, tree, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    before = row_counts()
    answers = {}
    for url, action in write_urls():
        response = client.post(url, data=body, content_type="application/json")
        answers[url] = response.status_code
        assert response.status_code < 500, f"{url} ({action}) answered {response.status_code}"
        assert response.status_code not in (200, 201, 204), f"{url} ({action}) accepted {body[:40]!r}"
        body = response.json()
        assert set(body) == {"code", "message", "fields"}, (url, body)
        assert body["message"]
    assert row_counts() == before
    assert 400 in answers.values()


def test_an_amount_of_1e400_is_refused_and_no_batch_is_stored(client, tree, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    fund = Fund.objects.create(org_unit=tree.a, name="困难职工帮扶资金")
    for amount in ("1e400", "NaN", "-Infinity", "12345678901234", "0", "abc", None):
        response = client.post(
            reverse("aid-batch-list"),
            data={"fund": fund.pk, "files": [], "amount_per_household": amount, "title": "送温暖"},
            content_type="application/json",
        )
        assert response.status_code == 400, (amount, response.content)
        assert "amount_per_household" in response.json()["fields"]
    for fund_value in ([1], {"a": 1}, "abc"):
        response = client.post(
            reverse("aid-batch-list"),
            data={"fund": fund_value, "files": "x", "amount_per_household": "100"},
            content_type="application/json",
        )
        assert response.status_code == 400
    assert not AidBatch.objects.exists()


def test_a_non_numeric_id_is_a_404_not_a_500(client, tree):
    client.force_login(tree.chair_a)
    for url in ("/api/v1/tasks/abc/", "/api/v1/cases/1e3/", "/api/v1/aid/applications/-1/", "/api/v1/proposals/x/"):
        assert client.get(url).status_code == 404, url
