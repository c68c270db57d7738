"""Reads of grievance cases, each scoped to the acting user in SQL."""

import re

from django.db.models import Q

from workflows.selectors import filter_records, in_scope_q, records_readable_by

from .models import GrievanceCase
from .summary import CONCLUDED

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


def filter_cases(cases, user, *, q="", collective=False, **filters):
    """The case list's search and filters.  A name is matched only where the viewer may read it
    (they accept disputes in the case's union, handle it, filed it or are its applicant): searching
    by name never tells anyone whose dispute a masked row is."""
    if q:
        q = q.strip()
        match = Q(employer_unit__name__icontains=q)
        numbers = {int(n) for n in re.findall(r"\d+", q) if len(n) <= 9}  # 调字〔2026〕第12号, or 12
        if numbers:
            match |= Q(pk__in=numbers)
        names_visible = (
            in_scope_q(user, perm="cases.accept_grievancecase")
            | Q(mediator_id=user.pk)
            | Q(created_by_id=user.pk)
            | Q(applicant__user_id=user.pk)
        )
        match |= Q(applicant_name__icontains=q) & names_visible
        cases = cases.filter(match)
    if collective:
        cases = cases.filter(is_collective=True)
    return filter_records(cases, amount_field="amount_claimed", date_fields=DATE_FIELDS, **filters)


# 办结日期 reads ``concluded_on`` of the cases the report counts as concluded (调解成功、调解不成、
# 结案 — not a withdrawal, which has the date too)
DATE_FIELDS = {"concluded": ("concluded_on", Q(status__in=CONCLUDED))}
