"""API authentication for other systems: ``Authorization: Token <key>`` against :class:`ApiToken`."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import ApiToken
from .models.tokens import token_digest

TOKEN_INVALID = _("API 令牌无效、已过期或已被吊销。")
TOKEN_MALFORMED = _("Authorization 请求头格式应为：Token <令牌>。")
USER_INACTIVE = _("该 API 令牌所属的用户已停用。")

# last_used_at is for telling live tokens from forgotten ones: a day's precision would do, and
# writing it on every call would make each read a write.
LAST_USED_PRECISION = timedelta(minutes=5)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # no token: the session (or nothing) decides
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(TOKEN_MALFORMED)
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID)
        row = ApiToken.objects.active().select_related("user").filter(digest=token_digest(token)).first()
        if row is None:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID)
        if not row.user.is_active:
            raise exceptions.AuthenticationFailed(USER_INACTIVE)
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user, row

    def authenticate_header(self, request):
        # Makes an anonymous API call a 401 (with this challenge) rather than a 403.
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token in the OpenAPI schema (and gives Swagger UI its 'Authorize' field)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <令牌>（由 manage.py api_token 用户名 生成）",
        }
