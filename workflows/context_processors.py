"""Navigation badges (待办 / 可认领 / 未读通知) and the background-work banner, computed lazily."""

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

    context = {"nav_counts": SimpleLazyObject(counts)}
    if user.is_staff or user.has_perm("workflows.manage_period"):
        # the chair and the administrator are told when background work has stopped
        from .health import background_status

        context["background"] = SimpleLazyObject(background_status)
    return context
