"""The report's sentences, rendered from editable templates (templates/summaries/report/*.txt).

Every sentence is true of the records: a clause whose figure is 0 is left out, a chapter without
records is not written, a comparison is made only with a period that has records, and the words
for the period (半年来 / 一年来, 下半年工作打算 / 2027年工作计划) follow the period.
"""

from django.template.loader import render_to_string

KIND_TEXT = {"H1": "上半年", "H2": "下半年", "FY": "全年"}

# what each section's work is called in the opening paragraph, in report order
WORK = {"cases": "劳动争议调解", "aid": "困难职工帮扶", "proposals": "职代会提案"}

# the figures that show a section has records to write about (carried-over work counts too)
RECORDS = {
    "cases": ("received", "carried_in"),
    "aid": ("times", "model_workers", "files_opened", "files_lifted", "carried_out"),
    "proposals": ("received", "carried_in"),
}


def period_words(period):
    """The words that follow the period: ``{"since": "半年来" | "一年来", "plans_title":
    "下半年工作打算" | "<next year>年工作计划"}``."""
    half = period.kind in ("H1", "H2")
    return {
        "since": "半年来" if half else "一年来",
        "plans_title": "下半年工作打算" if period.kind == "H1" else f"{period.year + 1}年工作计划",
    }


def _values(section):
    return {key: fig["value"] for key, fig in section["figures"].items()}


def _said(value):
    return value not in (0, None, "", "0", "0.0", "0.00")


def _nonzero(figures):
    return [dict(f, prose=f.get("prose") or f["label"].split("/")[0]) for f in figures if _said(f["value"])]


def has_records(snapshot, key):
    """Whether section ``key`` of ``snapshot`` has any record to write about."""
    section = (snapshot.get("sections") or {}).get(key)
    if not section:
        return False
    figures = section["figures"]
    return any(_said((figures.get(name) or {}).get("value")) for name in RECORDS.get(key, ()))


def _work(present):
    names = [WORK[key] for key in WORK if key in present]
    if len(names) > 1:
        return "、".join(names[:-1]) + "和" + names[-1]
    return "".join(names)


def _with_people(types, figures):
    """Each aid type's amount with the people it relieved by their own application (``people``,
    ``measure``), where the snapshot holds that figure (reports closed before it have not)."""
    out = []
    for f in types:
        people = figures.get(f"{f['key']}_people") or {}
        out.append({**f, "people": people.get("value") or 0, "measure": people.get("unit", "人")})
    return out


def context(snapshot, period):
    sections = snapshot["sections"]
    cmp = snapshot.get("comparisons", {})
    present = {key for key in sections if has_records(snapshot, key)}
    return {
        "unit": snapshot["unit"],
        "period_text": f"{period.year}年{KIND_TEXT[period.kind]}",
        "words": period_words(period),
        "has": {key: key in present for key in WORK},
        "work": _work(present),
        "c": _values(sections["cases"]),
        "a": _values(sections["aid"]),
        "p": _values(sections["proposals"]),
        "categories": _nonzero(sections["cases"]["breakdowns"]["by_category"]),
        "types": _with_people(_nonzero(sections["aid"]["breakdowns"]["by_type"]), sections["aid"]["figures"]),
        "cmp_last": {**cmp.get("last_year", {}).get("cases", {}), **cmp.get("last_year", {}).get("aid", {})},
        "cmp_prev": {**cmp.get("previous", {}).get("cases", {}), **cmp.get("previous", {}).get("aid", {})},
    }


def paragraph(name, ctx):
    """Render one narrative template; each line is a paragraph (none for a chapter without records)."""
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
