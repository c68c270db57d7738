"""One error shape, ``{"code", "message", "fields"}``, for every status the API refuses with, in
Chinese whatever language the client asks for."""

import re

import pytest
from django.test import Client
from rest_framework.exceptions import Throttled

from workflows.api_errors import exception_handler

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
STATEMENT = "本人自愿加入工会，遵守工会章程。"


def assert_shape(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert body["code"] == code, body
    assert CHINESE.search(body["message"]), f"not Chinese: {body['message']!r}"
    for messages in body["fields"].values():
        assert messages and all(CHINESE.search(m) for m in messages), body
    return body


@pytest.fixture
def en(client):
    """A client whose browser prefers English: Django's and DRF's words must stay Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    return client


def test_validation_errors_name_each_field_under_fields(en, tree):
    en.force_login(tree.applicant_a)
    response = en.post("/api/v1/membership-applications/", {"statement": "短"}, content_type="application/json")
    body = assert_shape(response, 400, "invalid")
    assert body["message"] == "提交的数据有误，请按各项的提示修改后重试。"
    assert list(body["fields"]) == ["statement"]
    response = en.post("/api/v1/membership-applications/", {"statement": ["x"]}, content_type="application/json")
    assert "statement" in assert_shape(response, 400, "invalid")["fields"]


def test_a_body_that_is_not_json_is_a_parse_error_in_chinese(en, tree):
    en.force_login(tree.applicant_a)
    response = en.post("/api/v1/membership-applications/", '{"statement": ', content_type="application/json")
    assert "第1行" in assert_shape(response, 400, "parse_error")["message"]
    response = en.post("/api/v1/membership-applications/", b"\xff\xfe{", content_type="application/json")
    assert_shape(response, 400, "parse_error")


def test_anonymous_is_refused_in_the_shape(en, tree):
    response = en.get("/api/v1/tasks/")
    body = assert_shape(response, 401, "not_authenticated")  # 401: a token is a way in (WWW-Authenticate)
    assert body["message"] == "身份认证信息未提供。" and response.headers["WWW-Authenticate"]


def test_a_missing_csrf_token_is_refused_in_chinese(tree):
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(tree.applicant_a)
    response = browser.post(
        "/api/v1/membership-applications/", {"statement": STATEMENT}, content_type="application/json"
    )
    assert "CSRF" in assert_shape(response, 403, "permission_denied")["message"]


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/999999/", "/api/v1/aid/batches/999999/", "/api/v1/no-such-thing/", "/api/v1/cases/x/"]
)
def test_not_found_is_the_shape_inside_and_outside_drf(en, tree, url):
    en.force_login(tree.chair)
    assert_shape(en.get(url), 404, "not_found")


def test_a_wrong_method_and_a_wrong_media_type(en, tree):
    en.force_login(tree.chair)
    response = en.delete("/api/v1/cases/")
    assert_shape(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
    response = en.post("/api/v1/membership-applications/", "statement=x", content_type="text/plain")
    assert_shape(response, 415, "unsupported_media_type")


def test_an_illegal_transition_is_a_409(en, tree):
    en.force_login(tree.applicant_a)
    created = en.post("/api/v1/membership-applications/", {"statement": STATEMENT}, content_type="application/json")
    url = f"/api/v1/membership-applications/{created.json()['id']}/withdraw/"
    assert en.post(url, {}, content_type="application/json").status_code == 200
    assert_shape(en.post(url, {}, content_type="application/json"), 409, "illegal_transition")


def test_a_body_over_its_limit_is_a_413_before_it_is_read(en, tree, settings):
    en.force_login(tree.applicant_a)
    response = en.post(
        "/api/v1/membership-applications/",
        "{}",
        content_type="application/json",
        CONTENT_LENGTH=str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    )
    assert_shape(response, 413, "too_large")


def test_throttling_is_a_429_with_retry_after(rf):
    response = exception_handler(Throttled(wait=7), {"request": rf.get("/api/v1/tasks/"), "view": None})
    assert response.status_code == 429 and response["Retry-After"] == "7"
    assert response.data["code"] == "throttled" and CHINESE.search(response.data["message"])
    assert response.data["fields"] == {}


def test_a_crash_under_the_api_is_json_and_says_nothing_was_saved(en, tree, monkeypatch):
    from workflows.api import TaskViewSet

    def crash(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(TaskViewSet, "list", crash)
    en.raise_request_exception = False
    en.force_login(tree.chair)
    body = assert_shape(en.get("/api/v1/tasks/"), 500, "server_error")
    assert "未被保存" in body["message"] and "boom" not in body["message"]


def test_pages_keep_their_own_error_pages(en, tree):
    en.force_login(tree.chair)
    response = en.get("/cases/999999/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_django_messages_on_pages_are_chinese_for_an_english_browser(en, tree):
    response = en.post("/login/", {"username": "chair", "password": "wrong"})
    assert "请输入一个正确的" in response.content.decode()
