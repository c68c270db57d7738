"""Reads of grievance cases, each scoped to the acting user in SQL."""

from django.db.models import Q

from workflows.selectors import in_scope_q

from .models import GrievanceCase

LIST_RELATED = ("employer_unit", "org_unit", "mediator", "applicant")


def cases_visible_to(user):
    """Cases in the user's union scope, plus the ones they filed or are the applicant of."""
    return GrievanceCase.objects.filter(
        in_scope_q(user, perm="workflows.view_records") | Q(created_by_id=user.pk) | Q(applicant__user_id=user.pk)
    ).select_related(*LIST_RELATED)


def case_for(user, pk):
    return (
        cases_visible_to(user)
        .select_related("applicant__user", "duplicate_of", "created_by")
        .prefetch_related("sessions__recorded_by", "duplicates")
        .filter(pk=pk)
        .first()
    )


def employers_for_registration(user):
    from workflows.models import EmployerUnit

    return EmployerUnit.objects.filter(in_scope_q(user, perm="cases.register_grievancecase")).order_by("name")
