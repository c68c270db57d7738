"""抄送 pages: copy a record to colleagues, open a copy, and 抄送我的."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from .. import copies, pii, selectors
from ..forms import CopyForm
from ..models import RecordCopy
from .common import flow_record_or_404, user_errors


@login_required
def record_copy(request, label, pk):
    """抄送 from a record's page: choose colleagues or roles, with a note."""
    record = flow_record_or_404(label, pk)
    if not selectors.may_read(request.user, record):
        raise Http404  # not theirs: do not confirm the record exists
    if not copies.may_copy(request.user, record):
        raise PermissionDenied(copies.NOT_A_READER)  # reads it (a filer, a copy's recipient), may not copy it
    form = CopyForm(request.POST or None, record=record, actor=request.user)
    if request.method == "POST":
        if form.is_valid():
            with user_errors(request):
                made = copies.copy_record(
                    record=record,
                    actor=request.user,
                    people=list(form.cleaned_data["people"]),
                    roles=form.cleaned_data["roles"],
                    note=form.cleaned_data["note"],
                )
                messages.success(
                    request,
                    _("已抄送给%(names)s，对方可查阅此事项。")
                    % {"names": "、".join(c.recipient.get_full_name() or c.recipient.username for c in made)},
                )
                return redirect(record.get_absolute_url())
        else:
            messages.error(request, _("未抄送：请按提示修改后再提交。"))
    sent = RecordCopy.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("recipient", "sent_by")
    return render(
        request,
        "workflows/record_copy.html",
        {"record": record, "title": pii.title(request.user, record), "form": form, "sent": sent},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def copy_open(request, pk):
    """A copy's link (from 抄送我的 or its notification): marks it read and opens the record."""
    copy = get_object_or_404(RecordCopy.objects.select_related("content_type"), pk=pk, recipient=request.user)
    record = copies.open_copy(copy=copy, user=request.user)
    if record is None:
        raise Http404
    return redirect(record.get_absolute_url())


@login_required
def copied(request):
    """抄送我的: what colleagues copied to me, unread first marked, newest first."""
    rows = copies.copied_to(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    page.object_list = copies.attach_records(request.user, list(page.object_list))
    return render(
        request,
        "workflows/copied.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": RecordCopy.objects.filter(recipient=request.user, read_at__isnull=True).count(),
        },
    )
