"""我的筛选: a list's filters saved under a name, shown in the sidebar.

The sidebar is on every page, so the saved filters travel in the session (loaded at login and
rewritten on each save or delete) rather than costing every page a query.
"""

from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .errors import WorkflowError
from .models import SavedFilter

SESSION_KEY = "saved_filters"
MAX_PER_USER = 20
BOXES = {"inbox", "queue", "archive", "overseen"}
NAME_REQUIRED = _("请为筛选起个名字。")
NAME_TAKEN = _("已有名为“%(name)s”的筛选，请换一个名字。")
TOO_MANY = _("最多保存%(n)s个筛选，请先删除不用的。")
UNKNOWN_LIST = _("该页面不能保存筛选。")


def remember(request, user=None):
    """Put the user's saved filters in their session: ``[[pk, name, url], …]``."""
    rows = SavedFilter.objects.filter(user=user or request.user)
    request.session[SESSION_KEY] = [[f.pk, f.name, f.get_absolute_url()] for f in rows]


def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember(request, user)


def save(request, *, name, list_name, box="", query=""):
    name = (name or "").strip()
    if not name:
        raise WorkflowError(NAME_REQUIRED)
    if list_name not in SavedFilter.LISTS or (list_name == "task_list") != (box in BOXES):
        raise WorkflowError(UNKNOWN_LIST)
    # keep only real filter parameters: never the page, never an export
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k not in ("page", "export")]
    if SavedFilter.objects.filter(user=request.user).count() >= MAX_PER_USER:
        raise WorkflowError(TOO_MANY, n=MAX_PER_USER)
    try:
        with transaction.atomic():
            saved = SavedFilter.objects.create(
                user=request.user, name=name[:30], list_name=list_name, box=box or "", query=urlencode(pairs)[:500]
            )
    except IntegrityError:
        raise WorkflowError(NAME_TAKEN, name=name) from None
    remember(request)
    return saved


def delete(request, pk):
    """Delete one of the user's own saved filters; False (nothing written) when it is not theirs."""
    saved = SavedFilter.objects.filter(user=request.user, pk=pk).first()
    if saved is None:
        return False
    saved.delete()
    remember(request)
    return True
