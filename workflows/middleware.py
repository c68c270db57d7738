"""A request id for each request, so audit events can be tied to the request that caused them."""

import uuid


class RequestIdMiddleware:
    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = (request.META.get(self.header) or uuid.uuid4().hex)[:64]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
