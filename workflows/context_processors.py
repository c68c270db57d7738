"""Navigation badges (待办 / 可认领 / 未读通知) for the base template, counted lazily."""

from django.utils.functional import SimpleLazyObject


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def counts():
        from .models import Notification
        from .selectors import tasks_claimable, tasks_inbox

        return {
            "inbox": tasks_inbox(user).count(),
            "claimable": tasks_claimable(user).count(),
            "unread": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        }

    return {"nav_counts": SimpleLazyObject(counts)}
