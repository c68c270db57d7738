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
from ..errors import WorkflowError
from ..exports import xlsx_response
from ..forms import (
    AttachmentForm,
    CommentForm,
    DelegationForm,
    MembershipApplyForm,
    MembershipFilterForm,
    NotificationSettingsForm,
    ReasonForm,
)
from ..models import (
    Attachment,
    Comment,
    Delegation,
    Member,
    MembershipApplication,
    Notification,
    NotificationSetting,
    Period,
)
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
    form = MembershipFilterForm(request.GET or None, user=request.user)
    applications = _visible_applications(request.user).order_by("-filed_on", "-pk")
    if form.is_valid():
        applications = selectors.filter_memberships(applications, request.user, **form.cleaned_data)
    if request.GET.get("export") == "xlsx":
        return _export_memberships(request, applications, form)
    page = Paginator(applications, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "workflows/membership_list.html",
        {"page": page, "form": form, "query": query.urlencode()},
    )


MEMBERSHIP_HEADERS = [_("编号"), _("申请人"), _("用人单位"), _("所属工会"), _("申请日期"), _("状态")]


def _export_memberships(request, applications, form):
    """导出 Excel: the filtered applications, the columns the list shows, names as the viewer may see them."""
    rows = (
        [
            a.pk,
            pii.shown(request.user, a, "name"),
            a.employer_unit.name,
            a.org_unit.name,
            a.filed_on,
            str(a.get_status_display()),
        ]
        for a in applications.iterator(chunk_size=2000)
    )
    return xlsx_response(
        request=request, title=_("入会申请"), headers=MEMBERSHIP_HEADERS, rows=rows, filters=form.describe()
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
    record = attachment.record
    if not selectors.may_read(request.user, record) or not getattr(record, "may_open_attachments", bool)(request.user):
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@login_required
def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user).order_by("-created")
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        notes = notes.filter(read_at__isnull=True)
    page = Paginator(notes, 20).get_page(request.GET.get("page"))
    return render(request, "workflows/notification_list.html", {"page": page, "unread_only": unread_only})


@login_required
def notification_settings(request):
    """Which notifications also come by email (the app shows them all)."""
    setting = NotificationSetting.objects.filter(user=request.user).first()
    off = set(setting.email_off) if setting else set()
    initial = {"email_kinds": [kind for kind in Notification.Kind.values if kind not in off]}
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["email_kinds"])
        NotificationSetting.objects.update_or_create(
            user=request.user, defaults={"email_off": sorted(set(Notification.Kind.values) - chosen)}
        )
        messages.success(request, _("通知设置已保存。"))
        return redirect("notification_settings")
    return render(
        request, "workflows/notification_settings.html", {"form": form, "has_email": bool(request.user.email)}
    )


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


@login_required
def delegation_page(request):
    """代理: name a deputy for a date range; see whom I act for."""
    from .. import delegations

    candidates = delegations.deputy_candidates(request.user)
    form = DelegationForm(request.POST or None, candidates=candidates)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                delegation = delegations.delegation_create(
                    principal=request.user,
                    deputy=data["deputy"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                )
            except WorkflowError as exc:
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                moved = delegation.moves.count()
                messages.success(
                    request,
                    _("已委托%(deputy)s代理（%(start)s至%(end)s）；%(n)s项待办已转给代理人。")
                    % {
                        "deputy": delegation.deputy.get_full_name() or delegation.deputy.username,
                        "start": delegation.starts_on,
                        "end": delegation.ends_on,
                        "n": moved,
                    },
                )
                return redirect("delegation")
    given = Delegation.objects.filter(principal=request.user).select_related("deputy")[:20]
    taken = Delegation.objects.filter(deputy=request.user, ends_on__gte=timezone.localdate())
    taken = taken.select_related("principal")
    return render(
        request,
        "workflows/delegation.html",
        {
            "form": form,
            "has_candidates": candidates.exists(),
            "given": given,
            "taken": taken.filter(cancelled_at__isnull=True),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def delegation_cancel(request, pk):
    from .. import delegations

    delegation = get_object_or_404(Delegation, pk=pk, principal=request.user)  # only one's own
    with user_errors(request):
        delegations.delegation_cancel(delegation=delegation, actor=request.user)
        messages.success(request, _("已取消代理；已转给代理人的待办仍由其办理，可请其转交回您。"))
    return redirect("delegation")


@login_required
def mine(request):
    """我发起的: what I filed across every flow, where it stands and what is mine to do."""
    from ..mine import filed_by

    rows = filed_by(request.user)
    return render(
        request,
        "workflows/mine.html",
        {"rows": rows, "open_count": sum(r.is_open for r in rows), "todo": sum(bool(r.my_steps) for r in rows)},
    )


@login_required
@require_POST
def saved_filter_save(request):
    from .. import saved_filters

    back = request.POST.get("back", "")
    with user_errors(request):
        saved = saved_filters.save(
            request,
            name=request.POST.get("name", ""),
            list_name=request.POST.get("list", ""),
            box=request.POST.get("box", ""),
            query=request.POST.get("query", ""),
        )
        messages.success(request, _("已保存筛选“%(name)s”，可在左侧“我的筛选”中打开。") % {"name": saved.name})
        return redirect(saved.get_absolute_url())
    return redirect(back if back.startswith("/") and not back.startswith("//") else "dashboard")


@login_required
@require_POST
def saved_filter_delete(request, pk):
    from .. import saved_filters

    if not saved_filters.delete(request, pk):
        raise Http404
    messages.success(request, _("已删除该筛选。"))
    return redirect("dashboard")
