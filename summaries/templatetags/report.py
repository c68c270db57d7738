from decimal import Decimal

from django import template

from workflows.money import report_amount, report_rate

register = template.Library()


@register.filter
def amount(value):
    return report_amount(Decimal(str(value or 0)))


@register.filter
def rate(value):
    return "" if value in (None, "") else report_rate(Decimal(str(value)))


@register.filter
def num(value):
    """A count as the report writes it (0 when there is none)."""
    return value or 0


@register.filter
def change(now, before):
    """同比/环比 in words: 增长12.5% / 下降3% / 持平; empty when there is nothing to compare."""
    if before in (None, "", 0, "0") or now in (None, ""):
        return ""
    now, before = Decimal(str(now)), Decimal(str(before))
    if before == 0:
        return ""
    delta = (now - before) * 100 / before
    if delta == 0:
        return "持平"
    return f"{'增长' if delta > 0 else '下降'}{report_rate(abs(delta))}"


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key) or {}
