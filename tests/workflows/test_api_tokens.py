"""Other systems call the API with a token from ``manage.py api_token``; nobody with a password.

Messages are checked in the body's text, not under a key: the API's error shape is the error
handler's business.
"""

import base64
import io
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import fresh
from workflows.authentication import LAST_USED_PRECISION, TOKEN_INVALID, TOKEN_MALFORMED, USER_INACTIVE
from workflows.models import ApiToken, AuditEvent
from workflows.models.tokens import token_digest

pytestmark = pytest.mark.django_db


def issue(username, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", username, *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def get(client, url, token=None, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client.get(url, **headers)


def test_a_token_from_the_command_calls_the_api_as_its_user(client, tree):
    token, note = issue("committee_a", "--name", "12351 热线系统")
    assert token.startswith("uf_") and len(token) > 40 and "\n" not in token  # alone on stdout
    assert "只显示这一次" in note
    response = get(client, "/api/v1/tasks/", token)
    assert response.status_code == 200
    assert response.wsgi_request.user == tree.committee_a
    assert "sessionid" not in response.cookies  # a token call starts no session


def test_only_the_tokens_hash_is_stored(tree):
    token, _ = issue("committee_a")
    row = ApiToken.objects.get()
    assert row.digest == token_digest(token) and token not in (row.digest, row.shown, row.name)
    assert token.startswith(row.shown)


def test_issuing_and_revoking_are_audited(tree):
    issue("committee_a", "--name", "热线")
    issue("committee_a", "--revoke")
    row = ApiToken.objects.get()
    events = list(AuditEvent.objects.for_record(row).values_list("action", "to_state", "reason"))
    assert [(a, s) for a, s, _ in events] == [("api_token_issue", "active"), ("api_token_revoke", "revoked")]
    assert all(
        "committee_a" in reason and row.shown in reason and "manage.py api_token" in reason for *_, reason in events
    )


def test_a_revoked_token_is_refused(client, tree):
    token, _ = issue("committee_a")
    _, note = issue("committee_a", "--revoke")
    assert "1 个令牌" in note
    response = get(client, "/api/v1/tasks/", token)
    assert response.status_code == 401 and str(TOKEN_INVALID) in response.content.decode()
    assert response["WWW-Authenticate"] == "Token"


def test_rotating_revokes_the_old_tokens_and_prints_a_new_one(client, tree):
    old, _ = issue("committee_a")
    new, _ = issue("committee_a", "--rotate")
    assert new != old
    assert get(client, "/api/v1/tasks/", old).status_code == 401
    assert get(client, "/api/v1/tasks/", new).status_code == 200
    assert ApiToken.objects.active().count() == 1


def test_an_expired_token_is_refused(client, tree):
    token, _ = issue("committee_a", "--days", "1")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert get(client, "/api/v1/tasks/", token).status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(client, tree):
    token, _ = issue("committee_a")
    tree.committee_a.is_active = False
    tree.committee_a.save()
    response = get(client, "/api/v1/tasks/", token)
    assert response.status_code == 401 and str(USER_INACTIVE) in response.content.decode()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token", TOKEN_MALFORMED),
        ("Token a b", TOKEN_MALFORMED),
        ("Token uf_no-such-token", TOKEN_INVALID),
        ("Token uf_\u00e9\u00e9", TOKEN_INVALID),  # latin-1 bytes: not a token, not a 500
        ("token " + "x" * 5000, TOKEN_INVALID),
    ],
)
def test_a_malformed_or_unknown_token_is_a_401_in_chinese(client, tree, header, message):
    issue("committee_a")
    response = client.get("/api/v1/tasks/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and str(message) in response.content.decode()


def test_http_basic_auth_is_not_accepted(client, tree):
    """It was: a password on every request, and no lockout in front of it."""
    credentials = base64.b64encode(b"committee_a:pw-for-tests-1").decode()
    response = client.get("/api/v1/tasks/", HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code == 401
    assert response.wsgi_request.user.is_anonymous


def test_last_use_is_recorded_without_a_write_per_call(client, tree):
    token, _ = issue("committee_a")
    get(client, "/api/v1/tasks/", token)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    get(client, "/api/v1/tasks/", token)
    assert ApiToken.objects.get().last_used_at == first  # within LAST_USED_PRECISION: no write
    ApiToken.objects.update(last_used_at=first - LAST_USED_PRECISION - timedelta(seconds=1))
    get(client, "/api/v1/tasks/", token)
    assert ApiToken.objects.get().last_used_at > first


def test_the_command_refuses_unknown_and_inactive_users(tree):
    with pytest.raises(CommandError, match="不存在"):
        issue("nobody")
    tree.committee_a.is_active = False
    tree.committee_a.save()
    with pytest.raises(CommandError, match="已停用"):
        issue("committee_a")
    assert not ApiToken.objects.exists() and not AuditEvent.objects.filter(action__startswith="api_token").exists()


def test_listing_never_shows_a_token(tree):
    token, _ = issue("committee_a", "--name", "热线")
    listing, _ = issue("committee_a", "--list")
    assert "热线" in listing and "有效" in listing and token not in listing and token[:10] in listing


def test_the_admin_revokes_with_the_admin_as_actor(tree):
    token, _ = issue("committee_a")
    admin_user = fresh(tree.chair)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    request = RequestFactory().post("/admin/workflows/apitoken/")
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin = site._registry[ApiToken]
    assert not model_admin.has_add_permission(request) and not model_admin.has_delete_permission(request)
    model_admin.revoke(request, ApiToken.objects.all())
    assert not ApiToken.objects.active().exists()
    revoked = AuditEvent.objects.get(action="api_token_revoke")
    assert revoked.actor == admin_user and "管理后台" in revoked.reason


def test_a_non_admin_staff_member_cannot_revoke_from_the_admin(tree):
    staff = fresh(tree.committee_a)
    staff.is_staff = True
    staff.save()
    request = RequestFactory().get("/admin/workflows/apitoken/")
    request.user = staff
    assert "revoke" not in site._registry[ApiToken].get_actions(request)


def test_schema_and_docs_require_a_login(client, tree):
    assert client.get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/?next=/api/docs/")
    token, _ = issue("committee_a")
    schema = get(client, "/api/schema/", token)
    assert schema.status_code == 200 and b"tokenAuth" in schema.content and b"basicAuth" not in schema.content
