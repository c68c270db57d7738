"""Collect every section's figures for a unit and period into a JSON snapshot, plus the
comparisons that exist (same period last year, the period before) and a by-unit table.

The snapshot holds figures and, for each, the name of the selection that picks its records (with
the selection's query written out), never id lists: its size does not grow with the record count.
``records()`` selects a figure's records again in SQL, for the drill-down page, the API and the
workbook.
"""

import datetime
from decimal import Decimal

from workflows import summary
from workflows.models import OrgUnit
from workflows.summary import sections

HEADLINES = {  # figures compared 同比/环比 and listed per unit in a roll-up
    "cases": ["received", "successful", "success_rate"],
    "aid": ["people", "amount"],
    "proposals": ["received", "answered", "satisfaction_rate"],
}


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def _figure(fig):
    return {
        "label": str(fig.label),
        "value": _plain(fig.value),
        "unit": fig.unit,
        "records": fig.records,
        "definition": str(fig.definition),
        "prose": str(fig.prose or fig.label),
    }


def section_snapshot(section):
    used = {f.records for f in section.figures.values()} | {
        f.records for figs in section.breakdowns.values() for f in figs
    }
    return {
        "title": str(section.title),
        "figures": {key: _figure(fig) for key, fig in section.figures.items()},
        "breakdowns": {name: [dict(_figure(f), key=f.key) for f in figs] for name, figs in section.breakdowns.items()},
        "selections": {
            name: {"query": section.selections[name].describe(), "count": section.counts.get(name)}
            for name in sorted(used)
        },
    }


def compute(org_unit, starts_on, ends_on, *, progress=None):
    out = {}
    registered = sections()
    for i, (key, _title, func) in enumerate(registered, 1):
        out[key] = section_snapshot(func(org_unit, starts_on, ends_on))
        if progress:
            progress(i / len(registered))
    return out


def shift_year(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def headlines_of(sections_snapshot):
    return {
        key: {
            name: sections_snapshot[key]["figures"][name]["value"]
            for name in names
            if name in sections_snapshot[key]["figures"]
        }
        for key, names in HEADLINES.items()
        if key in sections_snapshot
    }


def _headlines(org_unit, starts_on, ends_on):
    """The headline figures of a unit and dates: from that period's finished report when there is
    one (the figures the union reported then), else computed."""
    from .models import Report

    done = (
        Report.objects.filter(
            org_unit=org_unit,
            period__starts_on=starts_on,
            period__ends_on=ends_on,
            status=Report.Status.DONE,
        )
        .values_list("snapshot", flat=True)
        .first()
    )
    if done and done.get("sections"):
        return headlines_of(done["sections"])
    return headlines_of(compute(org_unit, starts_on, ends_on))


# what a unit without records shows: the figures of an empty section
EMPTY = {
    "cases": {"received": 0, "successful": 0, "success_rate": None},
    "aid": {"people": 0, "amount": Decimal("0")},
    "proposals": {"received": 0, "answered": 0, "satisfaction_rate": None},
}


def units_table(org_unit, starts_on, ends_on):
    """The headline figures of each unit directly below ``org_unit``: one GROUP BY per section."""
    children = list(OrgUnit.objects.filter(parent=org_unit).order_by("path").values_list("name", "path"))
    if not children:
        return []
    length = len(children[0][1])  # a path is one fixed-width segment per level
    assert all(len(path) == length for _name, path in children)
    grouped = {key: summary.by_unit(key, org_unit, starts_on, ends_on, length) for key, _title, _f in sections()}
    return [
        {
            "name": name,
            **{
                key: {k: _plain(v) for k, v in rows.get(path, EMPTY[key]).items()}
                for key, rows in grouped.items()
                if key in HEADLINES
            },
        }
        for name, path in children
    ]


def is_current(snapshot):
    """Whether ``snapshot`` has this shape (selections, not the id lists stored before #14): an
    older one is computed afresh before its documents are written again."""
    sections_ = (snapshot or {}).get("sections") or {}
    return bool(sections_) and all("selections" in section for section in sections_.values())


def _has_data(headlines):
    return any(v not in (None, 0, "0", "0.00") for values in headlines.values() for v in values.values())


def collect(org_unit, period, *, progress=None):
    """The whole snapshot of a report: figures, comparisons where data exists, the by-unit table."""
    snapshot = {
        "unit": org_unit.name,
        "unit_id": org_unit.pk,
        "period": period.label,
        "starts_on": str(period.starts_on),
        "ends_on": str(period.ends_on),
    }
    snapshot["sections"] = compute(org_unit, period.starts_on, period.ends_on, progress=progress)
    comparisons = {}
    last_year = _headlines(org_unit, shift_year(period.starts_on, -1), shift_year(period.ends_on, -1))
    if _has_data(last_year):
        comparisons["last_year"] = last_year
    length = period.ends_on - period.starts_on + datetime.timedelta(days=1)
    before_end = period.starts_on - datetime.timedelta(days=1)
    if period.kind != "FY":
        before = _headlines(org_unit, before_end - length + datetime.timedelta(days=1), before_end)
        if _has_data(before):
            comparisons["previous"] = before
    snapshot["comparisons"] = comparisons
    snapshot["units"] = units_table(org_unit, period.starts_on, period.ends_on)
    return snapshot


def find_figure(snapshot, section_key, figure_key):
    section = snapshot["sections"][section_key]
    if figure_key in section["figures"]:
        return section["figures"][figure_key]
    for figs in section["breakdowns"].values():
        for fig in figs:
            if fig["key"] == figure_key:
                return fig
    raise KeyError(figure_key)


def records(snapshot, section_key, figure_key, *, org_unit=None):
    """The records behind a snapshot's figure, selected again in SQL (a queryset, never a list).
    Raises KeyError for a figure the snapshot does not hold."""
    fig = find_figure(snapshot, section_key, figure_key)
    org_unit = org_unit or OrgUnit.objects.get(pk=snapshot["unit_id"])
    starts_on = datetime.date.fromisoformat(snapshot["starts_on"])
    ends_on = datetime.date.fromisoformat(snapshot["ends_on"])
    return summary.selections(section_key, org_unit, starts_on, ends_on)[fig["records"]]


def differences(old, new):
    """Figures whose value changed between two snapshots: a later correction shows as a difference."""
    changed = []
    for key, section in (new.get("sections") or {}).items():
        for name, fig in section["figures"].items():
            before = ((old.get("sections") or {}).get(key, {}).get("figures", {}).get(name) or {}).get("value")
            if before != fig["value"]:
                changed.append(
                    {
                        "section": section["title"],
                        "label": fig["label"],
                        "reported": before,
                        "now": fig["value"],
                        "unit": fig["unit"],
                    }
                )
    return changed
