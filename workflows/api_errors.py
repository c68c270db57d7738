"""The API's one error shape, ``{"code", "message", "fields"}``, for every status it refuses with.

DRF views answer through :func:`exception_handler`; what happens outside them under ``/api/`` (an
unknown path, a body over its limit, a crash) answers the same JSON from :func:`json_error`.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DATABASE_UNAVAILABLE, INVALID_INPUT, DatabaseUnavailable, WorkflowError, error_body
from .middleware import log_database_unavailable, lost_database_error

API_PREFIX = "/api/"

CSRF_FAILED = _("请求缺少有效的 CSRF 令牌，请刷新页面后重试（其他系统请使用令牌认证）。")
NOT_FOUND = _("未找到。")
SERVER_ERROR = _("服务器内部错误，您的操作未被保存。请稍后重试；如问题持续，请联系系统管理员并提供请求编号。")
BAD_REQUEST = _("请求无效。")
FORBIDDEN = _("您没有执行该操作的权限。")


class ErrorSerializer(serializers.Serializer):
    """What every refusal of the API carries (400, 401, 403, 404, 405, 409, 413, 415, 429, 503)."""

    code = serializers.CharField(help_text="机器可读的错误代码，如 invalid、not_found、period_closed、too_large")
    message = serializers.CharField(help_text="给用户看的中文说明")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="出错的字段及其提示；嵌套字段以点连接（如 data.fund）；与字段无关的错误在 non_field_errors 下",
    )


def is_api(request):
    return request.path.startswith(API_PREFIX)


def json_error(status, code, message, fields=None):
    return JsonResponse(error_body(code, message, fields), status=status, json_dumps_params={"ensure_ascii": False})


def field_messages(detail, prefix=""):
    """DRF's nested error detail (or a Django form's errors) as ``{"a.b": ["…"]}``."""
    flat = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field_errors" if key == "__all__" else str(key)
            flat.update(field_messages(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list | tuple) and not all(isinstance(item, str) for item in detail):
        for index, item in enumerate(detail):
            if item:
                flat.update(field_messages(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        messages = detail if isinstance(detail, list | tuple) else [detail]
        flat[prefix or "non_field_errors"] = [str(m) for m in messages]
    return flat


def _message(exc):
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        return CSRF_FAILED  # DRF words it in English, with Django's reason
    detail = exc.detail
    if isinstance(detail, list | dict):
        return INVALID_INPUT
    return str(detail)


def exception_handler(exc, context):
    """Every refusal of a DRF view in the one shape.  A lost database connection is a 503 with
    ``Retry-After``; anything this does not know stays a crash (500, answered by ``handler500``)."""
    lost = lost_database_error(exc)
    if lost is not None:
        log_database_unavailable(context["request"], lost)
        exc = DatabaseUnavailable(DATABASE_UNAVAILABLE)
    if isinstance(exc, WorkflowError):
        response = json_error(exc.status_code, exc.code, exc.message, exc.fields)
        if isinstance(exc, DatabaseUnavailable):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()  # Django's words ("No Case matches the given query.") are English
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)  # the status and its headers (WWW-Authenticate, Allow…)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", INVALID_INPUT, field_messages(exc.detail))
    else:
        code = exc.get_codes() if isinstance(exc.detail, str) else exc.default_code
        response.data = error_body(code, _message(exc))
    return response


# handler400/403/404/500 of the URL conf: JSON under /api/, the site's pages elsewhere.
def bad_request(request, exception, template_name="400.html"):
    from django.views import defaults

    if is_api(request):
        return json_error(400, "bad_request", BAD_REQUEST)
    return defaults.bad_request(request, exception, template_name)


def permission_denied(request, exception, template_name="403.html"):
    from django.views import defaults

    if is_api(request):
        return json_error(403, "permission_denied", FORBIDDEN)
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request, exception, template_name="404.html"):
    from django.views import defaults

    if is_api(request):
        return json_error(404, "not_found", NOT_FOUND)
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name="500.html"):
    from django.views import defaults

    if is_api(request):
        return json_error(500, "server_error", SERVER_ERROR)
    return defaults.server_error(request, template_name)
