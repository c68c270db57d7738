"""Request-wide concerns: a request id for each request, the browser's defence headers, and a clear
page when the database is gone."""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from .errors import DATABASE_UNAVAILABLE, DatabaseUnavailable

logger = logging.getLogger("workflows.database")

# What a caller may send as its own request id: a UUID, a trace id, a ticket number.  Anything else
# (markup, newlines, 1 kB of text) is dropped rather than trimmed into something it never sent.
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# ``(server id, client id)`` of the request being served, for the audit rows written deep inside a
# service: the client's id is not passed down, and some writes (a flow's follow-on step) are not
# handed the server's.  Empty outside a request (Celery, shell).
current_request_ids = ContextVar("current_request_ids", default=("", ""))


def sanitised_client_request_id(value):
    value = (value or "").strip()
    return value if CLIENT_REQUEST_ID.fullmatch(value) else ""


class RequestIdMiddleware:
    """Give each request a server-made id (``request.request_id``) that the audit trail records and
    the response carries in ``X-Request-ID``.

    A client's own ``X-Request-ID`` is never the id — anyone could send someone else's, or one that
    breaks the log — it is kept beside it, sanitised, as ``request.client_request_id``.
    """

    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        request.client_request_id = sanitised_client_request_id(request.META.get(self.header))
        token = current_request_ids.set((request.request_id, request.client_request_id))
        try:
            response = self.get_response(request)
        finally:
            current_request_ids.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class BrowserDefenceMiddleware:
    """Headers that tell the browser what a page may do and keep.

    ``Permissions-Policy`` switches off device features no page uses.  Answers that carry personal
    data — every API answer, every page seen by a logged-in user — are ``no-store``: a shared
    computer's cache or back button must not show them to the next person.  "Logged in" is judged by
    the session cookie, not by loading the user: this runs on the 503 page too, when the database
    is gone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path_info.startswith("/api/") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            add_never_cache_headers(response)
        return response


# When the session's end was last pushed back (epoch seconds), inside the session itself.
SESSION_SEEN_KEY = "_unionflow_seen"


def mark_session_seen(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: a new session starts its working day now, in the save the login
    makes anyway."""
    if getattr(request, "session", None) is not None:
        request.session[SESSION_SEEN_KEY] = int(time.time())


class SlidingSessionMiddleware:
    """A logged-in session ends ``SESSION_COOKIE_AGE`` (a working day) after the user's last request.

    (And when the browser closes: ``SESSION_EXPIRE_AT_BROWSER_CLOSE`` gives the cookie no expiry.)
    Django's ``SESSION_SAVE_EVERY_REQUEST`` would do it by writing the session on every request —
    three more queries a page, and on SQLite every page view taking the database's write lock.  Here
    the end is pushed back only when it was last pushed ``SESSION_REFRESH_SECONDS`` ago or more, so a
    session ends between that much before and exactly at a working day of inactivity.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 500:
            return response  # nothing was done; and the session may be what is out of reach (503)
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:  # a browser's logged-in session (not a token call)
            now = int(time.time())
            if now - session.get(SESSION_SEEN_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[SESSION_SEEN_KEY] = now  # modified: SessionMiddleware saves it with a new expiry
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
        "database unavailable during %s %s (request %s, client's id %s): %s",
        request.method,
        request.path,
        getattr(request, "request_id", ""),
        getattr(request, "client_request_id", "") or "-",
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
