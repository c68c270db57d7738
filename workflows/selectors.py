"""Reads: org scope, the four queue boxes and their filters.  Scope is always applied in SQL."""

import functools
import re
from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .models import Member, OrgUnit
from .roles import ALL_DOMAINS_READ, ROLE_PERMISSIONS, roles_granting

OPEN_STATUSES = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
QUEUE_RELATED = ("process__unionprocess__org_unit", "owner", "deadline")


def scope_paths(user, *, perm=None):
    """The org-unit paths where ``user`` holds a role (granting ``perm``, if given), a unit already
    covered by one above it left out.  Read from the per-request role cache: no query of its own."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = set(roles_granting(perm)) if perm else None
    kept = []
    for path in sorted({path for role, path in _role_rows(user) if roles is None or role in roles}):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return kept


def _units_below(paths):
    """Org units at or below any of ``paths``.  Used as ``org_unit_id IN (SELECT id …)``: a subquery
    that does not refer to the outer row, so the database computes the set once per statement (an
    index range scan on ``path``) instead of once per row."""
    covered = Q(pk__in=[])
    for path in paths:
        covered |= Q(path__startswith=path)
    return OrgUnit.objects.filter(covered)


def org_units_in_scope(user, *, perm=None):
    """Org units where ``user`` holds a role (granting ``perm``, if given), with everything below."""
    return _units_below(scope_paths(user, perm=perm))


def in_scope_q(user, *, perm, unit_path_field="org_unit__path"):
    """A ``Q`` for records whose org unit is within the user's scope for ``perm``."""
    unit_field = unit_path_field.removesuffix("__path")
    return Q(**{f"{unit_field}__in": _units_below(scope_paths(user, perm=perm)).values("pk")})


def members_visible_to(user):
    """Workers of the unions where ``user`` reads records (for looking a worker up, not a roster)."""
    readers = Q()
    for perm in sorted(ALL_DOMAINS_READ):
        readers |= in_scope_q(user, perm=perm)
    return Member.objects.filter(readers).select_related("user", "employer_unit", "org_unit")


def readable_q(user, model):
    """A ``Q`` for the ``model`` records ``user`` reads: the domain's readers in their scope, the
    people the record is open to (its filer, the person it is about), and those it was copied to
    (抄送)."""
    return in_scope_q(user, perm=model.read_permission) | model.open_to_q(user) | copied_q(user, model)


def copied_q(user, model):
    """The ``model`` records copied to ``user`` (抄送): ``pk IN (SELECT object_id …)``, one index range."""
    from .models import RecordCopy

    copies = RecordCopy.objects.filter(recipient_id=user.pk, content_type=ContentType.objects.get_for_model(model))
    return Q(pk__in=copies.values("object_id"))


def records_readable_by(user, model):
    """The one read rule of a domain, for its lists, pages, API, comments and attachments."""
    if not user.is_authenticated:
        return model.objects.none()
    return model.objects.filter(readable_q(user, model))


def may_read(user, record):
    """Whether ``user`` reads ``record`` — by the same SQL as the lists, so no door differs."""
    return record is not None and records_readable_by(user, type(record)).filter(pk=record.pk).exists()


def users_with_role(role, org_unit):
    """Users holding ``role`` in ``org_unit`` or any unit above it (the chair of a branch's union)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, role_assignments__role=role, role_assignments__org_unit__in=org_unit.ancestors()
        )
        .distinct()
    )


def record_read_permission(process):
    """The read permission of the record a process carries (content types are cached: no query)."""
    if process.artifact_content_type_id is None:
        return None
    return ContentType.objects.get_for_id(process.artifact_content_type_id).model_class().read_permission


def may_open_task(user, task, process=None):
    """Whether ``user`` may open a task's page: its holder, whoever may take it, and the roles that
    read its record's domain (a task page shows the record) — a finance officer opens no labour
    dispute through its task, and an applicant does not open the committee's step."""
    if not user.is_authenticated:
        return False
    process = process or task.process.unionprocess
    return bool(
        task.owner_id == user.pk
        or (task.owner_permission and user.has_perm(task.owner_permission, process))
        or user.has_perm(record_read_permission(process), process)
    )


