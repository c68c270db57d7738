"""The text check: what a generated 工作总结 must never say, read off the text and its snapshot.

``problems(text, period, snapshot)`` lists each defect found (an empty list when there is none):
a placeholder or an empty amount, a slash label, a count without its measure word, a clause about
nothing ("其中…0件"), words of the wrong period (一年来 in a half-year), parts that do not add up
to their total, and a sentence about a chapter the period has no records for.  The tests run it
over every report they generate; paragraphs the chair wrote (``chair_text``) are the chair's and
are left to the chair.
"""

import re
from decimal import Decimal

from . import narrative

# what may follow a figure: 余 and 万 in either order (340余万元, 4万余元) then a measure word
# (REPORT_STYLE.md), or a rate
MEASURES = "件起名人户家条项次场笔批元个期所篇类岁天年月日号届倍周时"
NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])")
AFTER = re.compile(rf"^(?:[余多])?(?:[万千百亿])?(?:[余多])?(?:人次|小时|[{MEASURES}%])")
BEFORE_OK = re.compile(r"(?:图|表|附表|第)$")  # 图1, 第3号: a number that names, not counts
PLACEHOLDER = re.compile(r"[xX]{2,}|×{2,}|＊{2,}|\*{2,}|某某|None|nan\b|\{\{|\}\}|\{%|%\}|（\s*）|\(\s*\)")
EMPTY_AMOUNT = re.compile(r"\s元|(?:补助|资金|发放|金额|标的|慰问金|合计|共计|支出)元")
SLASH = re.compile(r"[\u4e00-\u9fff]\s*/\s*[\u4e00-\u9fff]")
ZERO = re.compile(r"(?<![\d.])0(?:\.0+)?(?:人次|[件起名人户家条项笔批个元])")

# words that make a sentence about a section's chapter
KEYWORDS = {"cases": ("劳动争议", "调解"), "aid": ("帮扶", "救助", "慰问"), "proposals": ("提案",)}

WRONG_PERIOD_WORDS = {
    "H1": ("一年来", "年工作计划", "明年工作计划"),
    "H2": ("一年来", "下半年工作打算", "明年工作计划"),
    "FY": ("半年来", "下半年工作打算", "明年工作计划"),
}


def _ints(pattern, text):
    return [int(n) for n in re.findall(pattern, text)]


def _values(snapshot, key):
    section = (snapshot.get("sections") or {}).get(key) or {}
    return {name: fig["value"] for name, fig in (section.get("figures") or {}).items()}


def _sum_rules(text):
    """Parts that the text itself gives as adding up to a total."""
    found = []
    for total, tail in re.findall(r"共受理登记劳动争议(\d+)件[^。]*。(?:[^。]*。)*?从争议类型看，([^。]*)。", text):
        if sum(_ints(r"(\d+)起", tail)) != int(total):
            found.append(f"争议类型之和不等于受理总数{total}件：{tail}")
    for total in re.findall(r"共受理登记劳动争议(\d+)件", text):
        outcome = re.search(r"从办理结果看，([^。]*)。", text)
        if outcome:
            parts = re.sub(r"（[^）]*）", "", outcome.group(1))  # (其中…) is inside a part
            if sum(_ints(r"(\d+)件", parts)) != int(total):
                found.append(f"办理结果之和不等于受理总数{total}件：{outcome.group(1)}")
    for total, tail in re.findall(r"共收到职工代表提案(\d+)件，经提案工作委员会审查，([^。]*)。", text):
        if sum(_ints(r"(\d+)件", tail)) != int(total):
            found.append(f"审查结果之和不等于收到提案{total}件：{tail}")
    for total, a, b in re.findall(r"已答复(\d+)件，其中按期答复(\d+)件、逾期答复(\d+)件", text):
        if int(a) + int(b) != int(total):
            found.append(f"按期与逾期答复之和不等于已答复{total}件")
    for total, tail in re.findall(r"已答复(\d+)件[^；。]*；((?:已解决|正在解决|因条件限制)[^；。]*)", text):
        if sum(_ints(r"(\d+)件", tail)) != int(total):
            found.append(f"办理情况之和不等于已答复{total}件：{tail}")
    return found


