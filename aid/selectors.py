"""Reads of 困难职工帮扶, scoped in SQL; personal data is masked unless the role needs it."""

import dataclasses
import datetime
import re

from django.conf import settings
from django.db.models import Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from workflows.roles import AID_READ
from workflows.selectors import filter_records, in_scope_q, records_readable_by

from .models import VIEW_PII, AidApplication, AidBatch, Fund, FundBudget, HardshipFile


def applications_visible_to(user):
    return records_readable_by(user, AidApplication).select_related(
        "member__user", "member__employer_unit", "org_unit", "fund", "hardship_file"
    )


def files_visible_to(user):
    return records_readable_by(user, HardshipFile).select_related("member__user", "member__employer_unit", "org_unit")


def batches_visible_to(user):
    return records_readable_by(user, AidBatch).select_related("fund", "org_unit")


def publicity_board(user):
    """公示栏: what is being publicised in the user's union (names masked by the template)."""
    from workflows.models import Member

    member = Member.objects.filter(user=user).select_related("org_unit").first()
    paths = [member.org_unit.path] if member else []
    units = Q()
    for path in paths:
        parts = [p for p in path.split("/") if p]
        units |= Q(org_unit__path__startswith="/".join(parts[:2]) + "/")
    units |= in_scope_q(user, perm=AID_READ)
    applications = AidApplication.objects.filter(units, status=AidApplication.Status.PUBLICIZING).select_related(
        "member__user", "member__employer_unit"
    )
    batches = AidBatch.objects.filter(units, status=AidBatch.Status.PUBLICIZING).prefetch_related(
        "applications__member__user", "applications__member__employer_unit"
    )
    return applications, batches


def funds_visible_to(user):
    """Funds of the unions where ``user`` reads records, each with its budgets (oldest first)."""
    budgets = FundBudget.objects.select_related("period").order_by("period__starts_on", "period__org_unit__path")
    return (
        Fund.objects.filter(in_scope_q(user, perm=AID_READ))
        .select_related("org_unit")
        .prefetch_related(Prefetch("budgets", queryset=budgets))
    )


def fund_balances(user):
    return FundBudget.objects.filter(
        in_scope_q(user, perm=AID_READ, unit_path_field="fund__org_unit__path")
    ).select_related("fund", "period")


# -- a batch being paid (发放中) ------------------------------------------------------------------
def _resume_cutoff(now):
    return now - datetime.timedelta(seconds=settings.AID_BATCH_RESUME_AFTER_SECONDS)


def stalled_paying_batches(*, now=None):
    """发放中 batches where no household was paid for AID_BATCH_RESUME_AFTER_SECONDS (counted from
    the last payment, else from the start): no worker is paying them, whatever became of the message."""
    cutoff = _resume_cutoff(now or timezone.now())
    return (
        AidBatch.objects.filter(status=AidBatch.Status.PAYING)
        .alias(progress_at=Coalesce("last_paid_at", "paying_since"))
        .filter(Q(progress_at__lt=cutoff) | Q(progress_at__isnull=True))
    )


@dataclasses.dataclass(frozen=True)
class PayingProgress:
    paid: int  # households paid so far
    households: int
    since: datetime.datetime | None
    last_paid_at: datetime.datetime | None
    stalled: bool  # no progress for longer than the threshold: no worker is on it right now
    resubmitted_at: datetime.datetime | None  # when the sweep last sent the batch to a worker again

    @property
    def last_activity(self):
        return self.last_paid_at or self.since


def batch_paying_progress(batch, *, now=None):
    """已发放 N / M 户 of a 发放中 batch, and whether a worker is moving it; None for other states."""
    if batch.status != AidBatch.Status.PAYING:
        return None
    households = batch.applications.count()
    paid = batch.applications.filter(status=AidApplication.Status.PAID).count()
    return PayingProgress(
        paid=paid,
        households=households,
        since=batch.paying_since,
        last_paid_at=batch.last_paid_at,
        stalled=stalled_paying_batches(now=now).filter(pk=batch.pk).exists(),
        resubmitted_at=batch.payment_resubmitted_at,
    )


def vote_tallies(record):
    """Each review round's outcome (同意/不同意/弃权 counts), without who voted how."""
    from django.db.models import Count

    rows = record.votes.values("round", "choice").annotate(n=Count("pk")).order_by("round")
    tallies = {}
    for row in rows:
        tally = tallies.setdefault(row["round"], {"round": row["round"], "for": 0, "against": 0, "abstain": 0})
        tally[row["choice"]] = row["n"]
    return list(tallies.values())


def _household_search(user, q):
    """A search over a household's records (applications, the register): the number, the employer
    and — only where the viewer may read it (their union's chair and finance, the worker, whoever
    applied for them) — the name, so a search never tells whose a masked row is."""
    q = q.strip()
    match = Q(member__employer_unit__name__icontains=q)
    numbers = {int(n) for n in re.findall(r"\d+", q) if len(n) <= 9}
    if numbers:
        match |= Q(pk__in=numbers)
    names_visible = in_scope_q(user, perm=VIEW_PII) | Q(member__user_id=user.pk) | Q(created_by_id=user.pk)
    named = Q(member__user__first_name__icontains=q) | Q(member__user__last_name__icontains=q)
    return match | (named & names_visible)


def filter_applications(applications, user, *, q="", **filters):
    """The application list's search (:func:`_household_search`) and filters."""
    if q:
        applications = applications.filter(_household_search(user, q))
    return filter_records(
        applications,
        category_field="aid_type",
        amount_field="amount_requested",
        date_fields=DATE_FIELDS,
        **filters,
    )


# 发放日期 reads the payment's date: only applications paid to the household
DATE_FIELDS = {"paid": ("disbursement__paid_on", Q(disbursement__isnull=False))}


def filter_files(files, user, *, q="", **filters):
    """The hardship register's search (:func:`_household_search`) and filters."""
    if q:
        files = files.filter(_household_search(user, q))
    return filter_records(files, **filters)
