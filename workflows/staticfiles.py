"""Which apps' static files the site collects and serves: only those of pages it shows."""

from django.apps import apps
from django.contrib.staticfiles import finders


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's app finder without the apps whose static files no page of this site uses.

    viewflow ships the whole frontend of its own site UI (49 MB of fonts and scripts), which UnionFlow
    does not mount: the pages are the project's templates and CSS, and the admin, DRF and the Swagger
    UI bring their own static files. One of viewflow's stylesheets (``roboto-fontface.css``) names
    font files the wheel does not ship, so the manifest storage of the production profile fails on it
    in ``collectstatic``. Leaving it out here keeps it out of ``collectstatic``, ``findstatic`` and
    WhiteNoise's finders alike, so the demo serves exactly what production does.
    """

    unused_apps = frozenset({"viewflow"})

    def __init__(self, app_names=None, *args, **kwargs):
        if app_names is None:
            app_names = [config.name for config in apps.get_app_configs() if config.name not in self.unused_apps]
        super().__init__(app_names, *args, **kwargs)
