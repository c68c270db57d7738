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
