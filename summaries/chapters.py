"""The report as chapters: the system drafts each generated paragraph, the chair's own text replaces it.

``Report.chapters`` is a list of chapters::

    {"id": "cases", "title": "坚持以人为本，切实维护职工合法权益",
     "blocks": [{"id": "cases", "subtitle": "劳动争议调解", "source": "cases",
                 "text": None, "against": {}}],
     "figures": [{"id": "f1", "label": "新建工会", "value": "3", "measure": "家",
                  "entered_by": "张主席", "entered_by_id": 7}]}

A block with a ``source`` is drafted by ``narrative.paragraph(source, ctx)``; its ``text`` is the
chair's edit (``None``: the draft is printed), stored with the figure values it was made against
(``against``) so that a later close that changes them flags the edit.  A block without a source is
the chair's own.  A chapter with an empty title is printed without a heading (the opening).
``{label}`` in a block's text prints the chapter's figure of that label as number + measure word.
"""

import copy
import re
import uuid
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from workflows.errors import WorkflowError
from workflows.money import grouped_yuan, report_amount

from . import narrative

MEASURE_WORDS = ("家", "个", "名", "人", "人次", "期", "件", "起", "项", "次", "户", "篇", "场", "元", "万元", "%")
# the snapshot sections whose figures each narrative template reads
SOURCE_SECTIONS = {
    "opening": (),
    "cases": ("cases",),
    "aid": ("aid",),
    "proposals": ("proposals",),
    "problems": ("cases", "aid", "proposals"),
    "plans": (),
    "closing": (),
}
TOKEN = re.compile(r"\{([^{}]+)\}")
MAX_CHAPTERS = 30
MAX_TEXT = 20000

MALFORMED = _("章节格式不正确：%(detail)s")
UNKNOWN_TOKEN = _("“%(chapter)s”中的{%(label)s}没有对应的填报数据，请先在本章添加该数据。")
BAD_FIGURE = _("“%(chapter)s”的填报数据“%(label)s”：%(detail)s")


def problems_opener(period, *, points=True):
    since = narrative.period_words(period)["since"]
    gap = f"{since}，我们虽然做了一些工作，但与上级要求和职工愿望还存在一定差距。"
    return gap + ("主要表现在：" if points else "")


def plans_title(period):
    return narrative.period_words(period)["plans_title"]


def new_id():
    return uuid.uuid4().hex[:8]


def default_chapters(period):
    def block(source, subtitle=""):
        return {"id": source, "subtitle": subtitle, "source": source, "text": None, "against": {}}

    def chapter(cid, title, *blocks):
        return {"id": cid, "title": title, "blocks": list(blocks), "figures": []}

    return [
        chapter("opening", "", block("opening")),
        chapter("cases", "坚持以人为本，切实维护职工合法权益", block("cases", "劳动争议调解")),
        chapter("aid", "积极开展帮扶救助，用心服务困难职工", block("aid", "困难职工帮扶")),
        chapter("proposals", "推进民主管理，畅通职工参与渠道", block("proposals", "职代会提案工作")),
        chapter("problems", "存在的不足", block("problems")),
        chapter("plans", plans_title(period), block("plans"), block("closing")),
    ]


def draft(source, ctx, period):
    """The system's paragraphs for ``source``."""
    lines = narrative.paragraph(source, ctx)
    if source == "problems":
        return [problems_opener(period, points=bool(lines)) + "".join(lines)]
    return lines


def figures_used(source, snapshot):
    """[(section title, key, label, value, unit)] of the figures a source's draft is drawn from."""
    out = []
    for section_key in SOURCE_SECTIONS.get(source, ()):
        section = (snapshot.get("sections") or {}).get(section_key)
        for key, fig in (section or {}).get("figures", {}).items():
            out.append(
                {
                    "key": f"{section_key}.{key}",
                    "label": fig["label"],
                    "value": fig["value"],
                    "unit": fig["unit"],
                    "text": value_text(fig["value"], fig["unit"]),
                }
            )
    return out


def value_text(value, unit):
    """A figure as the page shows it: exact, money with thousands separators (1,234.50元)."""
    if value is None:
        return "—"
    if unit == "元":
        return grouped_yuan(Decimal(str(value)))
    return f"{value}{unit}"


def against(source, snapshot):
    return {f["key"]: f["value"] for f in figures_used(source, snapshot)}


def stale_figures(block, snapshot):
    """The figures an edited block was written against that have changed since: [(label, then, now)]."""
    if block.get("text") is None or not block.get("source") or not snapshot:
        return []
    now = {f["key"]: f for f in figures_used(block["source"], snapshot)}
    stale = []
    for key, then in (block.get("against") or {}).items():
        fig = now.get(key)
        if fig is None or fig["value"] != then:
            stale.append({"label": fig["label"] if fig else key, "then": then, "now": fig["value"] if fig else None})
    return stale


def figure_text(fig):
    if fig["measure"] == "元":
        return report_amount(Decimal(fig["value"]))
    return f"{fig['value']}{fig['measure']}"


