from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("流转引擎与组织")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        # Flows register their permissions on the process model when the class is built, so
        # they must be imported before migrations are computed.
        from . import flows  # noqa: F401
        from .middleware import mark_session_seen

        user_logged_in.connect(mark_session_seen, dispatch_uid="workflows.mark_session_seen")

        from django.db.models.signals import post_delete, post_save

        from .backends import forget_shared_roles
        from .models import RoleAssignment

        # a role granted or withdrawn inside a completion is seen by the checks after it
        post_save.connect(forget_shared_roles, sender=RoleAssignment, dispatch_uid="forget_shared_roles_saved")
        post_delete.connect(forget_shared_roles, sender=RoleAssignment, dispatch_uid="forget_shared_roles_deleted")
