"""Authorisation backends: roles scoped to org units, and model permissions for the admin's staff."""

from django.contrib.auth.backends import ModelBackend

from .roles import ROLE_PERMISSIONS, scope_path


class ScopedRoleBackend:
    """Authorisation from ``RoleAssignment`` rows, cached on the user object per request."""

    cache_attr = "_unionflow_role_cache"

    def authenticate(self, request, **credentials):
        return None

    def role_paths(self, user):
        """``[(role, org_unit_path), ...]`` for the user, one query per user object."""
        if not hasattr(user, self.cache_attr):
            from .models import RoleAssignment

            rows = RoleAssignment.objects.filter(user=user).values_list("role", "org_unit__path")
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
