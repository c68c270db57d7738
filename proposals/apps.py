from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("职代会提案")

    def ready(self):
        from . import flows, summary  # noqa: F401  (flow permissions; the report's section)
