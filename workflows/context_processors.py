"""Navigation badges (待办 / 可认领 / 未读通知, see ``badges.py``) and the background-work banner, lazily."""

from django.utils.functional import SimpleLazyObject


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    from .badges import nav_counts

    context = {"nav_counts": SimpleLazyObject(lambda: nav_counts(user))}
    if user.is_staff or user.has_perm("workflows.manage_period"):
        # the chair and the administrator are told when background work has stopped
        from .health import background_status

        context["background"] = SimpleLazyObject(background_status)
    return context
