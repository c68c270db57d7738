from workflows.api_registry import api_routes

from .api import CaseViewSet
from .models import GrievanceCase

api_routes.register("cases", CaseViewSet, basename="case", record=GrievanceCase)
