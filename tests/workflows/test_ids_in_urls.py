"""Every URL with an id, pages and API alike, answers 404 to an id that is not one (text, a
negative number, an exponent, a number past any database integer) — never a 500, never a page."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

BAD_IDS = ["abc", "-1", "1e3", "１２", "99999999999999999999999", "0"]
# A plausible value for each other part of a URL, so only the id is wrong.
OTHER_PARTS = {"action": "comment", "kind": "application", "box": "inbox", "format": "json"}
ID_NAMES = {"pk", "period_pk"}


def routes(patterns=None, prefix=""):
    """Every route of the URL conf as text, e.g. ``cases/<int:pk>/<str:action>/`` or a router's regex."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        text = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + text.lstrip("^"))
        elif isinstance(entry, URLPattern):
            yield prefix + text.lstrip("^").rstrip("$")


def with_id(route, bad):
    """The route as a URL with ``bad`` for its id, or None when it carries no id."""
    names = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route))
    if not names & ID_NAMES or route.startswith("admin/"):
        return None
    part = lambda m: bad if m[1] in ID_NAMES else OTHER_PARTS.get(m[1], "x")  # noqa: E731
    url = re.sub(r"<(?:\w+:)?(\w+)>", part, re.sub(r"\(\?P<(\w+)>[^)]*\)", part, route))
    if "\\.(?P<format>" in route or "(?P<format>" in route:
        return None
    return "/" + url.replace("\\.", ".").replace("\\", "")


def urls_with_ids(bad):
    return sorted({url for route in routes() if (url := with_id(route, bad))})


def test_the_sweep_covers_pages_and_the_api():
    urls = urls_with_ids("1")
    assert len(urls) >= 40, urls
    for expected in ("/cases/1/", "/aid/batches/1/", "/api/v1/aid/batches/1/", "/summaries/reports/1/file.application"):
        assert expected in urls


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_id_that_is_not_one_is_a_404_everywhere(client, tree, django_user_model, bad):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    client.raise_request_exception = False
    for url in urls_with_ids(bad):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), f"{method.upper()} {url} answered {response.status_code}"
            if url.startswith("/api/") and response.status_code == 404:
                assert response.json()["code"] == "not_found", url


def test_an_unknown_kind_of_publicised_record_is_a_404(client, tree):
    """It used to be read as a batch: /aid/publicity/anything/1/object/ reached the batch board."""
    client.force_login(tree.chair_a)
    assert client.post("/aid/publicity/anything/1/object/", {"text": "异议"}).status_code == 404
