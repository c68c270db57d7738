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


def flow_record_or_404(label, pk):
    """The flow record named by a model label and a primary key in a URL, or 404."""
    from django.apps import apps
    from django.http import Http404

    from ..models import WorkflowRecord

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not issubclass(model, WorkflowRecord):  # only flow records carry open steps and a filer
        raise Http404
    record = model._default_manager.filter(pk=pk).first()
    if record is None:
        raise Http404
    return record
