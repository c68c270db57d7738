from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "aid"
    verbose_name = _("困难职工帮扶")

    def ready(self):
        from . import flows, summary  # noqa: F401  (flow permissions; the report's section)
