"""我发起的: everything a person filed, across every flow, with where it stands and what is theirs to do.

A worker files a dispute, a hardship application, a membership application; a representative a
proposal; a committee member enters them on someone's behalf.  Each domain lists its own records;
this page gathers the filer's from all of them in a fixed number of queries: one per kind of record
and one for the open steps of them all.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from viewflow.workflow.models import Task

from . import pii
from .selectors import OPEN_STATUSES

PER_KIND = 100  # the newest of each kind; a filer with more finds the rest in the domain's list

# (model label, what the filer is to it, the domain's list): the records a person filed or is the
# subject of.  Proposals: the proposer's own, not every proposal of the union they may read.
KINDS = (
    ("cases.GrievanceCase", lambda user: Q(created_by_id=user.pk) | Q(applicant__user_id=user.pk), "cases:list"),
    ("aid.AidApplication", lambda user: Q(created_by_id=user.pk) | Q(member__user_id=user.pk), "aid:list"),
    ("proposals.Proposal", lambda user: Q(proposer__user_id=user.pk), "proposals:list"),
    ("workflows.MembershipApplication", lambda user: Q(member__user_id=user.pk), "membership_list"),
)


@dataclass
class Filed:
    record: object
    kind: str
    title: str
    steps: list = field(default_factory=list)  # open tasks, each with .holder and .mine
    url: str = ""

    @property
    def is_open(self):
        return bool(self.steps)

    @property
    def my_steps(self):
        return [t for t in self.steps if t.mine]

    @property
    def due_at(self):
        dues = [t.deadline.due_at for t in self.steps if getattr(t, "deadline", None)]
        return min(dues) if dues else None


def filed_by(user):
    """The person's records, open ones first (the soonest step due first), then the newest."""
    rows = []
    for label, who, _list in KINDS:
        model = apps.get_model(label)
        queryset = model._default_manager.filter(who(user)).order_by("-created", "-pk")
        policy = pii.policy_for(model())
        if policy is not None and policy.related:
            queryset = queryset.select_related(*policy.related)
        for record in queryset[:PER_KIND]:
            rows.append(
                Filed(
                    record=record,
                    kind=str(model._meta.verbose_name),
                    title=pii.title(user, record),
                    url=record.get_absolute_url(),
                )
            )
    _attach_steps(user, rows)
    rows.sort(
        key=lambda r: (not r.is_open, not r.my_steps, r.due_at is None, r.due_at or 0, -r.record.created.timestamp())
    )
    return rows


def _attach_steps(user, rows):
    by_key = {}
    match = Q(pk__in=[])
    by_type = {}
    for row in rows:
        ct = ContentType.objects.get_for_model(row.record, for_concrete_model=False)
        by_type.setdefault(ct.pk, []).append(row.record.pk)
        by_key[(ct.pk, row.record.pk)] = row
    for ct_id, pks in by_type.items():
        match |= Q(process__artifact_content_type_id=ct_id, process__artifact_object_id__in=pks)
    if not by_type:
        return
    tasks = (
        Task.objects.filter(flow_task_type="HUMAN", status__in=OPEN_STATUSES)
        .filter(match)
        .select_related("owner", "deadline", "process")
        .order_by("created", "pk")
    )
    for task in tasks:
        row = by_key.get((task.process.artifact_content_type_id, task.process.artifact_object_id))
        if row is None:
            continue
        task.mine = task.owner_id == user.pk
        task.holder = pii.person(user, row.record, task.owner) if task.owner_id else None
        row.steps.append(task)
