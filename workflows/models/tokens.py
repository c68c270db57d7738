"""API tokens for other union systems: stored as a hash, shown once, revocable, audited."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Tokens start with this, so a leaked one is recognisable in a log or a secret scanner.
TOKEN_PREFIX = "uf_"
# The first characters of a token, kept in clear so an operator can tell tokens apart.
SHOWN_CHARS = 10


def token_digest(token):
    """SHA-256 of the token.  A token is 256 random bits, so a fast hash cannot be brute-forced
    (passwords need a slow one because people choose them; nobody chooses these)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A key another system sends as ``Authorization: Token <key>``; it acts as ``user``.

    Only the key's SHA-256 is stored: a copy of the database (a backup, a replica) does not let
    anyone call the API.  Made with ``manage.py api_token``; revoked there or in the admin; both
    are written to the audit trail.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("用途"), max_length=100, blank=True, help_text=_("例如：12351 热线系统"))
    shown = models.CharField(_("令牌开头"), max_length=SHOWN_CHARS)
    digest = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.shown}… ({self.user})"

    @classmethod
    def issue(cls, *, user, name="", expires_at=None):
        """Make a token; returns ``(row, token)``.  The token itself is never stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user, name=name, shown=token[:SHOWN_CHARS], digest=token_digest(token), expires_at=expires_at
        )
        return row, token

    @property
    def is_active(self):
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
