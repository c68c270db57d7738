"""The OpenAPI schema documents every status an operation can answer, errors in their one shape."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from .api_errors import ErrorSerializer

# Any operation: a malformed query or body (400), no or bad credentials (401/403), an id out of
# scope or a page past the end (404), the database gone (503).
ALWAYS = (400, 401, 403, 404, 503)
# A write also: the record's state or period forbids it (409), a body over its limit (413), a body
# that is not JSON, a form or multipart (415).
WRITES = (409, 413, 415)


class AutoSchema(SpectacularAutoSchema):
    """Each operation declares its success response with ``@extend_schema(responses=…)``; the
    refusals every operation shares are added here, as :class:`ErrorSerializer`.  (The hook is
    drf-spectacular's response builder: ``@extend_schema`` replaces ``get_response_serializers``.)"""

    def error_codes(self):
        codes = ALWAYS
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += WRITES
        if getattr(self.view, "throttle_classes", None):
            codes += (429,)
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(ErrorSerializer, str(code), direction=direction)
        return dict(sorted(responses.items()))
