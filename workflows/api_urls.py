from rest_framework.routers import DefaultRouter

from cases.api import CaseViewSet
from proposals.api import ProposalViewSet

from .api import MembershipApplicationViewSet, TaskViewSet

router = DefaultRouter()
router.register("tasks", TaskViewSet, basename="task")
router.register("cases", CaseViewSet, basename="case")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("membership-applications", MembershipApplicationViewSet, basename="membership-application")

urlpatterns = router.urls
