"""``/healthz/`` for a load balancer or a monitor: database, broker, worker; 503 when one is down."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .. import health


@require_safe
@never_cache
def healthz(request):
    # Booleans only: an anonymous caller learns nothing of hosts, users or errors (see `manage.py health`).
    results = {name: ok for name, (ok, _detail) in health.checks().items()}
    healthy = all(results.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **results}, status=200 if healthy else 503)
