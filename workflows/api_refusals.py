"""The refusals an endpoint documents in its schema.  Their body is what
``workflows.api.exception_handler`` answers: JSON with a human message in Chinese."""

from drf_spectacular.utils import OpenApiResponse

REFUSALS = {
    400: OpenApiResponse(description="请求有误：哪个字段、为什么（不保存任何内容）"),
    401: OpenApiResponse(description="未登录"),
    403: OpenApiResponse(description="无权执行此操作"),
    404: OpenApiResponse(description="不存在，或不在您的范围内"),
    409: OpenApiResponse(description="当前状态不允许此操作（附原因）"),
}


def refusals(*codes):
    """``{code: response}`` for ``extend_schema(responses={200: …, **refusals(400, 404)})``; every
    endpoint may answer 401 and 403 (not logged in, not allowed)."""
    return {code: REFUSALS[code] for code in sorted({401, 403, *codes})}
