"""Charts for the report (matplotlib, with a CJK font from Debian's fonts-wqy-microhei).

Only charts that help: a chart needs at least two non-zero categories, a pie only when no slice is
nearly everything (a bar chart with its values printed reads better then), and everything reads when
printed in greyscale — one dark grey for bars, grey levels with hatches for slices, values printed.
"""

import functools
import io
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

CJK_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
BAR = "#404040"
# Slices told apart without colour: grey levels from dark to light, each with its own hatch.
SLICES = [("#262626", ""), ("#7f7f7f", "//"), ("#bfbfbf", ".."), ("#e6e6e6", "xx"), ("#ffffff", "\\\\")]
DOMINANT_SHARE = 0.8  # a slice this large makes a pie say nothing the sentence does not
MIN_CATEGORIES = 2


class Chart(NamedTuple):
    section: str  # the report section it illustrates
    title: str  # the caption without its number: the document numbers figures in order
    png: bytes
    width_cm: float


@functools.cache
def _setup():
    """Register the CJK face once per process; without it Chinese renders as boxes."""
    for path in CJK_FONTS:
        if Path(path).exists():
            font_manager.fontManager.addfont(path)
            family = font_manager.FontProperties(fname=path).get_name()
            plt.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
            break
    plt.rcParams["axes.unicode_minus"] = False


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _number(value):
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def _nonzero(parts):
    return [(label, float(Decimal(str(value)))) for label, value in parts if value and Decimal(str(value))]


def bar(parts, unit):
    """Horizontal bars, largest category first, each with its value printed; None when fewer than
    two categories are non-zero."""
    data = sorted(_nonzero(parts), key=lambda part: -part[1])
    if len(data) < MIN_CATEGORIES:
        return None
    _setup()
    labels, values = zip(*data, strict=True)
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(data) + 1.0))
    bars = ax.barh(labels[::-1], values[::-1], color=BAR)
    ax.bar_label(bars, labels=[_number(v) for v in values[::-1]], padding=3, fontsize=10)
    ax.set_xlabel(unit)
    ax.margins(x=0.12)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def pie_or_bar(parts, unit):
    """A pie of the parts of a whole, or bars when one part is nearly all of it; None when fewer than
    two parts are non-zero.  Returns ``(kind, png)``."""
    data = _nonzero(parts)
    if len(data) < MIN_CATEGORIES:
        return None, None
    total = sum(v for _label, v in data)
    if max(v for _label, v in data) / total >= DOMINANT_SHARE or len(data) > len(SLICES):
        return "bar", bar(parts, unit)
    _setup()
    labels, values = zip(*data, strict=True)
    fig, ax = plt.subplots(figsize=(4.8, 3.4))
    wedges, _texts = ax.pie(
        values,
        labels=[f"{label} {_number(v)}{unit}（{v / total:.0%}）" for label, v in data],
        colors=[shade for shade, _hatch in SLICES[: len(values)]],
        wedgeprops={"edgecolor": "black", "linewidth": 0.8},
        startangle=90,
        counterclock=False,
        textprops={"fontsize": 11},
    )
    for wedge, (_shade, hatch) in zip(wedges, SLICES, strict=False):
        wedge.set_hatch(hatch)
    ax.axis("equal")
    return "pie", _png(fig)


def render(snapshot):
    """The charts the data supports, in report order (``Chart`` tuples)."""
    s = snapshot["sections"]
    c, p = s["cases"]["figures"], s["proposals"]["figures"]

    def v(figs, key):
        return figs[key]["value"] or 0

    def parts(figures):
        # Name a category as the narrative does (prose), not by its slash label.
        return [(f.get("prose") or f["label"], f["value"]) for f in figures]

    charts = [("cases", "劳动争议按类型分布（起）", "bar", bar(parts(s["cases"]["breakdowns"]["by_category"]), "起"))]
    kind, png = pie_or_bar(
        [
            ("调解成功", v(c, "successful")),
            ("调解不成", v(c, "failed")),
            ("撤回", v(c, "withdrawn")),
            ("不予受理", v(c, "rejected")),
            ("在办", v(c, "open")),
        ],
        "件",
    )
    charts.append(("cases", "劳动争议调处结果（件）", kind, png))
    charts.append(("aid", "帮扶资金按类型分布（元）", "bar", bar(parts(s["aid"]["breakdowns"]["by_type"]), "元")))
    kind, png = pie_or_bar(
        [
            ("满意", v(p, "satisfaction_satisfied")),
            ("基本满意", v(p, "satisfaction_fairly")),
            ("不满意", v(p, "satisfaction_unsatisfied")),
            ("未反馈", v(p, "satisfaction_none")),
        ],
        "件",
    )
    charts.append(("proposals", "提案答复满意度（件）", kind, png))
    return [Chart(section, title, png, 11 if kind == "pie" else 14) for section, title, kind, png in charts if png]
