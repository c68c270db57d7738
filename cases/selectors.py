"""Reads of grievance cases, each scoped to the acting user in SQL."""

from workflows.selectors import in_scope_q, records_readable_by

from .models import GrievanceCase

LIST_RELATED = ("employer_unit", "org_unit", "mediator", "applicant")


def cases_visible_to(user):
    """Cases in the scope of the user's case-reading roles, plus the ones they filed or are the applicant of."""
    return records_readable_by(user, GrievanceCase).select_related(*LIST_RELATED)


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
