from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("劳动争议调解")

    def ready(self):
        from . import flows, summary  # noqa: F401  (flow permissions; the report's section)
