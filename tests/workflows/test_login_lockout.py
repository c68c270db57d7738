"""Guessing passwords locks the username for that address (django-axes), with a Chinese message and
an unlock by an administrator."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command

from tests.factories import fresh
from workflows.views.auth import LOCKED_OUT

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # tests.factories.make_user's


def attempt(client, username, password, address="10.0.0.7", url="/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_until_locked(client, username="committee_a", address="10.0.0.7"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, username, "wrong-guess", address)
    return response


def test_the_right_password_is_refused_once_the_pair_is_locked(client, tree):
    """Before: twelve wrong passwords, then the right one logged in."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "committee_a", "wrong-guess").status_code == 200  # the form again, with its error
    locked = attempt(client, "committee_a", "wrong-guess")
    assert locked.status_code == 429
    response = attempt(client, "committee_a", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert str(LOCKED_OUT % {"minutes": minutes}) in page and 'name="password"' in page
    assert "_auth_user_id" not in client.session
    assert response["Cache-Control"].count("no-store")


def test_the_lock_is_per_username_and_address(client, tree):
    fail_until_locked(client)
    assert attempt(client, "committee_a", PASSWORD, address="10.0.0.8").status_code == 302  # another computer
    client.logout()
    assert attempt(client, "chair", PASSWORD).status_code == 302  # another user at the same computer


def test_a_success_before_the_limit_starts_the_count_again(client, tree):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "committee_a", "wrong-guess")
    assert attempt(client, "committee_a", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "committee_a", "wrong-guess")
    assert attempt(client, "committee_a", PASSWORD).status_code == 302


def test_the_admin_login_is_protected_too(client, tree):
    admin = fresh(tree.chair)
    admin.is_staff = True
    admin.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "chair", "wrong-guess", url="/admin/login/")
    assert attempt(client, "chair", PASSWORD, url="/admin/login/").status_code == 429


def test_axes_reset_unlocks(client, tree):
    fail_until_locked(client)
    call_command("axes_reset", verbosity=0)
    assert attempt(client, "committee_a", PASSWORD).status_code == 302


def test_an_administrator_unlocks_in_the_admin(client, tree):
    fail_until_locked(client)
    attempt_row = AccessAttempt.objects.get(username="committee_a")
    admin = fresh(tree.chair)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.post(f"/admin/axes/accessattempt/{attempt_row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    client.logout()
    assert attempt(client, "committee_a", PASSWORD).status_code == 302


def test_the_test_clients_login_still_works(client, tree):
    assert client.login(username="committee_a", password=PASSWORD)
    assert client.get("/").status_code == 200
    assert not client.login(username="committee_a", password="wrong-guess")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "committee_a"},
        {"username": "x" * 300, "password": "p"},
        {"username": "a\x00b", "password": "p"},
    ],
)
def test_a_malformed_login_is_the_form_again_never_a_500(client, tree, body):
    """A 300-character username answered 500 on PostgreSQL (axes stores 255); it is a wrong login
    like any other, locked out after the limit."""
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post("/login/", body, REMOTE_ADDR="10.0.0.7")
        assert response.status_code in (200, 429) and 'name="password"' in response.content.decode()
    assert attempt(client, "committee_a", PASSWORD).status_code == 302  # nothing was counted against the user
