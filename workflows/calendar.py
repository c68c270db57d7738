"""Working days (工作日) for legal time limits: weekends off, national holidays and 调休 from settings."""

import datetime

from django.conf import settings


def _is_working_day(day: datetime.date) -> bool:
    rules = settings.UNIONFLOW
    iso = day.isoformat()
    if iso in rules.get("MAKEUP_WORKDAYS", ()):  # a weekend day worked in exchange for a holiday
        return True
    if iso in rules.get("HOLIDAYS", ()):
        return False
    return day.weekday() < 5


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if _is_working_day(day):
            remaining -= 1
    return day


def end_of_day(day: datetime.date) -> datetime.datetime:
    """23:59:59 local time on ``day``: a limit "within N days" runs to the end of the last day."""
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))