def fill(text, chapter):
    by_label = {f["label"]: f for f in chapter.get("figures", [])}
    return TOKEN.sub(lambda m: figure_text(by_label[m.group(1)]) if m.group(1) in by_label else m.group(0), text)


def lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def block_paragraphs(block, chapter, ctx, period):
    if block.get("text") is not None:
        return lines(fill(block["text"], chapter))
    if block.get("source"):
        return draft(block["source"], ctx, period) if ctx is not None else []
    return []


def _said(block, snapshot):
    """Whether ``block`` has something to say: the chair's text, or a draft of a section with records
    (a chapter or clause with nothing to say is left out, narrative.has_records)."""
    if block.get("text") is not None:
        return bool(block["text"].strip())
    if snapshot is None:
        return True
    if block.get("source") in ("cases", "aid", "proposals"):
        return narrative.has_records(snapshot, block["source"])
    return True


def render(chapters, ctx, period, *, snapshot=None):
    """Each chapter with its heading number and its blocks' paragraphs, as the document prints it.

    A chapter holding one titled block prints no lone （一）: the block's paragraphs follow the
    chapter heading.  Given the ``snapshot``, a generated block of a section without records is left
    out, and a chapter left with no block with it (numbers close up)."""
    out, n = [], 0
    for chapter in chapters:
        kept = [b for b in chapter["blocks"] if _said(b, snapshot)]
        if chapter["blocks"] and not kept and not chapter.get("figures"):
            continue
        heading = None
        if chapter["title"]:
            heading = f"{narrative_numeral(n)}、{chapter['title']}"
            n += 1
        titled = [b for b in kept if b.get("subtitle")]
        blocks, i = [], 0
        for block in kept:
            subheading = None
            if block.get("subtitle") and len(titled) > 1:
                subheading = f"（{narrative_numeral(i)}）{block['subtitle']}"
                i += 1
            blocks.append(
                {"block": block, "subheading": subheading, "paragraphs": block_paragraphs(block, chapter, ctx, period)}
            )
        out.append({"chapter": chapter, "heading": heading, "blocks": blocks})
    return out


def narrative_numeral(n):
    numerals = "一二三四五六七八九十"
    if n < 10:
        return numerals[n]
    tens, ones = divmod(n + 1, 10)
    return ("" if tens == 1 else numerals[tens - 1]) + "十" + (numerals[ones - 1] if ones else "")


def as_text(chapters, ctx, period):
    """The whole report as lines, for comparing two versions."""
    out = []
    for chapter in render(chapters, ctx, period):
        if chapter["heading"]:
            out.append(chapter["heading"])
        for block in chapter["blocks"]:
            if block["subheading"]:
                out.append(block["subheading"])
            out.extend(block["paragraphs"])
        for fig in chapter["chapter"].get("figures", []):
            out.append(f"［{entered_text(fig)}］{fig['label']}：{figure_text(fig)}")
    return out


def _number(value):
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
        return None
    number = number.normalize()
    return f"{number:f}"


def clean(data, *, previous, actor):
    """The chapters the chair submitted, checked; ``previous`` supplies what the chair cannot set
    (a block's source, who entered a figure).  Raises WorkflowError saying what is wrong."""

    def bad(detail):
        raise WorkflowError(MALFORMED, detail=detail)

    if not isinstance(data, list) or not data:
        bad("应为非空的章节列表")
    if len(data) > MAX_CHAPTERS:
        bad(f"最多{MAX_CHAPTERS}章")
    old_blocks = {b["id"]: b for c in previous for b in c["blocks"]}
    old_figures = {(c["id"], f["id"]): f for c in previous for f in c.get("figures", [])}
    seen_chapters, seen_blocks, out = set(), set(), []
    for chapter in data:
        if not isinstance(chapter, dict) or not isinstance(chapter.get("blocks"), list):
            bad("每一章应有标题和段落")
        cid = str(chapter.get("id") or new_id())
        if cid in seen_chapters:
            bad(f"章节编号重复：{cid}")
        seen_chapters.add(cid)
        title = chapter.get("title", "")
        if not isinstance(title, str) or len(title) > 60:
            bad("章节标题应为60字以内的文字")
        blocks = []
        for block in chapter["blocks"]:
            if not isinstance(block, dict):
                bad("段落格式不正确")
            bid = str(block.get("id") or new_id())
            if bid in seen_blocks:
                bad(f"段落编号重复：{bid}")
            seen_blocks.add(bid)
            old = old_blocks.get(bid)
            source = old["source"] if old else ""
            text = block.get("text")
            if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
                bad(f"段落内容应为{MAX_TEXT}字以内的文字")
            if text is not None and not text.strip():
                text = None
            if text is None and not source:
                continue  # an empty paragraph of the chair's own is dropped
            subtitle = block.get("subtitle", "")
            if not isinstance(subtitle, str) or len(subtitle) > 40:
                bad("小标题应为40字以内的文字")
            blocks.append(
                {
                    "id": bid,
                    "subtitle": subtitle.strip(),
                    "source": source,
                    "text": text,
                    "against": dict(old.get("against") or {}) if old and text is not None else {},
                    "confirmed": bool(block.get("confirmed")),
                }
            )
        if not blocks and not chapter.get("figures"):
            bad(f"“{title}”没有内容")
        figures, labels = [], set()
        for fig in chapter.get("figures") or []:
            if not isinstance(fig, dict):
                bad("填报数据格式不正确")
            label = str(fig.get("label", "")).strip()
            detail = None
            if not label or len(label) > 30 or TOKEN.search(label) or "{" in label or "}" in label:
                detail = "名称应为30字以内的文字"
            elif label in labels:
                detail = "名称重复"
            elif fig.get("measure") not in MEASURE_WORDS:
                detail = "请从列表中选择量词"
            elif _number(fig.get("value")) is None:
                detail = "数值应为不小于0的数字"
            if detail:
                raise WorkflowError(BAD_FIGURE, chapter=title, label=label, detail=detail)
            labels.add(label)
            fid = str(fig.get("id") or new_id())
            old = old_figures.get((cid, fid))
            value, measure = _number(fig["value"]), fig["measure"]
            unchanged = old and (old["label"], old["value"], old["measure"]) == (label, value, measure)
            who = old if unchanged else {"entered_by": actor_name(actor), "entered_by_id": actor.pk}
            unit = {"entered_unit": old["entered_unit"]} if unchanged and old.get("entered_unit") else {}
            figures.append(
                {
                    "id": fid,
                    "label": label,
                    "value": value,
                    "measure": measure,
                    "entered_by": who["entered_by"],
                    "entered_by_id": who["entered_by_id"],
                    **unit,
                }
            )
        for block in blocks:
            for label in TOKEN.findall(block["text"] or ""):
                if label not in labels:
                    raise WorkflowError(UNKNOWN_TOKEN, chapter=title or "开头", label=label)
        out.append({"id": cid, "title": title.strip(), "blocks": blocks, "figures": figures})
    return out