def _snapshot_sums(snapshot):
    """Parts that add up to totals in the figures the sentences are written from."""
    found = []
    c, a = _values(snapshot, "cases"), _values(snapshot, "aid")
    if c:
        parts = sum(c.get(k) or 0 for k in ("successful", "failed", "withdrawn", "rejected", "open"))
        if parts != (c.get("received") or 0):
            found.append("劳动争议办理结果之和不等于受理总数")
    if a and "individual" in a:
        if (a.get("individual") or 0) + (a.get("in_batch") or 0) != (a.get("times") or 0):
            found.append("个案救助与批量慰问笔数之和不等于帮扶人次")
        money = Decimal(str(a.get("individual_amount") or 0)) + Decimal(str(a.get("in_batch_amount") or 0))
        if money != Decimal(str(a.get("amount") or 0)):
            found.append("个案救助与批量慰问金额之和不等于发放帮扶资金")
        by_type = ((snapshot["sections"]["aid"].get("breakdowns") or {}).get("by_type")) or []
        if by_type and sum(Decimal(str(f["value"] or 0)) for f in by_type) != Decimal(str(a.get("amount") or 0)):
            found.append("帮扶类型金额之和不等于发放帮扶资金")
    return found


def _claims(text, snapshot):
    """Sentences about how the work was done, held against the figures that say whether it was."""
    a = _values(snapshot, "aid")
    times = a.get("times") or 0
    found = []
    if "每一笔帮扶都经过入户核实" in text and (a.get("visited") or 0) != times:
        found.append(f"写了每一笔帮扶都经过入户核实，但经入户核实{a.get('visited') or 0}笔、共{times}笔")
    if "每一笔帮扶都经过" in text and "公示" in text and (a.get("publicised") or 0) != times:
        found.append(f"写了每一笔帮扶都经过民主评议和公示，但经公示{a.get('publicised') or 0}笔、共{times}笔")
    for n in _ints(r"慰问劳动模范(\d+)名", text):
        if n != (a.get("model_workers") or 0):
            found.append(f"慰问劳动模范{n}名与记录（{a.get('model_workers') or 0}名）不符")
    return found


def problems(text, period, snapshot, *, chair_text=()):
    """The defects of ``text`` (a string, or a list of paragraphs) as a report of ``period`` written
    from ``snapshot``; paragraphs containing a line of ``chair_text`` are the chair's and skipped."""
    paragraphs = text.splitlines() if isinstance(text, str) else list(text)
    chair = [line.strip() for line in chair_text if line and line.strip()]
    own = [p for p in paragraphs if p.strip() and not any(line in p for line in chair)]
    body = "\n".join(own)
    found = []
    for match in PLACEHOLDER.finditer(body):
        found.append(f"占位符或未填内容：{match.group(0)!r}")
    for match in EMPTY_AMOUNT.finditer(body):
        found.append(f"金额为空：{body[max(0, match.start() - 8) : match.end()]!r}")
    for match in SLASH.finditer(body):
        found.append(f"斜杠标签：{match.group(0)!r}")
    for match in ZERO.finditer(body):
        found.append(f"写了没有内容的分句（0）：{body[max(0, match.start() - 10) : match.end()]!r}")
    for match in NUMBER.finditer(body):
        before, after = body[: match.start()], body[match.end() :]
        if not AFTER.match(after) and not BEFORE_OK.search(before):
            found.append(f"数字没有量词：{body[max(0, match.start() - 8) : match.end() + 2]!r}")
    for word in WRONG_PERIOD_WORDS.get(period.kind, ()):
        if word in body:
            found.append(f"与期间不符：{period.label}的总结写了“{word}”")
    found += _sum_rules(body)
    found += _snapshot_sums(snapshot)
    found += _claims(body, snapshot)
    for key, words in KEYWORDS.items():
        if key in (snapshot.get("sections") or {}) and not narrative.has_records(snapshot, key):
            for p in own:
                for word in words:
                    if word in p:
                        found.append(f"本期没有{word}相关记录，却写了：{p[:40]!r}")
                        break
    return found


def chair_lines(report):
    """What the chair wrote in ``report`` (not what the system drafted): the edited paragraphs, the
    titles and paragraphs of chapters the chair added, with the figures they entered filled in."""
    from . import chapters

    lines = []
    for chapter in report.chapters or []:
        custom = any(not b.get("source") or b.get("text") is not None for b in chapter.get("blocks", []))
        if custom and chapter.get("title"):
            lines.append(chapter["title"])
        for block in chapter.get("blocks", []):
            if block.get("text") is not None:
                lines += chapters.lines(chapters.fill(block["text"], chapter))
            if block.get("subtitle") and not block.get("source"):
                lines.append(block["subtitle"])
    return [line for line in lines if line.strip()]


def document_problems(content, report):
    """``problems()`` of a built .docx (its paragraphs) as ``report``'s text."""
    import io

    from docx import Document

    paragraphs = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    return problems(paragraphs, report.period, report.snapshot, chair_text=chair_lines(report))
