"""The summary-section registry: each domain app contributes its figures to the period report.

A section is a function ``(org_unit, starts_on, ends_on) -> Section``. Every figure names the
*selection* behind it: a model and a ``Q`` over it, registered by the section's
``selections(org_unit, starts_on, ends_on)``. The figure is counted in SQL with that same ``Q``
(conditional aggregation, a fixed few queries per section whatever the record count) and its
records are re-selected from it at any time, so a number in the report is traced back to the
records without freezing id lists. ``summaries/`` asks this registry and never imports a domain
app's models.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Substr

_SECTIONS: dict[str, tuple[int, str, Callable]] = {}
_SELECTIONS: dict[str, Callable] = {}
_BY_UNIT: dict[str, Callable] = {}


@dataclass(frozen=True)
class Selection:
    """The records behind figures: ``model.objects.filter(q)``; ``field`` is what is counted
    (``pk``, or e.g. the member id for figures of people)."""

    model: type
    q: Q
    field: str = "pk"

    def queryset(self):
        return self.model._default_manager.filter(self.q)

    def counted(self):
        """What the figure counts, selected again: the record ids (or e.g. member ids), sorted."""
        return self.queryset().order_by(self.field).values_list(self.field, flat=True).distinct()

    def describe(self):
        return f"{self.model._meta.label_lower}: {self.q}" + ("" if self.field == "pk" else f" → {self.field}")


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | Decimal | float | None
    unit: str = ""
    records: str = ""  # the name of the section's selection behind the figure
    definition: str = ""
    prose: str = ""  # the name a sentence of the report uses, when the label is not one (e.g. "劳动报酬/欠薪")


@dataclass
class Section:
    key: str
    title: str
    figures: dict[str, Figure] = field(default_factory=dict)
    breakdowns: dict[str, list[Figure]] = field(default_factory=dict)
    selections: dict[str, Selection] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # records per selection (by its field)

    def tally(self, **kwargs):
        """``tally()`` over this section's selections, remembering how many records each holds."""
        row = tally(self.selections, **kwargs)
        self.counts.update({name: row[name] for name in kwargs.get("counts", ())})
        return row

    def add(self, figure: Figure) -> Figure:
        self.figures[figure.key] = figure
        return figure

    def __getitem__(self, key):
        return self.figures[key]

    def selection(self, key) -> Selection:
        """The selection behind figure ``key`` (or a breakdown's figure)."""
        every = dict(self.figures)
        every.update({f.key: f for figs in self.breakdowns.values() for f in figs})
        return self.selections[every[key].records]

    def records(self, key) -> tuple:
        """The ids behind figure ``key``, selected again in SQL (for tests and the shell)."""
        return tuple(self.selection(key).counted())


def register(key: str, *, title: str, order: int, selections: Callable, by_unit: Callable):
    """Decorator: ``@register("cases", title="维权服务", order=10, selections=..., by_unit=...)``.

    ``by_unit(org_unit, starts_on, ends_on, prefix_length)`` gives the section's headline figures
    per unit below, in one GROUP BY query: ``{path prefix: {name: value}}``.
    """

    def decorate(func):
        _SECTIONS[key] = (order, title, func)
        _SELECTIONS[key] = selections
        _BY_UNIT[key] = by_unit
        return func

    return decorate


def sections():
    """``[(key, title, func), ...]`` in report order."""
    return [(key, title, func) for key, (order, title, func) in sorted(_SECTIONS.items(), key=lambda kv: kv[1][0])]


def compute(key, org_unit, starts_on, ends_on) -> Section:
    order, title, func = _SECTIONS[key]
    return func(org_unit, starts_on, ends_on)


def selections(key, org_unit, starts_on, ends_on) -> dict[str, Selection]:
    return _SELECTIONS[key](org_unit, starts_on, ends_on)


def by_unit(key, org_unit, starts_on, ends_on, prefix_length):
    return _BY_UNIT[key](org_unit, starts_on, ends_on, prefix_length)


def records(key, name, org_unit, starts_on, ends_on):
    """The records of selection ``name`` of section ``key``: what a snapshot's figure points at."""
    return selections(key, org_unit, starts_on, ends_on)[name].queryset()


# -- helpers every section uses: one way to count, sum, rate and average ---------------------
def _aggregates(chosen, counts, sums, distinct):
    sums, distinct = sums or {}, distinct or {}
    names = set(counts) | {n for n, _ in sums.values()} | {n for n, _ in distinct.values()}
    models = {chosen[n].model for n in names}
    assert len(models) == 1, "tally() aggregates one model per query"
    exprs = {}
    for name in counts:
        sel = chosen[name]
        exprs[name] = Count(sel.field, filter=sel.q, distinct=sel.field != "pk")
    for out, (name, column) in sums.items():
        exprs[out] = Sum(column, filter=chosen[name].q)
    for out, (name, column) in distinct.items():
        exprs[out] = Count(column, filter=chosen[name].q, distinct=True)
    records = models.pop()._default_manager.filter(reduce(or_, (chosen[n].q for n in names)))
    # aliased apart from the model's fields: a figure named like a field ("rehandled") must not
    # shadow that field in another figure's filter
    return records, {ALIAS + name: expr for name, expr in exprs.items()}


ALIAS = "fig__"


def _unalias(row):
    return {name.removeprefix(ALIAS): value for name, value in row.items()}


def _zero_sums(row, sums):
    for out in sums or ():
        if row[out] is None:
            row[out] = 0
    return row


def tally(chosen: dict[str, Selection], *, counts=(), sums=None, distinct=None):
    """Every figure of one model in one query (conditional aggregation).

    ``counts``: selection names, counted by their ``field``; ``sums``: ``{out: (name, column)}``;
    ``distinct``: ``{out: (name, column)}`` — distinct non-null values of ``column``.
    All names must select the same model. Returns ``{out: value}`` (sums default to 0).
    """
    records, exprs = _aggregates(chosen, counts, sums, distinct)
    return _zero_sums(_unalias(records.aggregate(**exprs)), sums)


def tally_by_unit(chosen, path, prefix_length, *, counts=(), sums=None, distinct=None):
    """``tally()`` per unit below, in one GROUP BY on the first ``prefix_length`` characters of
    the records' org-unit ``path``: ``{prefix: {out: value}}`` (units without records absent)."""
    records, exprs = _aggregates(chosen, counts, sums, distinct)
    rows = records.annotate(_unit=Substr(path, 1, prefix_length)).order_by().values("_unit").annotate(**exprs)
    return {row.pop("_unit"): _zero_sums(_unalias(row), sums) for row in rows}


def rate(numerator, denominator):
    """A percentage to one decimal, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def average_days(queryset, start, end):
    """Average of ``end - start`` in days (one decimal) over ``queryset``, computed in SQL."""
    avg = queryset.annotate(_days=ExpressionWrapper(F(end) - F(start), output_field=DurationField())).aggregate(
        avg=Avg("_days")
    )["avg"]
    if avg is None:
        return None
    seconds = avg.total_seconds() if hasattr(avg, "total_seconds") else avg / 1_000_000
    return (Decimal(seconds) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def by_model(chosen: dict[str, Selection]):
    """``{model: {name: selection}}``: the workbook writes one sheet per model."""
    out = defaultdict(dict)
    for name, sel in chosen.items():
        out[sel.model][name] = sel
    return out
