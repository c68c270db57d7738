"""Authorisation backends: roles scoped to org units, and model permissions for the admin's staff."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.backends import ModelBackend

from .roles import ROLE_PERMISSIONS, scope_path

# Role rows read during one unit of work, by user id, shared by every object of the same user (the
# actor, and the same person met again as a task's owner or a notice's recipient).
_shared_role_rows = ContextVar("shared_role_rows", default=None)


@contextmanager
def role_rows_shared():
    """Within the block, each user's role rows are read once whatever object carries the user.
    A role granted or withdrawn meanwhile empties the shared rows (see ``forget_shared_roles``)."""
    if _shared_role_rows.get() is not None:
        yield
        return
    token = _shared_role_rows.set({})
    try:
        yield
    finally:
        _shared_role_rows.reset(token)


def forget_shared_roles(**kwargs):
    shared = _shared_role_rows.get()
    if shared is not None:
        shared.clear()


class ScopedRoleBackend:
    """Authorisation from ``RoleAssignment`` rows, cached on the user object per request."""

    cache_attr = "_unionflow_role_cache"

    def authenticate(self, request, **credentials):
        return None

    def role_paths(self, user):
        """``[(role, org_unit_path), ...]`` for the user, one query per user object."""
        if not hasattr(user, self.cache_attr):
            from .models import RoleAssignment

            shared = _shared_role_rows.get()
            if shared is not None and user.pk in shared:
                rows = shared[user.pk]
            else:
                rows = list(RoleAssignment.objects.filter(user=user).values_list("role", "org_unit__path"))
                if shared is not None:
                    shared[user.pk] = rows
            setattr(user, self.cache_attr, list(rows))
        return getattr(user, self.cache_attr)

    def get_all_permissions(self, user, obj=None):
        if not user.is_active or user.is_anonymous:
            return set()
        path = scope_path(obj) if obj is not None else None
        perms = set()
        for role, unit_path in self.role_paths(user):
            if path is None or path.startswith(unit_path):
                perms |= ROLE_PERMISSIONS.get(role, set())
        return perms

    def has_perm(self, user, perm, obj=None):
        return perm in self.get_all_permissions(user, obj)


class StaffModelBackend(ModelBackend):
    """Django's model permissions, for staff only (they exist for the admin site).

    Everyone else is authorised by :class:`ScopedRoleBackend`; skipping the model-permission
    lookups for them saves two queries on every page that asks ``perms``.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not getattr(user_obj, "is_staff", False):
            return set()
        return super().get_all_permissions(user_obj, obj)
