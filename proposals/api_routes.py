from workflows.api_registry import api_routes

from .api import ProposalViewSet
from .models import Proposal

api_routes.register("proposals", ProposalViewSet, basename="proposal", record=Proposal)
