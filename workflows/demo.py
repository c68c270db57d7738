"""Replaying demo history at the moments it happened, so task times, deadlines, timers and the
audit trail all agree (used by each app's ``demo.py``)."""

import datetime
import heapq
import itertools

import time_machine
from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers


class Replay:
    """Steps scheduled at local dates and hours, run in time order with the clock set to each.

    A step returns more ``(date, hour, step, *args)`` to schedule, or nothing.  Timers due by
    each moment fire first, as the beat would have fired them.  Nothing is scheduled after today.
    """

    def __init__(self, rng):
        self.rng = rng
        self.today = timezone.localdate()
        self._events = []
        self._order = itertools.count()

    def at(self, day, hour, step, *args):
        if day > self.today:
            return
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, self.rng.randrange(0, 59))))
        moment = min(moment, timezone.now())
        heapq.heappush(self._events, (moment, next(self._order), step, args))

    def run(self):
        while self._events:
            moment, _order, step, args = heapq.heappop(self._events)
            with time_machine.travel(moment, tick=False):
                fire_due_timers()
                follow = step(*args)
            for day, hour, next_step, *next_args in follow or []:
                self.at(day, hour, next_step, *next_args)
        fire_due_timers()


def working_day_on_or_after(day):
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day
