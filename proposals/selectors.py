"""Reads of proposals.  The list of proposals and their answers is public within the union (提案公开)."""

import re

from django.db.models import Count, Q

from workflows.selectors import filter_records, records_readable_by

from .models import Congress, Proposal


def proposals_visible_to(user):
    """Proposals of congresses of the user's own union (and above), or of units in the scope of their
    proposal-reading roles.

    Drafts are visible too: representatives find them there to second them (征集附议).
    """
    return (
        records_readable_by(user, Proposal)
        .select_related("congress", "proposer__user", "lead_department", "merged_into")
        .annotate(second_count=Count("seconds", distinct=True))
    )


def proposal_for(user, pk):
    return (
        proposals_visible_to(user)
        .prefetch_related("seconds__member__user", "co_departments", "co_answers__department", "merged__proposer__user")
        .filter(pk=pk)
        .first()
    )


def congresses_for(user):
    from workflows.models import Member

    member = Member.objects.filter(user=user).select_related("org_unit").first()
    if member is None:
        return Congress.objects.none()
    return Congress.objects.filter(org_unit__in=member.org_unit.ancestors()).order_by("-window_opens")


def filter_proposals(proposals, user, *, q="", mine=False, **filters):
    """The proposal list's search and filters.  Proposals are open to the union (提案公开): the
    proposer's name is searched like the title."""
    if q:
        q = q.strip()
        match = Q(title__icontains=q) | Q(proposer__user__first_name__icontains=q)
        match |= Q(proposer__user__last_name__icontains=q)
        numbers = {int(n) for n in re.findall(r"\d+", q) if len(n) <= 9}  # 第12号
        if numbers:
            match |= Q(pk__in=numbers)
        proposals = proposals.filter(match)
    if mine:
        proposals = proposals.filter(proposer__user=user)
    return filter_records(proposals, **filters)
