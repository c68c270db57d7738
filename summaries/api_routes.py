from workflows.api_registry import api_routes

from .api import PeriodViewSet, ReportViewSet

api_routes.register("periods", PeriodViewSet, basename="period")
api_routes.register("reports", ReportViewSet, basename="report")
