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


def list_url(name, unit, starts, ends):
    """The list of ``name`` filtered to ``unit`` (and below) and records filed between the dates."""
    query = {"unit": unit.pk, "filed_from": starts.isoformat(), "filed_to": ends.isoformat()}
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


def trend(title, unit_word, model, list_name, unit, today):
    """Records of ``model`` filed each month of this year so far, in ``unit`` and below."""
    months = _months(today.year, today)
    counts = dict(
        model._default_manager.filter(
            org_unit__path__startswith=unit.path, filed_on__gte=months[0], filed_on__lte=today
        )
        .annotate(month=TruncMonth("filed_on"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    counts = {(m.date() if isinstance(m, datetime.datetime) else m): n for m, n in counts.items()}
    chart = Trend(title=title, unit=unit_word)
    top = max(counts.values(), default=0) or 1
    slot = WIDTH / len(months)
    for i, first in enumerate(months):
        value = counts.get(first, 0)
        height = (HEIGHT - TOP - BOTTOM) * value / top
        chart.bars.append(
            Bar(
                month=first.month,
                value=value,
                url=list_url(list_name, unit, first, min(_month_end(first), today)),
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
    from aid.models import AidApplication
    from cases.models import GrievanceCase
    from proposals.models import Proposal

    return [
        trend("劳动争议受理登记", "件", GrievanceCase, "cases:list", unit, today),
        trend("困难帮扶申请", "件", AidApplication, "aid:list", unit, today),
        trend("职代会提案", "件", Proposal, "proposals:list", unit, today),
    ]
