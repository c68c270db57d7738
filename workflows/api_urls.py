from rest_framework.routers import DefaultRouter

from aid.api import ApplicationViewSet, BatchViewSet, FileViewSet
from cases.api import CaseViewSet
from proposals.api import ProposalViewSet

from .api import MembershipApplicationViewSet, TaskViewSet

router = DefaultRouter()
router.register("tasks", TaskViewSet, basename="task")
router.register("cases", CaseViewSet, basename="case")
router.register("aid/applications", ApplicationViewSet, basename="aid-application")
router.register("aid/files", FileViewSet, basename="aid-file")
router.register("aid/batches", BatchViewSet, basename="aid-batch")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("membership-applications", MembershipApplicationViewSet, basename="membership-application")

urlpatterns = router.urls
