from rest_framework.routers import DefaultRouter

from .api import MembershipApplicationViewSet, TaskViewSet

router = DefaultRouter()
router.register("tasks", TaskViewSet, basename="task")
router.register("membership-applications", MembershipApplicationViewSet, basename="membership-application")

urlpatterns = router.urls
