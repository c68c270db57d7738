"""What every answer tells the browser: Permissions-Policy, no-store for personal data, sessions that
end, and a request id the server made."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from workflows import services
from workflows.middleware import RequestIdMiddleware
from workflows.models import AuditEvent
from workflows.transitions import audit

pytestmark = pytest.mark.django_db

STATEMENT = "本人自愿加入工会，遵守章程。"


def test_every_answer_switches_off_device_features(client, tree):
    for response in (client.get("/login/"), client.get("/api/v1/tasks/"), client.get("/healthz/")):
        features = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()"


@pytest.mark.parametrize("url", ["/", "/tasks/box/inbox/", "/cases/", "/aid/", "/notifications/"])
def test_logged_in_pages_are_not_stored(client, tree, url):
    client.force_login(tree.committee_a)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("logged_in", [True, False])
def test_api_answers_are_not_stored(client, tree, logged_in):
    if logged_in:
        client.force_login(tree.committee_a)
    response = client.get("/api/v1/tasks/")
    assert response.status_code == (200 if logged_in else 401)
    assert "no-store" in response["Cache-Control"]


def test_the_session_cookie_ends_with_the_browser(client, tree):
    response = client.post("/login/", {"username": "committee_a", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]


def test_a_session_ends_after_a_working_day_without_a_request(client, tree):
    assert 8 * 3600 <= settings.SESSION_COOKIE_AGE <= 10 * 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(tree.committee_a)
        for _ in range(3):  # a long day of work: each request pushes the end back
            clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE - 600))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))  # away overnight
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_session_is_not_written_on_every_request(client, tree):
    client.force_login(tree.committee_a)
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    assert captured.captured_queries and not [q for q in captured.captured_queries if "UPDATE" in q["sql"]]


def test_the_request_id_is_the_servers_and_the_clients_is_kept_beside_it(client, tree):
    client.force_login(tree.applicant_a)
    response = client.post(
        "/api/v1/membership-applications/",
        {"statement": STATEMENT},
        content_type="application/json",
        HTTP_X_REQUEST_ID="hotline-2026.11.30_0042",
    )
    assert response.status_code == 201
    server_id = response["X-Request-ID"]
    assert uuid.UUID(hex=server_id).version == 4
    event = AuditEvent.objects.get()
    assert event.request_id == server_id and event.client_request_id == "hotline-2026.11.30_0042"


@pytest.mark.parametrize(
    "sent",
    [
        "x" * 65,
        "<script>alert(1)</script>",
        "abc def",
        "id\nX-Injected: 1",  # was a 500: the id went back out as a header with its newline
        "编号",
    ],
)
def test_a_client_request_id_that_is_not_a_plain_token_is_dropped(client, tree, sent):
    client.force_login(tree.applicant_a)
    response = client.post(
        "/api/v1/membership-applications/",
        {"statement": STATEMENT},
        content_type="application/json",
        HTTP_X_REQUEST_ID=sent,
    )
    assert response.status_code == 201
    assert response["X-Request-ID"] != sent and len(response["X-Request-ID"]) == 32
    event = AuditEvent.objects.get()
    assert event.client_request_id == "" and event.request_id == response["X-Request-ID"]


def test_audit_rows_written_while_serving_a_request_carry_its_ids(tree):
    """Also where a service was not handed the id (a flow's follow-on step); none outside a request."""
    application = services.membership_apply(actor=tree.applicant_a, statement=STATEMENT)  # outside a request
    assert AuditEvent.objects.get().request_id == ""

    def view(request):
        audit(application, actor=tree.committee_a, action="follow_on")
        return HttpResponse()

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="caller-7")
    response = RequestIdMiddleware(view)(request)
    event = AuditEvent.objects.get(action="follow_on")
    assert event.request_id == response["X-Request-ID"] == request.request_id
    assert event.client_request_id == "caller-7"
