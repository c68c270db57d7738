"""数据看板 at a glance: headline figures with their change against last year, and monthly trends
drawn as bar charts (server-rendered SVG, no script), each bar a link to the records behind it.

The headline figures are the report's own (``summaries.figures.compute``); the trends count the
records filed each month in the unit and the units below it — one aggregate query per flow.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse

from workflows.money import report_amount, report_rate

# (section, figure, the list its records are in): the figures a chair reads first
HEADLINES = (
    ("cases", "received", "cases:list"),
    ("cases", "success_rate", "cases:list"),
    ("cases", "within_limit_rate", "cases:list"),
    ("aid", "amount", "aid:list"),
    ("aid", "people", "aid:list"),
    ("proposals", "received", "proposals:list"),
    ("proposals", "answered", "proposals:list"),
)


@dataclass
class Headline:
    label: str
    shown: str
    change: str  # "较去年同期增长12%", "与去年同期持平", "无上年数据", or ""
    url: str
    definition: str = ""


def _shown(fig):
    value, unit = fig.get("value"), fig.get("unit")
    if value in (None, ""):
        return "—"
    if unit == "元":
        return report_amount(Decimal(str(value)))
    if unit == "%":
        return report_rate(Decimal(str(value)))
    return f"{value}{unit}"


def _change(now, before, unit):
    if now in (None, "") or before in (None, ""):
        return ""
    now, before = Decimal(str(now)), Decimal(str(before))
    if unit == "%":  # a rate changes by points, not by a percentage of itself
        delta = now - before
        if delta == 0:
            return "与去年同期持平"
        return f"较去年同期{'提高' if delta > 0 else '下降'}{abs(delta):.1f}个百分点".replace(".0个", "个")
    if before == 0:
        return "去年同期为0" if now else "与去年同期持平"
    delta = (now - before) * 100 / before
    if delta == 0:
        return "与去年同期持平"
    return f"较去年同期{'增长' if delta > 0 else '下降'}{report_rate(abs(delta))}"


def list_url(name, unit, starts, ends, **extra):
    """The list of ``name`` filtered to ``unit`` (and below) and records dated between the dates
    (filed, unless ``extra`` says ``dated=``), with any further filters in ``extra``."""
    query = {"unit": unit.pk, "filed_from": starts.isoformat(), "filed_to": ends.isoformat(), **extra}
    return f"{reverse(name)}?{urlencode(query)}"


def headlines(live, last_year, last_has, unit, starts, today):
    cards = []
    for section, code, list_name in HEADLINES:
        fig = live.get(section, {}).get("figures", {}).get(code)
        if fig is None:
            continue
        before = last_year.get(section, {}).get("figures", {}).get(code, {})
        change = (
            _change(fig.get("value"), before.get("value"), fig.get("unit")) if last_has.get(section) else "无上年数据"
        )
        cards.append(
            Headline(
                label=fig["label"],
                shown=_shown(fig),
                change=change,
                url=list_url(list_name, unit, starts, today),
                definition=fig.get("definition", ""),
            )
        )
    return cards


# --- monthly trends --------------------------------------------------------------------------------
WIDTH, HEIGHT, TOP, BOTTOM = 360, 150, 20, 22  # the SVG's user units; it scales to its card


@dataclass
class Bar:
    month: int
    value: int
    url: str
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    label_x: float = 0
    value_y: float = 0


@dataclass
class Trend:
    title: str
    unit: str
    bars: list = field(default_factory=list)

    @property
    def total(self):
        return sum(bar.value for bar in self.bars)

    @property
    def aria(self):
        parts = "，".join(f"{bar.month}月{bar.value}{self.unit}" for bar in self.bars)
        return f"{self.title}（按月）：{parts}"

    width, height, baseline, month_y = WIDTH, HEIGHT, HEIGHT - BOTTOM, HEIGHT - 6


def _months(year, upto):
    return [datetime.date(year, month, 1) for month in range(1, upto.month + 1)]


def _month_end(first):
    nxt = datetime.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)


def trend(title, unit_word, records, list_name, unit, today, *, date_field="filed_on", dated=""):
    """``records`` (in ``unit`` and below) counted by the month of ``date_field``, this year so far;
    each bar links to its list filtered the same way (``dated``: the list's name for that date)."""
    months = _months(today.year, today)
    counts = dict(
        records.filter(
            org_unit__path__startswith=unit.path,
            **{f"{date_field}__gte": months[0], f"{date_field}__lte": today},
        )
        .annotate(month=TruncMonth(date_field))
        .values_list("month")
        .annotate(n=Count("pk", distinct=True))
        .values_list("month", "n")
    )
    counts = {(m.date() if isinstance(m, datetime.datetime) else m): n for m, n in counts.items()}
    chart = Trend(title=title, unit=unit_word)
    top = max(counts.values(), default=0) or 1
    slot = WIDTH / len(months)
    extra = {"dated": dated} if dated else {}
    for i, first in enumerate(months):
        value = counts.get(first, 0)
        height = (HEIGHT - TOP - BOTTOM) * value / top
        chart.bars.append(
            Bar(
                month=first.month,
                value=value,
                url=list_url(list_name, unit, first, min(_month_end(first), today), **extra),
                x=round(i * slot + slot * 0.18, 1),
                width=round(slot * 0.64, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                height=round(height, 1),
                label_x=round(i * slot + slot / 2, 1),
                value_y=round(HEIGHT - BOTTOM - height - 5, 1),
            )
        )
    return chart


def trends(unit, today):
    """Filed, concluded and paid, month by month: what came in and what was done with it."""
    from aid.models import AidApplication
    from aid.selectors import DATE_FIELDS as AID_DATES
    from cases.models import GrievanceCase
    from cases.selectors import DATE_FIELDS as CASE_DATES
    from proposals.models import Proposal

    cases = GrievanceCase.objects.all()
    applications = AidApplication.objects.all()
    concluded_on, concluded = CASE_DATES["concluded"]
    paid_on, paid = AID_DATES["paid"]
    return [
        trend("劳动争议受理登记", "件", cases, "cases:list", unit, today),
        trend(
            "劳动争议调解办结",
            "件",
            cases.filter(concluded),
            "cases:list",
            unit,
            today,
            date_field=concluded_on,
            dated="concluded",
        ),
        trend("困难帮扶申请", "件", applications, "aid:list", unit, today),
        trend(
            "困难帮扶发放",
            "笔",
            applications.filter(paid),
            "aid:list",
            unit,
            today,
            date_field=paid_on,
            dated="paid",
        ),
        trend("职代会提案", "件", Proposal.objects.all(), "proposals:list", unit, today),
    ]


# --- breakdowns: horizontal bars ---------------------------------------------------------------------
ROW, LABEL_W, VALUE_W = 24, 110, 44


@dataclass
class Row:
    label: str
    value: int
    url: str
    y: float = 0
    width: float = 0
    text_y: float = 0


@dataclass
class Breakdown:
    title: str
    unit: str
    rows: list = field(default_factory=list)

    width, label_w = WIDTH, LABEL_W

    @property
    def height(self):
        return max(len(self.rows), 1) * ROW + 4

    @property
    def total(self):
        return sum(row.value for row in self.rows)

    @property
    def aria(self):
        parts = "，".join(f"{row.label}{row.value}{self.unit}" for row in self.rows)
        return f"{self.title}：{parts}"

    @property
    def value_x(self):
        return WIDTH - VALUE_W + 4


def breakdown(title, unit_word, rows):
    """``rows``: (label, value, url), drawn largest first; rows of 0 are left out."""
    chart = Breakdown(title=title, unit=unit_word)
    rows = sorted((r for r in rows if r[1]), key=lambda r: -r[1])
    top = max((r[1] for r in rows), default=0) or 1
    span = WIDTH - LABEL_W - VALUE_W
    for i, (label, value, url) in enumerate(rows):
        chart.rows.append(
            Row(
                label=label,
                value=value,
                url=url,
                y=i * ROW + 4,
                width=round(max(span * value / top, 1), 1),
                text_y=i * ROW + 4 + ROW * 0.62,
            )
        )
    return chart


def cases_by_category(live, unit, starts, today):
    """The period's disputes by category, each bar the list of that category's records."""
    rows = [
        (row["prose"] or row["label"], int(row["value"] or 0),
         list_url("cases:list", unit, starts, today, category=row["key"].removeprefix("category_")))
        for row in live.get("cases", {}).get("breakdowns", {}).get("by_category", [])
    ]  # fmt: skip
    return breakdown("劳动争议按类别", "件", rows)


def cases_by_unit(unit, starts, today):
    """The period's disputes by the unions directly below ``unit`` (one query, folded by path)."""
    from cases.models import GrievanceCase
    from workflows.models import OrgUnit

    children = list(OrgUnit.objects.filter(parent=unit).only("pk", "name", "path").order_by("path"))
    if not children:
        return None
    counts = (
        GrievanceCase.objects.filter(org_unit__path__startswith=unit.path, filed_on__gte=starts, filed_on__lte=today)
        .values_list("org_unit__path")
        .annotate(n=Count("pk"))
        .values_list("org_unit__path", "n")
    )
    per_child = {child.pk: 0 for child in children}
    for path, n in counts:
        for child in children:
            if path.startswith(child.path):
                per_child[child.pk] += n
                break
    rows = [(child.name, per_child[child.pk], list_url("cases:list", child, starts, today)) for child in children]
    return breakdown("劳动争议按单位", "件", rows)
