"""The OpenAPI schema documents every status an operation can answer, errors in their one shape."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from .api_errors import ErrorSerializer

# Any operation: a malformed query or body (400), no or bad credentials (401/403), an id out of
# scope or a page past the end (404), the database gone (503).
ALWAYS = (400, 401, 403, 404, 503)
# A write also: the record's state or period forbids it (409), a body over its limit (413), a body
# that is not JSON, a form or multipart (415).
WRITES = (409, 413, 415)
# What each refusal means, for the reader of the schema; the body says which field and why.
MEANINGS = {
    400: "请求有误：哪个字段、为什么（不保存任何内容）",
    401: "未登录",
    403: "无权执行此操作",
    404: "不存在，或不在您的范围内",
    409: "当前状态不允许此操作（附原因）",
    413: "请求体过大",
    415: "不支持的请求体格式",
    429: "请求过于频繁",
    503: "服务暂不可用",
}


class AutoSchema(SpectacularAutoSchema):
    """Each operation declares its success response with ``@extend_schema(responses=…)``; the
    refusals every operation shares are added here, as :class:`ErrorSerializer`.  (The hook is
    drf-spectacular's response builder: ``@extend_schema`` replaces ``get_response_serializers``.)"""

    def error_codes(self):
        """A view names the refusals particular to one of its reads in ``also_refuses``
        (``{"docx": (409,)}``: a report's file while it is being generated)."""
        codes = ALWAYS + tuple(getattr(self.view, "also_refuses", {}).get(getattr(self.view, "action", None), ()))
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += WRITES
        if getattr(self.view, "throttle_classes", None):
            codes += (429,)
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            if str(code) not in responses:
                response = self._get_response_for_code(ErrorSerializer, str(code), direction=direction)
                responses[str(code)] = {**response, "description": MEANINGS.get(code, "")}
        return dict(sorted(responses.items()))
