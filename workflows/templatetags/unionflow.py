from datetime import timedelta

from django import template
from django.utils import timezone
from viewflow.workflow.status import STATUS

register = template.Library()

OPEN = {STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED}


@register.filter
def capped(count):
    """A badge's count as shown: "999+" once it reaches the cap it was counted to."""
    from workflows.keyset import count_label

    return count_label(count)


@register.filter
def due_state(task):
    """'overdue', 'soon' (within 3 days) or '' — drives the red/amber due date in the queue."""
    try:
        due = task.deadline.due_at
    except Exception:  # no deadline row
        return ""
    if task.status not in OPEN:
        return ""
    now = timezone.now()
    if due < now:
        return "overdue"
    if due < now + timedelta(days=3):
        return "soon"
    return ""


@register.filter
def task_status(task):
    return {
        STATUS.NEW: "待认领",
        STATUS.ASSIGNED: "办理中",
        STATUS.STARTED: "办理中",
        STATUS.DONE: "已办结",
        STATUS.CANCELED: "已取消",
        STATUS.ERROR: "出错",
        STATUS.SCHEDULED: "计时中",
    }.get(task.status, task.status)


@register.filter
def flow_title(task):
    return task.flow_task.flow_class.process_title


@register.filter
def person(user):
    if not user:
        return "系统"
    return user.get_full_name() or user.username


@register.filter
def state_label(event, which="to"):
    """The Chinese name of an audit event's from/to state, from its record's status choices."""
    from django.contrib.contenttypes.models import ContentType

    state = event.to_state if which == "to" else event.from_state
    if not state:
        return ""
    model = ContentType.objects.get_for_id(event.content_type_id).model_class()
    try:
        choices = dict(model._meta.get_field("status").flatchoices)
    except Exception:  # a record without a status field
        return state
    return str(choices.get(state, state))


@register.filter
def masked(value):
    """张小明 → 张*明 (publicity boards and lists show no full names)."""
    from workflows.pii import mask_name

    return mask_name(str(value))


@register.filter
def masked_digits(value):
    from workflows.pii import mask_digits

    return mask_digits(str(value)) if value else ""


@register.filter
def elapsed(moment):
    """How long ago ``moment`` was, in the interface's Chinese (``timesince`` follows the browser)."""
    from django.utils import timezone

    from ..health import elapsed_words

    return elapsed_words((timezone.now() - moment).total_seconds()) if moment else ""


# -- personal data: every template renders it through workflows.pii for the page's user ----------
def _viewer(context):
    request = context.get("request")
    return getattr(request, "user", None)  # no request: nobody, so everything is masked


@register.simple_tag(takes_context=True)
def pii(context, record, key):
    """``{% pii case "applicant_phone" %}``: the field as this page's user may see it."""
    from workflows import pii as personal_data

    return personal_data.shown(_viewer(context), record, key)


@register.simple_tag(takes_context=True)
def pii_title(context, record):
    """``{% pii_title record %}``: "张*明的生活救助申请", the name masked unless the user may read it."""
    from workflows import pii as personal_data

    return personal_data.title(_viewer(context), record)


@register.simple_tag(takes_context=True)
def pii_visible(context, record, key):
    """``{% pii_visible file "income_per_head" as show %}``: whether the user may read it unmasked."""
    from workflows import pii as personal_data

    return personal_data.may_see(_viewer(context), record, key)


@register.simple_tag(takes_context=True)
def subject(context, task):
    """``{% subject task %}``: what the task is about, rendered for this page's user."""
    from workflows import pii as personal_data

    return personal_data.task_subject(_viewer(context), task)


# -- the record's open steps: 当前环节 and 催办 ---------------------------------------------------
@register.simple_tag(takes_context=True)
def task_link(context, task):
    """``{% task_link t %}``: the step's title, a link only for those who may open its page (the
    holder, who may claim it, who reads its domain) — an applicant sees where the record is
    without a link that would answer 404."""
    from django.urls import reverse
    from django.utils.html import format_html

    from workflows.selectors import may_open_task

    user = _viewer(context)
    if user is not None and may_open_task(user, task):
        return format_html('<a href="{}">{}</a>', reverse("task_detail", args=[task.pk]), task.title)
    return task.title


@register.inclusion_tag("workflows/_urge.html", takes_context=True)
def urge_form(context, record, open_tasks):
    """``{% urge_form record open_tasks %}``: the 催办 button for the applicant and the chair while
    the record has an open step."""
    from workflows.engine import may_urge
    from workflows.forms import UrgeForm

    user = _viewer(context)
    show = user is not None and bool(open_tasks) and may_urge(user, record)
    return {
        "show": show,
        "form": UrgeForm() if show else None,
        "label": record._meta.label_lower,
        "pk": record.pk,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("workflows/_copy_link.html", takes_context=True)
def copy_link(context, record):
    """``{% copy_link record %}``: the 抄送 button for those who read the record through their role."""
    from workflows.copies import may_copy

    user = _viewer(context)
    return {
        "show": user is not None and may_copy(user, record),
        "label": record._meta.label_lower,
        "pk": record.pk,
    }


@register.inclusion_tag("workflows/_flow_steps.html")
def flow_steps(record):
    """``{% flow_steps record %}``: the record's flow as steps, the current one highlighted."""
    from workflows.flow_steps import steps_for

    return {"steps": steps_for(record)}
