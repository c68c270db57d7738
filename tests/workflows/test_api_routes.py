"""Each app contributes its own API routes; the engine imports no domain app."""

import ast
import pathlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from workflows.api_registry import ApiRoutes, api_routes

DOMAIN_APPS = {"cases", "aid", "proposals", "summaries"}
ENGINE = pathlib.Path(__file__).resolve().parents[2] / "workflows"


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_the_engine_imports_no_domain_app():
    upward = {
        f"{path.relative_to(ENGINE.parent)}: {module}"
        for path in ENGINE.rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in DOMAIN_APPS
    }
    assert not upward


@pytest.mark.parametrize(
    ("name", "args", "url"),
    [
        ("task-list", [], "/api/v1/tasks/"),
        ("task-claim", [1], "/api/v1/tasks/1/claim/"),
        ("case-list", [], "/api/v1/cases/"),
        ("case-register", [], "/api/v1/cases/register/"),
        ("case-document", [1, "agreement"], "/api/v1/cases/1/documents/agreement/"),
        ("aid-application-list", [], "/api/v1/aid/applications/"),
        ("aid-application-funds", [], "/api/v1/aid/applications/funds/"),
        ("aid-file-detail", [1], "/api/v1/aid/files/1/"),
        ("aid-batch-list", [], "/api/v1/aid/batches/"),
        ("proposal-second", [1], "/api/v1/proposals/1/second/"),
        ("membership-application-withdraw", [1], "/api/v1/membership-applications/1/withdraw/"),
    ],
)
def test_every_url_and_basename_stays_where_it_was(name, args, url):
    assert reverse(name, args=args) == url


def test_tasks_name_the_records_that_flows_carry():
    assert set(api_routes.record_types()) >= {
        "case",
        "aid-application",
        "aid-batch",
        "proposal",
        "membership-application",
    }


def test_a_prefix_or_basename_registered_twice_is_refused():
    routes = ApiRoutes()
    routes.register("things", object, basename="thing")
    with pytest.raises(ImproperlyConfigured):
        routes.register("things", object, basename="other")
    with pytest.raises(ImproperlyConfigured):
        routes.register("others", object, basename="thing")
