"""The single way a record's status changes.

:func:`run_transition` checks permission and period, locks the row, re-checks the source state
under the lock, runs the django-fsm transition, saves and appends the audit event — all in one
transaction.  Views, API endpoints, flow tasks and Celery tasks all go through it.
"""

import datetime
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm

from .errors import (
    ALREADY_HANDLED,
    CONDITION_NOT_MET,
    DAY_IN_CLOSED_PERIOD,
    DAY_IN_FUTURE,
    DAY_OUT_OF_RANGE,
    ILLEGAL_TRANSITION,
    NO_PERMISSION,
    NUMBER_REFUSED,
    PERIOD_CLOSED,
    AlreadyHandled,
    Conflict,
    IllegalTransition,
    NotPermitted,
    PeriodClosed,
    WorkflowError,
)
from .middleware import current_request_ids
from .models import AuditEvent, Period, WorkflowRecord

# the events of the audit_batch block running in this context, if any
_audit_batch = ContextVar("audit_batch", default=None)
# 代理: the (user id, name) a deputy acts for while completing a task delegated to them
_acting_for = ContextVar("acting_for", default=None)


@contextmanager
def acting_for(principal):
    """Inside the block, the events the deputy writes say whom they act for (``{"id", "name"}``)."""
    token = _acting_for.set(principal)
    try:
        yield
    finally:
        _acting_for.reset(token)


OCCURRED_IN_FUTURE = _("发生日期不能晚于今天。")
OCCURRED_OUTSIDE_PERIODS = _("%(date)s不在%(unit)s的任何统计期间内，不能补录。")
OCCURRED_IN_CLOSED_PERIOD = _("%(date)s所属的%(period)s已结账，不能补录；如需更正，请工会主席先重新开放该期间。")
BACKDATED = _("补录：事项发生于%(date)s")


def transition_label(record, name):
    """The transition's Chinese name, from ``@transition(custom={"label": ...})``."""
    meta = getattr(type(record), name)._django_fsm
    for candidate in meta.transitions.values():
        if candidate.custom.get("label"):
            return str(candidate.custom["label"])
    return name


def _state_label(record, state):
    field = record._meta.get_field("status")
    return str(dict(field.flatchoices).get(state, state))


def _last_event(record):
    return AuditEvent.objects.for_record(record).select_related("actor").order_by("-at", "-pk").first()


def condition(message):
    """Give a django-fsm condition the words a user reads when it does not hold."""

    def decorate(func):
        func.message = message
        return func

    return decorate


def _unmet_conditions(record, method):
    """Messages of the conditions that fail, when the state itself would allow the move."""
    transition = method._django_fsm.get_transition(record.status)
    if transition is None:
        return []
    return [str(getattr(c, "message", c.__name__)) for c in transition.conditions if not c(record)]


def ensure_period_open(record):
    """Refuse to touch a record whose period is closed (the chair must reopen it first).

    Every write on a record calls it: transitions here, and the writes that change no status
    (a home visit, a co-department's answer, a yearly review…) in their services and, for any
    task of the queue, in :func:`workflows.engine.task_complete`.
    """
    closed = Period.objects.closed_for(record.org_unit, record.filed_on, named=getattr(record, "period_id", None))
    if closed is not None:
        raise PeriodClosed(PERIOD_CLOSED, record=record, period=closed.label)


def ensure_open_period_covers(org_unit, day):
    """A matter entered after the fact (a hotline records yesterday's call) must have happened in
    an open period of the record's union, and not in the future: it then counts where it belongs
    and never changes a closed period's figures."""
    if day > timezone.localdate():
        raise WorkflowError(OCCURRED_IN_FUTURE)
    periods = list(Period.objects.covering(org_unit, day))
    if not periods:
        raise Conflict(OCCURRED_OUTSIDE_PERIODS, date=day.isoformat(), unit=org_unit.name)
    closed = next((p for p in periods if p.status != Period.Status.OPEN), None)
    if closed is not None:
        raise PeriodClosed(OCCURRED_IN_CLOSED_PERIOD, date=day.isoformat(), period=closed.label)


def backdated_note(day):
    """The filing audit's note for a matter that happened before the day it is entered: the event's
    own time and actor say when and by whom it was entered."""
    return str(BACKDATED % {"date": day.isoformat()}) if day < timezone.localdate() else ""


