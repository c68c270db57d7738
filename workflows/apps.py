from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("流转引擎与组织")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_init, post_save
        from viewflow.workflow.models import Task

        # Flows register their permissions on the process model when the class is built, so
        # they must be imported before migrations are computed.
        from . import flows  # noqa: F401
        from .middleware import mark_session_seen

        user_logged_in.connect(mark_session_seen, dispatch_uid="workflows.mark_session_seen")
        from .saved_filters import on_login

        user_logged_in.connect(on_login, dispatch_uid="workflows.saved_filters")

        from django.db.models.signals import post_delete

        from . import badges
        from .backends import forget_shared_roles
        from .models import Notification, RoleAssignment

        # a role granted or withdrawn inside a completion is seen by the checks after it
        post_save.connect(forget_shared_roles, sender=RoleAssignment, dispatch_uid="forget_shared_roles_saved")
        post_delete.connect(forget_shared_roles, sender=RoleAssignment, dispatch_uid="forget_shared_roles_deleted")
        post_init.connect(badges.remember_loaded_owner, sender=Task, dispatch_uid="workflows.badge_owner")
        post_save.connect(badges.forget_task_owners, sender=Task, dispatch_uid="workflows.badge_task")
        post_save.connect(badges.forget_recipient, sender=Notification, dispatch_uid="workflows.badge_notice")
