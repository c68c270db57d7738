"""Charts for the report (matplotlib, with a CJK font from Debian's fonts-wqy-microhei)."""

import io
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

CJK_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
RED = "#b3202a"


def _setup():
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


def _bar(title, figures, unit):
    data = [(f["label"], float(Decimal(str(f["value"])))) for f in figures if f["value"] not in (0, None, "0", "0.00")]
    if not data:
        return None
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    labels, values = zip(*data, strict=True)
    bars = ax.barh(labels[::-1], values[::-1], color=RED)
    ax.bar_label(bars, labels=[f"{v:g}" for v in values[::-1]], padding=3, fontsize=9)
    ax.set_title(title, fontsize=12)
    ax.set_xlabel(unit)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def _pie(title, parts):
    data = [(label, value) for label, value in parts if value]
    if not data:
        return None
    fig, ax = plt.subplots(figsize=(4.8, 3.2))
    labels, values = zip(*data, strict=True)
    colors = ["#b3202a", "#e0884a", "#f2c14e", "#8fb8de", "#9e9e9e"][: len(values)]
    ax.pie(
        values,
        labels=[f"{label} {value}" for label, value in data],
        colors=colors,
        startangle=90,
        counterclock=False,
        textprops={"fontsize": 9},
    )
    ax.set_title(title, fontsize=12)
    return _png(fig)


def render(snapshot):
    """``[(caption, png_bytes), ...]`` for the charts the data supports."""
    _setup()
    s = snapshot["sections"]
    c, p = s["cases"]["figures"], s["proposals"]["figures"]

    def v(figs, key):
        return figs[key]["value"] or 0

    charts = [
        ("图1 劳动争议按类型分布（起）", _bar("劳动争议按类型分布", s["cases"]["breakdowns"]["by_category"], "起")),
        (
            "图2 劳动争议调处结果（件）",
            _pie(
                "调处结果",
                [
                    ("调解成功", v(c, "successful")),
                    ("调解不成", v(c, "failed")),
                    ("撤回", v(c, "withdrawn")),
                    ("不予受理", v(c, "rejected")),
                    ("在办", v(c, "open")),
                ],
            ),
        ),
        ("图3 帮扶资金按类型分布（元）", _bar("帮扶资金按类型分布", s["aid"]["breakdowns"]["by_type"], "元")),
        (
            "图4 提案答复满意度（件）",
            _pie(
                "提案答复满意度",
                [
                    ("满意", v(p, "satisfaction_satisfied")),
                    ("基本满意", v(p, "satisfaction_fairly")),
                    ("不满意", v(p, "satisfaction_unsatisfied")),
                    ("未反馈", v(p, "satisfaction_none")),
                ],
            ),
        ),
    ]
    return [(caption, png) for caption, png in charts if png]


def width_cm(caption):
    """Bars read at full width; a pie is narrower."""
    return 9 if ("结果" in caption or "满意度" in caption) else 14
