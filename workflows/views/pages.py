"""The 工作台 (dashboard), 入会申请 pages, notifications and periods."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .. import badges, keyset, pii, selectors, services
from ..engine import open_tasks_for
from ..forms import AttachmentForm, CommentForm, MembershipApplyForm, ReasonForm
from ..models import Attachment, Comment, Member, MembershipApplication, Notification, Period
from ..roles import Role
from .common import request_id, user_errors


@login_required
def dashboard(request):
    user = request.user
    member = Member.objects.filter(user=user).select_related("org_unit", "employer_unit").first()
    roles = user.role_assignments.select_related("org_unit").order_by("org_unit__path")
    inbox = selectors.order_tasks(selectors.tasks_inbox(user))
    now = timezone.now()
    overseen = selectors.tasks_overseen(user)
    context = {
        "member": member,
        "roles": roles,
        "urgent": pii.attach_records(inbox[:5]),
        "overdue_mine": keyset.capped_count(inbox.filter(deadline__due_at__lt=now)),
        "overdue_overseen": keyset.capped_count(overseen.filter(deadline__due_at__lt=now))
        if user.has_perm("workflows.reassign_task")
        else None,
        "my_applications": MembershipApplication.objects.filter(member__user=user).order_by("-created")[:5],
        "notifications": Notification.objects.filter(recipient=user).order_by("-created")[:5],
        "can_apply": member is not None and member.membership in (Member.Membership.NON_MEMBER, Member.Membership.LEFT),
        "periods": Period.objects.filter(
            org_unit__in=selectors.org_units_in_scope(user, perm="workflows.manage_period")
        ).select_related("org_unit")[:6]
        if user.has_perm("workflows.manage_period")
        else [],
        "is_chair": any(r.role == Role.CHAIR for r in roles),
        # Workers and representatives file matters; everyone else works a queue.
        "works_queue": any(r.role not in (Role.EMPLOYEE, Role.REPRESENTATIVE) for r in roles),
    }
    return render(request, "workflows/dashboard.html", context)


@login_required
def membership_apply(request):
    form = MembershipApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with user_errors(request):
            application = services.membership_apply(
                actor=request.user, statement=form.cleaned_data["statement"], request_id=request_id(request)
            )
            messages.success(request, _("入会申请已提交，工会将在审核后通知您。"))
            return redirect("membership_detail", pk=application.pk)
    return render(request, "workflows/membership_apply.html", {"form": form})


def _visible_applications(user):
    return selectors.records_readable_by(user, MembershipApplication).select_related(
        "member__user", "employer_unit", "org_unit"
    )


@login_required
def membership_list(request):
    applications = _visible_applications(request.user).order_by("-created")
    status = request.GET.get("status")
    if status in MembershipApplication.Status.values:
        applications = applications.filter(status=status)
    page = Paginator(applications, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "workflows/membership_list.html",
        {"page": page, "statuses": MembershipApplication.Status.choices, "status": status},
    )


@login_required
def membership_detail(request, pk):
    application = _visible_applications(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return render(
        request,
        "workflows/membership_detail.html",
        {
            "record": application,
            "events": pii.timeline(request.user, application),
            "comments": Comment.objects.for_record(application).select_related("author"),
            "attachments": Attachment.objects.for_record(application).select_related("uploaded_by"),
            "open_tasks": open_tasks_for(application).select_related("owner"),
            "comment_form": CommentForm(),
            "attachment_form": AttachmentForm(),
            "withdraw_form": ReasonForm(),
            "can_withdraw": application.member.user_id == request.user.pk
            and application.status == MembershipApplication.Status.SUBMITTED,
        },
    )


@login_required
@require_POST
def membership_action(request, pk, action):
    application = _visible_applications(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    with user_errors(request):
        if action == "withdraw":
            form = ReasonForm(request.POST)
            reason = form.data.get("reason", "")
            services.membership_withdraw(
                application=application, actor=request.user, reason=reason, request_id=request_id(request)
            )
            messages.success(request, _("入会申请已撤回。"))
        elif action == "comment":
            form = CommentForm(request.POST)
            if form.is_valid():
                services.comment_add(record=application, actor=request.user, body=form.cleaned_data["body"])
                messages.success(request, _("意见已发表。"))
            else:
                messages.error(request, _("意见内容不能为空。"))
        elif action == "attach":
            form = AttachmentForm(request.POST, request.FILES)
            if form.is_valid():
                services.attachment_add(
                    record=application,
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    request_id=request_id(request),
                )
                messages.success(request, _("附件已上传。"))
            else:
                messages.error(request, _("请选择要上传的文件。"))
        else:
            raise Http404
    return redirect("membership_detail", pk=pk)


@login_required
def attachment_download(request, pk):
    """Attachments are served only to those who may see their record (they can hold PII)."""
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    if not selectors.may_read(request.user, attachment.record):
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@login_required
def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user).order_by("-created")
    page = Paginator(notes, 20).get_page(request.GET.get("page"))
    return render(request, "workflows/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk=None):
    notes = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    if pk is not None:
        note = get_object_or_404(notes.model.objects, pk=pk, recipient=request.user)
        notes.filter(pk=note.pk).update(read_at=timezone.now())
        badges.forget(request.user.pk)  # update() sends no signal
        if note.url:
            return redirect(note.url)
    else:
        notes.update(read_at=timezone.now())
    badges.forget(request.user.pk)  # update() sends no signal
    return redirect("notification_list")


@login_required
def period_list(request):
    units = selectors.org_units_in_scope(request.user, perm="workflows.manage_period")
    periods = (
        Period.objects.filter(org_unit__in=units)
        .select_related("org_unit")
        .order_by("-year", "ends_on", "-starts_on", "org_unit__path")
    )
    if not request.user.has_perm("workflows.manage_period"):
        raise Http404
    return render(request, "workflows/period_list.html", {"periods": periods, "reason_form": ReasonForm()})


@login_required
@require_POST
def period_reopen(request, pk):
    units = selectors.org_units_in_scope(request.user, perm="workflows.manage_period")
    period = Period.objects.filter(org_unit__in=units, pk=pk).first()
    if period is None:
        raise Http404
    with user_errors(request):
        services.period_reopen(
            period=period, actor=request.user, reason=request.POST.get("reason", ""), request_id=request_id(request)
        )
        messages.success(request, _("%(period)s已重新开放，修改将记入审计记录。") % {"period": period.label})
    return redirect("period_list")
