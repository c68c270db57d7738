"""The API's routes, contributed by each app.

Each app's ``api_routes.py`` registers its ViewSets here (as each app's ``admin.py`` registers with
the admin site), so the engine serves every app's endpoints without importing any app.  A route
that serves a flow's record names it: tasks carry that name as their ``record_type`` and the task
list filters by it.
"""

import dataclasses
import threading

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules
from rest_framework.routers import DefaultRouter


@dataclasses.dataclass(frozen=True)
class Route:
    prefix: str  # under /api/v1/
    viewset: type
    basename: str  # URL names are "<basename>-list", "<basename>-detail", …
    record: type | None = None  # the flow record this endpoint serves, named by ``basename``


class ApiRoutes:
    def __init__(self):
        self._routes: list[Route] = []
        self._discovered = False
        self._lock = threading.RLock()

    def register(self, prefix, viewset, *, basename, record=None):
        for route in self._routes:
            if route.prefix == prefix or route.basename == basename:
                raise ImproperlyConfigured(f"API route {prefix!r} ({basename}) is registered twice")
        self._routes.append(Route(prefix, viewset, basename, record))

    def routes(self):
        """Every app's routes, in the order of INSTALLED_APPS."""
        with self._lock:
            if not self._discovered:
                autodiscover_modules("api_routes")
                self._discovered = True
        return list(self._routes)

    def router(self):
        router = DefaultRouter()
        for route in self.routes():
            router.register(route.prefix, route.viewset, basename=route.basename)
        return router

    def record_types(self):
        """``{record_type: model}`` of the flow records the API serves."""
        return {route.basename: route.record for route in self.routes() if route.record is not None}

    def record_type_of(self, content_type_id):
        """The ``record_type`` of a process's artifact, or None for a record no endpoint serves."""
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        return next((name for name, record in self.record_types().items() if record is model), None)


api_routes = ApiRoutes()
