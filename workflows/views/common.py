"""What every page view shares: turning a refused action into a message, the request id."""

from contextlib import contextmanager

from django.contrib import messages

from ..errors import WorkflowError


@contextmanager
def user_errors(request):
    """Show a refused action as an error message; the caller redirects back either way."""
    try:
        yield
    except WorkflowError as exc:
        messages.error(request, exc.message)


def request_id(request):
    return getattr(request, "request_id", "")
