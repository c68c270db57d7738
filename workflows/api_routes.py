from .api import MembershipApplicationViewSet, TaskViewSet
from .api_desk import ConsultationViewSet, CopyViewSet
from .api_members import MemberViewSet
from .api_registry import api_routes
from .models import MembershipApplication

api_routes.register("tasks", TaskViewSet, basename="task")
api_routes.register(
    "membership-applications",
    MembershipApplicationViewSet,
    basename="membership-application",
    record=MembershipApplication,
)
api_routes.register("members", MemberViewSet, basename="member")
api_routes.register("consultations", ConsultationViewSet, basename="consultation")
api_routes.register("copies", CopyViewSet, basename="copy")
