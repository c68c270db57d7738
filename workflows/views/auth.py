"""The login page's answer when django-axes has locked a username for this address, and the name an
attempt is counted under."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

LOCKED_OUT = _(
    "登录失败次数过多，该账号在此设备上已被暂时锁定，请 %(minutes)d 分钟后再试；如需立即解锁，请联系系统管理员。"
)


def login_locked_out(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login page again, with why the login is refused (HTTP 429).

    The form is empty: the password of a locked-out attempt was not checked, and the page must not
    tell whether it was right.
    """
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    response = render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": LOCKED_OUT % {"minutes": minutes}, "next": request.POST.get("next", "")},
        status=429,
    )
    add_never_cache_headers(response)  # as Django's own login page
    return response


def lockout_username(request, credentials=None):
    """``AXES_USERNAME_CALLABLE``: the username a failed login is counted under, cut to the longest a
    username can be.  Django's login form does not limit it and axes stores at most 255 characters:
    PostgreSQL refused a longer one with a 500.  No real user is merged with another by the cut."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = credentials.get(field) if credentials else request.POST.get(field)
    if not isinstance(username, str):
        return username
    return username[: get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length]
