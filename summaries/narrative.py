"""The report's sentences, rendered from editable templates (templates/summaries/report/*.txt)."""

from django.template.loader import render_to_string

KIND_TEXT = {"H1": "上半年", "H2": "下半年", "FY": "全年"}


def _values(section):
    return {key: fig["value"] for key, fig in section["figures"].items()}


def _nonzero(figures):
    return [f for f in figures if f["value"] not in (0, None, "0", "0.00")]


def context(snapshot, period):
    sections = snapshot["sections"]
    cmp = snapshot.get("comparisons", {})
    return {
        "unit": snapshot["unit"],
        "period_text": f"{period.year}年{KIND_TEXT[period.kind]}",
        "c": _values(sections["cases"]),
        "a": _values(sections["aid"]),
        "p": _values(sections["proposals"]),
        "categories": _nonzero(sections["cases"]["breakdowns"]["by_category"]),
        "types": _nonzero(sections["aid"]["breakdowns"]["by_type"]),
        "cmp_last": {**cmp.get("last_year", {}).get("cases", {}), **cmp.get("last_year", {}).get("aid", {})},
        "cmp_prev": {**cmp.get("previous", {}).get("cases", {}), **cmp.get("previous", {}).get("aid", {})},
    }


def paragraph(name, ctx):
    """Render one narrative template; each line is a paragraph."""
    text = render_to_string(f"summaries/report/{name}.txt", ctx)
    return [line.strip() for line in text.splitlines() if line.strip()]


def chinese_date(day):
    digits = "〇一二三四五六七八九"
    year = "".join(digits[int(d)] for d in str(day.year))

    def number(n):
        if n < 10:
            return digits[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")

    return f"{year}年{number(day.month)}月{number(day.day)}日"