def ensure_day_open(org_unit, day, *, field, label):
    """A date a user enters for something that happened (登记日期, 发放日期) is a real one: not
    after today, not in a closed period (it would change that period's figures), and not before
    last year unless a period covers it.  ``field`` names the input in the refusal."""
    today = timezone.localdate()
    words = {"label": label, "date": day.isoformat()}
    if day > today:
        raise WorkflowError(DAY_IN_FUTURE, fields={field: [DAY_IN_FUTURE % words]}, **words)
    closed = Period.objects.closed_for(org_unit, day)
    if closed is not None:
        raise PeriodClosed(DAY_IN_CLOSED_PERIOD, period=closed.label, **words)
    if day < today - datetime.timedelta(days=366) and not Period.objects.covering(org_unit, day).exists():
        raise WorkflowError(DAY_OUT_OF_RANGE, fields={field: [DAY_OUT_OF_RANGE % words]}, **words)


def audit(record, *, actor, action, action_label="", from_state="", to_state="", reason="", request_id=""):
    """Append one audit event for ``record``.  Call inside the transaction of the change, at its end:
    appending takes the audit chain's lock until the commit (``AuditEvent.save``).  Inside an
    :func:`audit_batch` block the event is appended with the block's others when it ends.

    ``request_id`` defaults to the id of the request being served, and the client's own id is
    recorded beside it.
    """
    server_id, client_id = current_request_ids.get()
    principal = _acting_for.get()
    if principal and actor is not None and actor.pk != principal["id"]:
        on_behalf = _("代%(name)s办理") % {"name": principal["name"]}
        reason = f"{reason}（{on_behalf}）" if reason else str(on_behalf)
    event = AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
        object_id=record.pk,
        org_unit_id=getattr(record, "org_unit_id", None),
        action=action,
        action_label=str(action_label),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        request_id=request_id or server_id,
        client_request_id=client_id,
    )
    batch = _audit_batch.get()
    if batch is not None:
        batch.append(event)
    else:
        event.save()
    return event


@contextmanager
def audit_batch():
    """Append the audit events written inside the block together when it ends: one chain lock, one
    head read and one INSERT however many transitions one change runs (a proposal accepted and
    assigned; a rating that archives).  Use inside the change's transaction; the events are in the
    chain before it commits, in the order they were written, and a failed block appends none.
    A nested block joins the outer one."""
    if _audit_batch.get() is not None:
        yield
        return
    events = []
    token = _audit_batch.set(events)
    try:
        yield
    finally:
        _audit_batch.reset(token)
    if events:
        AuditEvent.objects.bulk_create(events)


def ensure_numbers_storable(record):
    """Every number of ``record`` is one its field accepts: finite, within its digits and its
    validators (an amount's ceiling).  An amount of 1e400 was once stored on SQLite, and every page
    that read it back failed; whoever calls a service (page, API, shell, a task) is refused here."""
    errors, words = {}, []
    for field in record._meta.concrete_fields:
        if field.primary_key or field.is_relation or not isinstance(field, models.DecimalField | models.IntegerField):
            continue
        value = getattr(record, field.attname)
        if value is None:
            continue
        try:
            field.clean(value, record)
        except ValidationError as exc:
            errors[field.name] = [str(message) for message in exc.messages]
            words += [f"{field.verbose_name}：{message}" for message in errors[field.name]]
    if errors:
        raise WorkflowError(NUMBER_REFUSED, fields=errors, why="".join(words))


def record_file(record, *, actor, action, label, request_id="", reason="", day_checked=False):
    """Save a new record in its (open) period and audit its filing.  Call inside a transaction.

    ``day_checked``: the caller has just run :func:`ensure_day_open` on the record's org unit and
    filing day, the same question, so it is not asked twice."""
    if not day_checked:
        ensure_period_open(record)
    ensure_numbers_storable(record)
    record.save()
    audit(
        record,
        actor=actor,
        action=action,
        action_label=label,
        to_state=record.status,
        reason=reason,
        request_id=request_id,
    )
    return record


# Set on a record read FOR UPDATE inside the task activation that is running (and removed when it
# ends, see workflows.engine.task_activation): its row lock is already held by this transaction.
_LOCKED, _PERIOD_CHECKED = "_row_locked_by_activation", "_period_checked_by_activation"


