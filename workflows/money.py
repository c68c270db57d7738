"""The one money formatter: amounts are Decimal 元; documents write them in figures and in 大写."""

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
BIG_UNITS = ["", "万", "亿", "万亿"]


def to_cents(amount) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def yuan(amount) -> str:
    """``Decimal("11500")`` → ``"11500元"``; ``Decimal("860.5")`` → ``"860.50元"``."""
    value = to_cents(amount)
    return f"{int(value)}元" if value == value.to_integral_value() else f"{value}元"


def exact_yuan(amount) -> str:
    """To the fen with thousands separators, for tables: ``101700`` → ``"101,700.00元"``."""
    return f"{to_cents(amount):,.2f}元"


def grouped_yuan(amount) -> str:
    """Exact with thousands separators, the same on every database (PostgreSQL sums carry the
    column's scale, SQLite's do not): ``138600.00`` → ``"138,600元"``; ``1234.5`` → ``"1,234.50元"``."""
    value = to_cents(amount)
    return f"{int(value):,}元" if value == value.to_integral_value() else f"{value:,.2f}元"


def report_amount(amount) -> str:
    """An amount the way union reports write it: ``9999元``, ``1万元``, ``1.5万元``, ``1.15万元``,
    ``4万余元`` (rounded down, under a million), ``340余万元`` (a million and more)."""
    value = to_cents(amount)
    if value < 10000:
        return yuan(value)
    wan = value / 10000
    exact = wan.normalize()
    if exact == exact.quantize(Decimal("0.01")):
        text = format(exact.quantize(Decimal("0.01")).normalize(), "f")
        return f"{text}万元"
    whole = int(wan)  # rounded down: "余" says there is more
    return f"{whole}余万元" if whole >= 100 else f"{whole}万余元"


def report_rate(rate) -> str:
    """``Decimal("98.0")`` → ``98%``; ``84.1`` → ``84.1%``."""
    value = Decimal(rate).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return f"{text}%"


def _four_digits(n: int) -> str:
    out, zero = "", False
    for i in range(3, -1, -1):
        d = n // 10**i % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[d] + SMALL_UNITS[i]
    return out


def rmb_upper(amount) -> str:
    """人民币大写 as written on a 调解协议书: ``11500`` → ``壹万壹仟伍佰元整``."""
    value = to_cents(amount)
    if value < 0:
        raise ValueError("negative amount")
    integer, cents = divmod(int(value * 100), 100)
    parts, group, need_zero = [], 0, False
    while integer > 0:
        chunk = integer % 10000
        if chunk:
            text = _four_digits(chunk) + BIG_UNITS[group]
            if need_zero:
                text += "零"
            parts.insert(0, text)
            need_zero = chunk < 1000
        elif parts:
            need_zero = True
        integer //= 10000
        group += 1
    words = "".join(parts).rstrip("零")
    words = (words or "零") + "元"
    jiao, fen = divmod(cents, 10)
    if not cents:
        return words + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif words != "零元":
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    return words.removeprefix("零元") if words.startswith("零元") and cents else words
