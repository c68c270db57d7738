"""Request-wide concerns: a request id for each request, and a clear page when the database is gone."""

import logging
import uuid

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from .errors import DATABASE_UNAVAILABLE, DatabaseUnavailable

logger = logging.getLogger("workflows.database")


class RequestIdMiddleware:
    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = (request.META.get(self.header) or uuid.uuid4().hex)[:64]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


def lost_database_error(exc):
    """The connection-level database error behind ``exc``, if any.

    Wrappers hide it: viewflow's flow lock turns any ``DatabaseError`` while taking its row lock
    into ``FlowLockFailed``, so the chain of causes is searched too.  Data errors (integrity,
    bad value) are bugs or refusals, not an outage, and are not matched.
    """
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def log_database_unavailable(request, error):
    logger.error(
        "database unavailable during %s %s (request %s): %s",
        request.method,
        request.path,
        getattr(request, "request_id", ""),
        str(error).strip(),
    )


class DatabaseUnavailableMiddleware:
    """Answer 503 with a Chinese page when the database connection fails during a request.

    The transition was one transaction, so nothing was written; the page says so and asks the
    user to retry.  The page is a plain template render with no request context: it must not
    touch the database (the navigation counts and the user would).  Django drops the broken
    connection when the request ends, so the next request connects afresh.  The API answers the
    same error as JSON from its own exception handler (``workflows.api.exception_handler``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        error = lost_database_error(exception)
        if error is None:
            return None
        log_database_unavailable(request, error)
        response = HttpResponse(
            render_to_string("503.html", {"message": DATABASE_UNAVAILABLE}),
            status=DatabaseUnavailable.status_code,
        )
        response["Retry-After"] = str(DatabaseUnavailable.retry_after)
        return response


class UploadLimitMiddleware:
    """A request body over its limit is answered 413 before it is read: by its Content-Length at
    once, and for a multipart form by the upload handler that stops the stream at the first file
    past ``ATTACHMENT_MAX_BYTES`` (workflows/uploads.py).  The API answers in its JSON shape, a page
    with a page that says what to do.  Placed before CSRF and the views, which read the form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .uploads import BODY_TOO_LARGE, UploadTooLarge, body_limit, megabytes

        limit = body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large(request, BODY_TOO_LARGE % {"limit": megabytes(limit)})
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018 — parse now, under the upload handlers' limit
            except UploadTooLarge as exc:
                request._mark_post_parse_error()
                return too_large(request, exc.message)
        return self.get_response(request)


def too_large(request, message):
    from .api_errors import is_api, json_error

    if is_api(request):
        return json_error(413, "too_large", message)
    return HttpResponse(render_to_string("413.html", {"message": message}), status=413)
