from decimal import Decimal, InvalidOperation

from django import template

from workflows.money import report_amount, report_rate

register = template.Library()

ORDINALS = "一二三四五六七八九十"


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
def nonzero(value):
    """Whether a figure (count, amount or rate as stored in the snapshot) says something: not
    None, not empty, not 0 or "0.00"."""
    if value in (None, ""):
        return False
    try:
        return Decimal(str(value)) != 0
    except InvalidOperation:
        return False


@register.filter
def known(value):
    """Whether a figure has a value at all (a rate of 0% is known; one with nothing to divide by is not)."""
    return value not in (None, "")


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


class JoinedNode(template.Node):
    def __init__(self, nodelist, options):
        self.nodelist, self.options = nodelist, options

    def render(self, context):
        parts = [line.strip() for line in self.nodelist.render(context).splitlines()]
        parts = [p for p in parts if p]
        if not parts:
            return ""
        opt = {name: value.resolve(context) for name, value in self.options.items()}
        if opt.get("numbered") and len(parts) > 1:  # 一是……；二是…… (a single point is not numbered)
            parts = [f"{ORDINALS[i]}是{part}" for i, part in enumerate(parts)]
        sep, last = opt.get("sep", "，"), opt.get("last")
        if last and len(parts) > 1:
            body = sep.join(parts[:-1]) + last + parts[-1]
        else:
            body = sep.join(parts)
        return f"{opt.get('start', '')}{body}{opt.get('end', '')}"


@register.tag
def joined(parser, token):
    """Clauses, one a line; the empty ones (a figure with nothing to say) are left out and the rest
    joined, so a sentence never says "其中…0件" nor ends on a dangling "，"::

        {% joined sep="，" start="从办理结果看，" end="。" %}
        {% if c.successful %}调解成功{{ c.successful }}件{% endif %}
        {% if c.failed %}调解不成{{ c.failed }}件{% endif %}
        {% endjoined %}

    ``last`` joins the last two (``last="和"``); ``numbered=True`` writes 一是……；二是……; nothing at
    all is written when every clause is empty.
    """
    bits = token.split_contents()[1:]
    options = {}
    for bit in bits:
        name, _eq, value = bit.partition("=")
        options[name] = parser.compile_filter(value)
    nodelist = parser.parse(("endjoined",))
    parser.delete_first_token()
    return JoinedNode(nodelist, options)
