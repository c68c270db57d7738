"""Reads of 困难职工帮扶, scoped in SQL; personal data is masked unless the role needs it."""

from django.db.models import Q

from workflows.selectors import in_scope_q

from .models import AidApplication, AidBatch, FundBudget, HardshipFile


def applications_visible_to(user):
    return AidApplication.objects.filter(
        in_scope_q(user, perm="workflows.view_records") | Q(member__user_id=user.pk) | Q(created_by_id=user.pk)
    ).select_related("member__user", "member__employer_unit", "org_unit", "fund", "hardship_file")


def files_visible_to(user):
    return HardshipFile.objects.filter(
        in_scope_q(user, perm="aid.manage_hardshipfile") | Q(member__user_id=user.pk)
    ).select_related("member__user", "member__employer_unit", "org_unit")


def batches_visible_to(user):
    return AidBatch.objects.filter(in_scope_q(user, perm="workflows.view_records")).select_related("fund", "org_unit")


def publicity_board(user):
    """公示栏: what is being publicised in the user's union (names masked by the template)."""
    from workflows.models import Member

    member = Member.objects.filter(user=user).select_related("org_unit").first()
    paths = [member.org_unit.path] if member else []
    units = Q()
    for path in paths:
        parts = [p for p in path.split("/") if p]
        units |= Q(org_unit__path__startswith="/".join(parts[:2]) + "/")
    units |= in_scope_q(user, perm="workflows.view_records")
    applications = AidApplication.objects.filter(units, status=AidApplication.Status.PUBLICIZING).select_related(
        "member__user", "member__employer_unit"
    )
    batches = AidBatch.objects.filter(units, status=AidBatch.Status.PUBLICIZING).prefetch_related(
        "applications__member__user", "applications__member__employer_unit"
    )
    return applications, batches


def fund_balances(user):
    return FundBudget.objects.filter(
        in_scope_q(user, perm="workflows.view_records", unit_path_field="fund__org_unit__path")
    ).select_related("fund", "period")