def users_who_may(perm, org_unit):
    """Users who may act with ``perm`` on records of ``org_unit`` (candidates for reassignment)."""
    return users_with_role_in(roles_granting(perm), org_unit)


def users_with_role_in(roles, org_unit):
    return (
        get_user_model()
        .objects.filter(
            is_active=True, role_assignments__role__in=roles, role_assignments__org_unit__in=org_unit.ancestors()
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _human_tasks():
    return Task.objects.filter(flow_task_type="HUMAN").select_related(*QUEUE_RELATED)


def tasks_inbox(user):
    """待办: open tasks assigned to me."""
    return _human_tasks().filter(owner_id=user.pk, status__in=[STATUS.ASSIGNED, STATUS.STARTED])


def tasks_claimable(user):
    """可认领: unassigned tasks whose permission one of my roles grants, in that role's scope.

    Permissions with the same scope share one set of org units, so the statement carries one
    ``IN (SELECT …)`` per distinct scope (usually one), never a subquery per row."""
    perms = sorted({perm for role, _path in _role_rows(user) for perm in ROLE_PERMISSIONS.get(role, ())})
    if not perms:
        return Task.objects.none()
    by_scope = defaultdict(list)
    for perm in perms:
        by_scope[tuple(scope_paths(user, perm=perm))].append(perm)
    allowed = Q(pk__in=[])
    for paths, scoped_perms in by_scope.items():
        allowed |= Q(
            owner_permission__in=scoped_perms, process__unionprocess__org_unit__in=_units_below(paths).values("pk")
        )
    tasks = _human_tasks().filter(status=STATUS.NEW, owner__isnull=True).filter(allowed)
    distinct = distinct_nodes()
    if distinct:
        # 会签 by different people: a twin I already hold or did is not mine to claim (nor to count)
        mine = Task.objects.filter(
            process_id=OuterRef("process_id"), flow_task=OuterRef("flow_task"), owner_id=user.pk
        ).exclude(status=STATUS.CANCELED)
        tasks = tasks.exclude(Q(flow_task__in=distinct) & Exists(mine))
    return tasks


@functools.cache
def distinct_nodes():
    """The nodes whose tasks of one process must be done by different people (``.Distinct()``)."""
    from .engine import HumanTask, UnionFlow

    def flows(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from flows(sub)

    return tuple(
        node
        for flow_class in flows(UnionFlow)
        for node in flow_class.instance.nodes()
        if isinstance(node, HumanTask) and node._distinct
    )


def tasks_archive(user):
    """已办: tasks I finished."""
    return _human_tasks().filter(owner_id=user.pk, status=STATUS.DONE)


def tasks_overseen(user):
    """Open tasks in units where I may reassign (the chair's view of everyone's work)."""
    return (
        _human_tasks()
        .filter(status__in=OPEN_STATUSES)
        .filter(
            in_scope_q(user, perm="workflows.reassign_task", unit_path_field="process__unionprocess__org_unit__path")
        )
    )


def _role_rows(user):
    from .backends import ScopedRoleBackend

    return ScopedRoleBackend().role_paths(user)


DUE_FILTERS = {
    "overdue": lambda now: Q(deadline__due_at__lt=now),
    "soon": lambda now: Q(deadline__due_at__gte=now, deadline__due_at__lt=now + timedelta(days=3)),
    "none": lambda now: Q(deadline__isnull=True),
}


def filter_tasks(queryset, *, q=None, flow=None, unit=None, due=None, status=None, record_type=None, record_id=None):
    """Apply the queue's filters; unknown values are refused by the form or the API before this.
    ``record_type`` is the ContentType of the record a process carries, ``record_id`` its pk.
    ``q`` searches what the queue shows of a matter without a name in it: a number (第12号, 12)
    finds that record, other words the matter's title (the case number, the employer, the
    category, a proposal's title) — people's names are not searched here: the title holds none."""
    if q and q.strip():
        q = q.strip()
        numbers = {int(n) for n in re.findall(r"\d+", q) if len(n) <= 9}
        if numbers and re.fullmatch(r"[第\d号\s,，、]+", q):
            queryset = queryset.filter(process__artifact_object_id__in=numbers)
        else:
            queryset = queryset.filter(process__unionprocess__title__icontains=q)
    if record_type is not None:
        queryset = queryset.filter(process__artifact_content_type=record_type)
    if record_id is not None:
        queryset = queryset.filter(process__artifact_object_id=record_id)
    if flow:
        queryset = queryset.filter(process__flow_class=flow)
    if unit is not None:
        queryset = queryset.filter(process__unionprocess__org_unit__path__startswith=unit.path)
    if due in DUE_FILTERS:
        queryset = queryset.filter(DUE_FILTERS[due](timezone.now()))
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def order_tasks(queryset):
    """Most urgent first: due date (none last), then oldest.  For short lists only (the dashboard's
    five most urgent): the order runs over a join to the deadlines, which no index serves, so the
    queue boxes page by the task's (created, id) instead (see ``workflows/keyset.py``)."""
    return queryset.order_by(F("deadline__due_at").asc(nulls_last=True), "created", "pk")


# The queue boxes: oldest first (the one waiting longest), 已办 newest first.  Both orders are the
# task's own columns, so the partial indexes of migration ``queue_partial_indexes`` serve them.
QUEUE_DESCENDING = {"inbox": False, "queue": False, "overseen": False, "archive": True}


def filter_records(
    records,
    *,
    status="",
    category="",
    unit=None,
    dated="",
    filed_from=None,
    filed_to=None,
    amount_min=None,
    amount_max=None,
    sort="",
    category_field="category",
    amount_field="amount",
    date_fields=None,
    **_others,
):
    """The filters every record list shares (a :class:`~workflows.forms.RecordFilterForm`'s data);
    the text search is the domain's (it knows whose names the viewer may read).  ``date_fields``
    maps the form's ``dated`` choice to the field the date range reads and what else it implies
    (办结日期: only concluded records); the filing date by default."""
    if status:
        records = records.filter(status=status)
    if category:
        records = records.filter(**{category_field: category})
    if unit is not None:
        records = records.filter(org_unit__path__startswith=unit.path)
    date_field, implied = (date_fields or {}).get(dated or "", ("filed_on", None))
    if dated and implied is not None:
        records = records.filter(implied)
    if filed_from:
        records = records.filter(**{f"{date_field}__gte": filed_from})
    if filed_to:
        records = records.filter(**{f"{date_field}__lte": filed_to})
    if amount_min is not None:
        records = records.filter(**{f"{amount_field}__gte": amount_min})
    if amount_max is not None:
        records = records.filter(**{f"{amount_field}__lte": amount_max})
    if sort:
        records = records.order_by(sort, "-pk")
    return records


def filter_memberships(applications, user, *, q="", **filters):
    """The membership list's search and filters.  A name is matched only where the viewer may read
    it (those who review applications in the unit, and the worker themselves)."""
    if q:
        q = q.strip()
        match = Q(employer_unit__name__icontains=q)
        numbers = {int(n) for n in re.findall(r"\d+", q) if len(n) <= 9}
        if numbers:
            match |= Q(pk__in=numbers)
        names_visible = in_scope_q(user, perm="workflows.review_membershipapplication") | Q(member__user_id=user.pk)
        named = Q(member__user__first_name__icontains=q) | Q(member__user__last_name__icontains=q)
        applications = applications.filter(match | (named & names_visible))
    return filter_records(applications, **filters)