def mark_locked(record, *, period_checked=False):
    record.__dict__[_LOCKED] = True
    if period_checked:
        record.__dict__[_PERIOD_CHECKED] = True


def is_locked(record):
    """Whether ``record`` was read FOR UPDATE by the task activation running in this transaction."""
    return bool(record.__dict__.get(_LOCKED))


def unmark_locked(record):
    record.__dict__.pop(_LOCKED, None)
    record.__dict__.pop(_PERIOD_CHECKED, None)


def _tell_applicant_after_commit(record, name, event):
    """The applicant hears of a step that concerns them (受理, 批准, 发放…: the model's
    ``applicant_notices``) from the worker once the transition is committed.  The call goes through
    the outbox (one row written with the transition): a broker that is down delays the notice, it
    does not lose it, and never holds up the step."""
    from .outbox import send_after_commit
    from .tasks import tell_applicant

    # the notice's key, which tells it once however often the call is sent: the audit event's id, or
    # (an event of an audit_batch has none until the block ends) one made for this call
    key = event.pk or uuid.uuid4().hex
    send_after_commit(tell_applicant, record._meta.label_lower, record.pk, name, key)


def run_transition(
    record, name, *, actor, reason="", request_id="", expected_state=None, check_permission=True, **kwargs
):
    """Run transition ``name`` on ``record`` as ``actor``; ``record`` then holds the fresh row
    (read under the lock) and is returned, so a chain of transitions and the flow's nodes after
    them all see one instance.

    ``expected_state`` is the state the caller saw (a form's hidden field, the API's current
    view).  When the row moved on meanwhile, the caller gets "already handled by …" instead of a
    second effect.  System actors (timers, Celery) pass ``check_permission=False``.
    Must be called in, or opens, a transaction: the lock lives until its commit.
    """
    model = type(record)
    label = transition_label(record, name)
    with transaction.atomic():
        if record.__dict__.get(_LOCKED):
            # read FOR UPDATE by the running task's activation, in this transaction: it is the row
            locked = record
        else:
            locked = model._default_manager.select_for_update(of=("self",)).select_related("org_unit").get(pk=record.pk)
        seen = expected_state if expected_state is not None else record.status
        method = getattr(locked, name)
        if locked.status != seen:
            last = _last_event(locked)
            raise AlreadyHandled(
                ALREADY_HANDLED,
                record=locked,
                actor=(last.actor.get_full_name() or last.actor.username) if last and last.actor else "系统",
                at=formats.date_format(timezone.localtime(last.at), "Y-m-d H:i") if last else "",
                action=(last.action_label or last.action) if last else _state_label(locked, locked.status),
            )
        if not can_proceed(method):
            unmet = _unmet_conditions(locked, method)
            if unmet:
                raise IllegalTransition(CONDITION_NOT_MET, record=locked, action=label, why="；".join(unmet))
            raise IllegalTransition(
                ILLEGAL_TRANSITION, record=locked, state=_state_label(locked, locked.status), action=label
            )
        if check_permission and not has_transition_perm(method, actor):
            raise NotPermitted(NO_PERMISSION, record=locked, action=label)
        if isinstance(locked, WorkflowRecord) and not record.__dict__.get(_PERIOD_CHECKED):
            ensure_period_open(locked)
        from_state = locked.status
        method(**kwargs)
        ensure_numbers_storable(locked)
        locked.save()
        event = audit(
            locked,
            actor=actor,
            action=name,
            action_label=label,
            from_state=from_state,
            to_state=locked.status,
            reason=reason,
            request_id=request_id,
        )
        if name in getattr(model, "applicant_notices", {}):
            _tell_applicant_after_commit(locked, name, event)
    # The caller's instance follows the row, so ``record.status`` is the new state afterwards.
    if locked is record:
        return record
    # A relation the transition changed (the case's mediator) is never read from a stale cache.
    for field in model._meta.concrete_fields:
        if field.is_relation and record.__dict__.get(field.attname) != locked.__dict__[field.attname]:
            record._state.fields_cache.pop(field.name, None)
        record.__dict__[field.attname] = locked.__dict__[field.attname]
    record._state.fields_cache.update(locked._state.fields_cache)
    return record
