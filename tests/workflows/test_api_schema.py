"""The schema says what each action accepts and every status it can answer, errors in their shape."""

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from workflows.api import task_forms

ALWAYS = {"400", "401", "403", "404", "503"}
WRITES = {"409", "413", "415"}
NO_BODY = {"claim", "close", "read", "release", "retry", "second", "submit"}  # actions that take no fields
NO_BODY_PATHS = {"/api/v1/consultations/{id}/withdraw/"}  # 撤回加签 takes no reason (others' withdraw do)


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_schema_builds_without_a_warning_and_validates(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_every_operation_documents_its_refusals_in_the_error_shape(schema):
    error = {"$ref": "#/components/schemas/Error"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message", "fields"}
    for path, method, operation in operations(schema):
        if not path.startswith("/api/v1/"):
            continue
        expected = ALWAYS | (WRITES if method == "post" else set())
        assert expected <= set(operation["responses"]), (method, path, sorted(operation["responses"]))
        for code in expected:
            assert operation["responses"][code]["content"]["application/json"]["schema"] == error, (path, code)
        # One success, with its body; closing a period answers 202 (started) or 200 (already closed).
        success = [code for code in operation["responses"] if code.startswith("2")]
        assert success and all("content" in operation["responses"][code] for code in success), (method, path)
        assert len(success) == 1 or path.endswith("/close/"), (method, path, success)


def test_every_write_documents_the_body_it_accepts(schema):
    for path, method, operation in operations(schema):
        if method != "post":
            continue
        action = path.rstrip("/").rsplit("/", 1)[-1]
        if action in NO_BODY or path in NO_BODY_PATHS:
            assert "requestBody" not in operation, path
            continue
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        component = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
        assert component["properties"], path


def test_complete_documents_the_form_of_every_human_task(schema):
    data = schema["components"]["schemas"]["TaskFormData"]
    documented = {ref["$ref"].rsplit("/", 1)[-1] for ref in data["oneOf"]}
    assert len(documented) == len(task_forms()) >= 12
    approve = schema["components"]["schemas"]["AidApproveInput"]["properties"]
    assert "ApprovalDecisionEnum" in str(approve["decision"]) and {"fund", "amount", "note"} <= set(approve)
    disburse = schema["components"]["schemas"]["AidDisburseInput"]
    assert disburse["properties"]["paid_on"]["format"] == "date" and "paid_on" in disburse["required"]


def test_lists_that_are_not_paged_are_documented_as_plain_arrays(schema):
    for path in ("/api/v1/aid/applications/funds/", "/api/v1/cases/{id}/audit/", "/api/v1/proposals/{id}/audit/"):
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array", path
