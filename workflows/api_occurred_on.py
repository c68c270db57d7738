"""``occurred_on``: the day a matter really happened, when another system enters it later (a hotline
records yesterday's call).  The filing endpoints take it; the rule is
:func:`workflows.transitions.ensure_open_period_covers` and the filing's audit event notes it."""

from rest_framework import serializers


class OccurredOnSerializer(serializers.Serializer):
    occurred_on = serializers.DateField(
        required=False, help_text="发生日期: not in the future, within an open period; default today"
    )
