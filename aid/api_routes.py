from workflows.api_registry import api_routes

from .api import ApplicationViewSet, BatchViewSet, FileViewSet
from .models import AidApplication, AidBatch

api_routes.register("aid/applications", ApplicationViewSet, basename="aid-application", record=AidApplication)
api_routes.register("aid/files", FileViewSet, basename="aid-file")
api_routes.register("aid/batches", BatchViewSet, basename="aid-batch", record=AidBatch)
