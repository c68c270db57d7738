from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummariesConfig(AppConfig):
    name = "summaries"
    verbose_name = _("工作总结")

    def ready(self):
        from django_fsm.signals import post_transition

        from workflows.models import Period

        from .services import period_reopened

        post_transition.connect(period_reopened, sender=Period, dispatch_uid="summaries_period_reopened")
