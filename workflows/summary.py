"""The summary-section registry: each domain app contributes its figures to the period report.

A section is a function ``(org_unit, starts_on, ends_on) -> Section``; every figure carries the
ids of the records behind it, so a number in the report can be traced back to the records.
``summaries/`` asks this registry and never imports a domain app's models.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

_SECTIONS: dict[str, tuple[int, str, Callable]] = {}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | Decimal | float | None
    unit: str = ""
    record_ids: tuple[int, ...] = ()
    definition: str = ""


@dataclass
class Section:
    key: str
    title: str
    figures: dict[str, Figure] = field(default_factory=dict)
    breakdowns: dict[str, list[Figure]] = field(default_factory=dict)

    def add(self, figure: Figure) -> Figure:
        self.figures[figure.key] = figure
        return figure

    def __getitem__(self, key):
        return self.figures[key]


def register(key: str, *, title: str, order: int):
    """Decorator: ``@register("cases", title="维权服务", order=10)`` on a section function."""

    def decorate(func):
        _SECTIONS[key] = (order, title, func)
        return func

    return decorate


def sections():
    """``[(key, title, func), ...]`` in report order."""
    return [(key, title, func) for key, (order, title, func) in sorted(_SECTIONS.items(), key=lambda kv: kv[1][0])]


def compute(key, org_unit, starts_on, ends_on) -> Section:
    order, title, func = _SECTIONS[key]
    return func(org_unit, starts_on, ends_on)


# -- helpers every section uses: one way to count, rate and average ---------------------------
def record_ids(queryset, field="pk"):
    """The ids behind a figure, sorted (``field`` for figures of people: member ids)."""
    return tuple(queryset.order_by(field).values_list(field, flat=True).distinct())


def count(key, label, queryset, unit="件", definition=""):
    """A figure that is the number of records in ``queryset``, with their ids."""
    ids = record_ids(queryset)
    return Figure(key, label, len(ids), unit, ids, definition)


def rate(numerator, denominator):
    """A percentage to one decimal, or None when there is nothing to divide by."""
    from decimal import ROUND_HALF_UP

    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def average_days(queryset, start, end):
    """Average of ``end - start`` in days (one decimal) over ``queryset``, computed in SQL."""
    from decimal import ROUND_HALF_UP

    from django.db.models import Avg, DurationField, ExpressionWrapper, F

    avg = queryset.annotate(_days=ExpressionWrapper(F(end) - F(start), output_field=DurationField())).aggregate(
        avg=Avg("_days")
    )["avg"]
    if avg is None:
        return None
    seconds = avg.total_seconds() if hasattr(avg, "total_seconds") else avg / 1_000_000
    return (Decimal(seconds) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
