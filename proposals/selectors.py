"""Reads of proposals.  The list of proposals and their answers is public within the union (提案公开)."""

from django.db.models import Count, Q

from workflows.selectors import org_units_in_scope

from .models import Congress, Proposal


def proposals_visible_to(user):
    """Proposals of congresses of the user's own union (and above), or of units in their role scope.

    Drafts are visible too: representatives find them there to second them (征集附议).
    """
    from workflows.models import Member

    own_unit_paths = list(Member.objects.filter(user=user).values_list("org_unit__path", flat=True))
    union = Q(org_unit__in=org_units_in_scope(user))
    for path in own_unit_paths:
        union |= Q(org_unit__path__in=[path[: i + 1] for i, ch in enumerate(path) if ch == "/"])
    mine = Q(proposer__user_id=user.pk)
    return (
        Proposal.objects.filter(union | mine)
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
