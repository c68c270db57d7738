from workflows.api_registry import api_routes

from .api import ApplicationViewSet, BatchViewSet, FileViewSet
from .api_funds import BudgetViewSet, FundViewSet
from .api_model_workers import ModelWorkerBatchViewSet
from .models import AidApplication, AidBatch

api_routes.register("aid/applications", ApplicationViewSet, basename="aid-application", record=AidApplication)
api_routes.register("aid/files", FileViewSet, basename="aid-file")
api_routes.register("aid/batches", BatchViewSet, basename="aid-batch", record=AidBatch)
api_routes.register("aid/model-worker-batches", ModelWorkerBatchViewSet, basename="aid-model-worker-batch")
api_routes.register("aid/funds", FundViewSet, basename="aid-fund")
api_routes.register("aid/budgets", BudgetViewSet, basename="aid-budget")