def entered_text(fig):
    """填报（甲主席录入）, or for a figure taken from a member union 填报（甲公司工会甲主席录入）."""
    return f"填报（{fig.get('entered_unit', '')}{fig['entered_by']}录入）"


def actor_name(user):
    return (user.get_full_name() or user.get_username()).strip()


def stamp(chapters, previous, snapshot):
    """Record, for each edited block whose text changed (or that the chair marked 已核对), the
    figure values it is now written against."""
    old = {b["id"]: b for c in previous for b in c["blocks"]}
    chapters = copy.deepcopy(chapters)
    for chapter in chapters:
        for block in chapter["blocks"]:
            confirmed = block.pop("confirmed", False)
            if block["text"] is None or not block["source"]:
                block["against"] = {}
                continue
            was = old.get(block["id"])
            if confirmed or was is None or was.get("text") != block["text"] or not block["against"]:
                block["against"] = against(block["source"], snapshot or {})
    return chapters


def changes(old, new):
    """What a save changed, in words."""
    out = []
    old_by, new_by = {c["id"]: c for c in old}, {c["id"]: c for c in new}
    for c in new:
        if c["id"] not in old_by:
            out.append(f"新增章节“{c['title']}”")
    for c in old:
        if c["id"] not in new_by:
            out.append(f"删除章节“{c['title']}”")
    kept_old = [c["id"] for c in old if c["id"] in new_by]
    kept_new = [c["id"] for c in new if c["id"] in old_by]
    if kept_old != kept_new:
        out.append("调整章节顺序")
    for c in new:
        was = old_by.get(c["id"])
        if was is None:
            continue
        name = c["title"] or "开头"
        if was["title"] != c["title"]:
            out.append(f"章节“{was['title']}”改为“{c['title']}”")
        old_blocks = {b["id"]: b for b in was["blocks"]}
        for b in c["blocks"]:
            before = old_blocks.get(b["id"])
            if before is None:
                out.append(f"“{name}”新增段落")
            elif before.get("text") != b.get("text"):
                out.append(f"“{name}”{'恢复系统初稿' if b.get('text') is None else '修改段落'}")
            elif before.get("subtitle") != b.get("subtitle"):
                out.append(f"“{name}”修改小标题")
            elif before.get("against") != b.get("against"):
                out.append(f"“{name}”核对数据")
        if {b["id"] for b in was["blocks"]} - {b["id"] for b in c["blocks"]}:
            out.append(f"“{name}”删除段落")
        old_figs = {f["id"]: f for f in was.get("figures", [])}
        for f in c.get("figures", []):
            before = old_figs.get(f["id"])
            if before is None:
                out.append(f"“{name}”填报{f['label']}{figure_text(f)}")
            elif (before["label"], before["value"], before["measure"]) != (f["label"], f["value"], f["measure"]):
                out.append(f"“{name}”{before['label']}{figure_text(before)}改为{f['label']}{figure_text(f)}")
        for fid, f in old_figs.items():
            if fid not in {x["id"] for x in c.get("figures", [])}:
                out.append(f"“{name}”删除填报{f['label']}")
    return out
