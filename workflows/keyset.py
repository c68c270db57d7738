"""Keyset pagination for the queue boxes (HTML and API): ``?after=`` / ``?before=`` a cursor.

A page is "the next ``size`` rows after this (created, id)", read by an index range scan whatever
the depth, instead of ``OFFSET n`` (which reads and throws away the n rows before it).  The order
is the task's ``created`` then ``id``, so rows with equal timestamps are neither repeated nor lost.
Counts are capped: a queue of 100,000 tasks says "999+" after reading at most ``COUNT_CAP`` rows.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

COUNT_CAP = 1000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class BadCursor(ValueError):
    pass


def encode(task):
    delta = task.created - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}.{task.pk}"


def decode(cursor):
    """``(created, pk)`` of a cursor; ``BadCursor`` for anything a link of ours never holds."""
    try:
        micros, pk = (int(part) for part in cursor.split("."))
        created = _EPOCH + datetime.timedelta(microseconds=micros)
    except (ValueError, OverflowError, AttributeError) as error:
        raise BadCursor(cursor) from error
    if pk < 1:
        raise BadCursor(cursor)
    return created, pk


def capped_count(queryset, cap=None, *, order=()):
    """How many rows, counting at most ``cap`` of them (``SELECT count(*) FROM (… LIMIT cap)``).
    ``order`` names an indexed order to read them in: without it, PostgreSQL may pick a sequential
    scan that it expects to stop early (and which does not, when the rows sit at the table's end)."""
    cap = cap or COUNT_CAP
    return queryset.order_by(*order).values("pk")[:cap].count()


def count_label(count, cap=None):
    """``"999+"`` once the cap is reached, else the number."""
    cap = cap or COUNT_CAP
    return f"{cap - 1}+" if count >= cap else str(count)


@dataclass
class KeysetPage:
    object_list: list
    has_next: bool
    has_previous: bool
    next_cursor: str | None
    previous_cursor: str | None
    count: int  # capped at COUNT_CAP

    @property
    def count_label(self):
        return count_label(self.count)

    @property
    def count_capped(self):
        return self.count >= COUNT_CAP

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def _beyond(cursor, *, forward):
    """Rows after (``forward``) or before the cursor in (created, id) order.  The redundant
    ``created >=`` bound lets the database start its index scan at the cursor."""
    created, pk = decode(cursor)
    if forward:
        return Q(created__gte=created) & (Q(created__gt=created) | Q(created=created, pk__gt=pk))
    return Q(created__lte=created) & (Q(created__lt=created) | Q(created=created, pk__lt=pk))


def keyset_page(queryset, *, size, after=None, before=None, descending=False):
    """One page of ``queryset`` in (created, id) order (newest first if ``descending``), with the
    capped count of the whole set.  ``after``/``before`` are cursors from a previous page's links."""
    ascending = ("created", "pk")
    count = capped_count(queryset, order=ascending)
    reverse = ("-created", "-pk")
    if before:
        # walk backwards from the cursor, then put the rows back in reading order
        rows = list(
            queryset.filter(_beyond(before, forward=descending)).order_by(*(ascending if descending else reverse))[
                : size + 1
            ]
        )
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        has_next = True
    else:
        if after:
            queryset = queryset.filter(_beyond(after, forward=not descending))
        rows = list(queryset.order_by(*(reverse if descending else ascending))[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_previous = bool(after)
    return KeysetPage(
        object_list=rows,
        has_next=has_next and bool(rows),
        has_previous=has_previous and bool(rows),
        next_cursor=encode(rows[-1]) if rows else None,
        previous_cursor=encode(rows[0]) if rows else None,
        count=count,
    )
