"""Issuing and revoking API tokens: each one a transaction with its audit row."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import WorkflowError
from .models import ApiToken
from .transitions import audit

USER_INACTIVE = _("用户“%(user)s”已停用，不能为其签发 API 令牌。")


def api_token_issue(*, user, name="", expires_at=None, actor=None, via=""):
    """A new token for ``user``; returns ``(row, token)``.  The token is shown this once."""
    if not user.is_active:
        raise WorkflowError(USER_INACTIVE, user=user.get_username())
    with transaction.atomic():
        row, token = ApiToken.issue(user=user, name=name, expires_at=expires_at)
        audit(
            row,
            actor=actor,
            action="api_token_issue",
            action_label=_("签发 API 令牌"),
            to_state="active",
            reason=_describe(row, via),
        )
    return row, token


def api_token_revoke(*, tokens, actor=None, via=""):
    """Revoke each still-active token of ``tokens`` (a queryset); returns how many were revoked."""
    with transaction.atomic():
        rows = list(tokens.active().select_for_update().select_related("user"))
        now = timezone.now()
        for row in rows:
            row.revoked_at = now
            row.save(update_fields=["revoked_at"])
            audit(
                row,
                actor=actor,
                action="api_token_revoke",
                action_label=_("吊销 API 令牌"),
                from_state="active",
                to_state="revoked",
                reason=_describe(row, via),
            )
    return len(rows)


def _describe(row, via):
    expiry = timezone.localtime(row.expires_at).strftime("%Y-%m-%d") if row.expires_at else "不过期"
    return f"{row.user.get_username()} · {row.shown}… · {row.name or '未注明用途'} · 到期 {expiry}" + (
        f" · {via}" if via else ""
    )
