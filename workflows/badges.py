"""The navigation badges (待办 / 可认领 / 未读通知): capped counts, cached per user for a short while.

Counting a queue of 100,000 tasks on every page cost more than the page itself.  Each count now
reads at most ``keyset.COUNT_CAP`` rows (a badge says "999+" beyond), and the three counts live in
the cache for ``CACHE_SECONDS``.  A task saved with an owner (claimed, released, reassigned,
finished) forgets the badges of its old and new owner, and reading a notification forgets the
reader's, so what a user just did shows at once; another user's claim shows within the minute.
"""

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from viewflow.workflow.models import Task

from . import keyset

CACHE_SECONDS = 30


def _key(user_id):
    return f"unionflow:nav-counts:{user_id}"


def nav_counts(user):
    counts = cache.get(_key(user.pk))
    if counts is None:
        from .models import Notification
        from .selectors import tasks_claimable, tasks_inbox

        counts = _count_together(
            {
                # in the queue's order, so the count reads the queue's partial index (keyset.py)
                "inbox": tasks_inbox(user).order_by("created", "pk"),
                "claimable": tasks_claimable(user).order_by("created", "pk"),
                "unread": Notification.objects.filter(recipient=user, read_at__isnull=True).order_by(),
            }
        )
        cache.set(_key(user.pk), counts, CACHE_SECONDS)
    return counts


def _count_together(querysets):
    """The capped count of each queryset, in one statement: ``SELECT (SELECT count(*) …), …``."""
    parts, params = [], []
    for queryset in querysets.values():
        limited = queryset.values("pk")[: keyset.COUNT_CAP]
        try:
            sql, sql_params = limited.query.sql_with_params()
        except EmptyResultSet:
            sql, sql_params = "SELECT 1 WHERE 1 = 0", ()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(sql_params)
    with connections[router.db_for_read(Task)].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


def forget(*user_ids):
    keys = [_key(pk) for pk in user_ids if pk]
    if keys:
        cache.delete_many(keys)


def remember_loaded_owner(sender, instance, **kwargs):
    """``post_init`` of a task: who held it when it was read, so its save can forget their badge."""
    instance._badge_owner_id = instance.owner_id


def forget_task_owners(sender, instance, **kwargs):
    """``post_save`` of a task: the badges of the owner it had and the owner it has."""
    forget(getattr(instance, "_badge_owner_id", None), instance.owner_id)
    instance._badge_owner_id = instance.owner_id


def forget_recipient(sender, instance, **kwargs):
    """``post_save`` of a notification: its recipient's unread badge."""
    forget(instance.recipient_id)
