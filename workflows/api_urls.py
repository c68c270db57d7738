from .api_registry import api_routes

router = api_routes.router()

urlpatterns = router.urls
