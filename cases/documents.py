"""The case's own documents: 调解协议书, 不予受理通知书, 调解终止通知书 (.docx).

The notices speak to the applicant as 你, as the official forms do, in every sentence.  What a
user typed (a rejection note, a failure reason, the agreed terms) is fitted into the form's
sentences: its closing punctuation is dropped where the sentence goes on, a text of several
sentences stands as its own sentence, and terms the mediator numbered are numbered once.
"""

import re

from django.utils import timezone

from workflows import docx, pii
from workflows.models import AuditEvent
from workflows.money import rmb_upper, yuan

from .models import GrievanceCase

Category = GrievanceCase.Category
Reason = GrievanceCase.RejectionReason

# What the dispute is about, as a notice's sentence names it ("之间的劳动报酬争议"); the legal
# terms of 《劳动争议调解仲裁法》第二条 rather than the intake form's short labels.
DISPUTE_TOPIC = {
    Category.WAGES: "劳动报酬",
    Category.SOCIAL_INSURANCE: "社会保险",
    Category.CONTRACT: "劳动合同",
    Category.INJURY: "工伤",
    Category.OVERTIME: "工作时间和休息休假",
    Category.COMPENSATION: "经济补偿",
    Category.OTHER: "",
}

# 《劳动争议调解仲裁法》第五条、第二十七条: a labour dispute not settled by mediation goes to arbitration.
ARBITRATION_ADVICE = "你可以自知道或者应当知道权利被侵害之日起一年内，依法向劳动争议仲裁委员会申请仲裁。"
# A matter that is no labour dispute has no arbitration: it goes to the body that handles it.
NOT_LABOUR_ADVICE = "你所反映的问题，可以向有权处理的有关部门提出，也可以通过信访渠道反映。"
IN_PROCEEDINGS_ADVICE = "请你在仲裁或者诉讼程序中依法主张权利。"

# The notice's own words for each reason, each able to follow "经审查，".
REJECTION_CLAUSE = {
    Reason.NOT_LABOUR: "该事项不属于劳动争议",
    Reason.NO_CONSENT: "因{employer}不同意调解",
    Reason.IN_ARBITRATION: "因该争议已进入仲裁或者诉讼程序",
    Reason.OTHER: "因其他原因",
}
REJECTION_ADVICE = {Reason.NOT_LABOUR: NOT_LABOUR_ADVICE, Reason.IN_ARBITRATION: IN_PROCEEDINGS_ADVICE}

_CLOSING = "。．.，,、；;：:！!？?　 \t\r\n"
_SENTENCE_END = "。！？!?"
_CLOSING_QUOTES = "”’」』）)"


def fragment(text):
    """User text to embed inside a sentence, its closing punctuation dropped; ``None`` when it is
    empty or is itself more than one sentence (then it must stand as its own sentence)."""
    text = (text or "").strip().rstrip(_CLOSING)
    if not text or "\n" in text or any(mark in text for mark in _SENTENCE_END + "；;"):
        return None
    return text


def sentence(text):
    """User text as a sentence of its own, ending in one full stop."""
    text = re.sub(r"\s*\n\s*", "", (text or "").strip())
    if not text:
        return ""
    if text.rstrip(_CLOSING_QUOTES)[-1:] in tuple(_SENTENCE_END):  # 他表示“不同意。”
        return text
    return text.rstrip(_CLOSING) + "。"


def _explained(clause, note):
    """``clause`` with the user's ``note``: in brackets when it is one clause, else a sentence of its own
    after the one ``clause`` closes.  Returns (the clause, the sentence to follow or "")."""
    short = fragment(note)
    if short:
        return f"{clause}（{short}）", ""
    return clause, (f"具体情况：{sentence(note)}" if (note or "").strip() else "")


# -- numbering the agreed terms once -------------------------------------------------------------
_CN = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# Each scheme: how a mediator may write it, and how the document writes the n-th item.
_SCHEMES = {
    "chinese": (re.compile(rf"^[{_CN}百]+\s*[、，．.]\s*"), lambda n: f"{_cn(n)}、"),
    "article": (re.compile(rf"^第[{_CN}百]+条[、，：:\s]*"), lambda n: f"第{_cn(n)}条　"),
    "bracketed_chinese": (re.compile(rf"^[（(]\s*[{_CN}百]+\s*[)）][、，．.]?\s*"), lambda n: f"（{_cn(n)}）"),
    "bracketed_arabic": (re.compile(r"^[（(]\s*\d{1,2}\s*[)）][、，．.]?\s*"), lambda n: f"（{n}）"),
    "arabic": (re.compile(r"^\d{1,2}\s*(?:[、．)）]|\.(?!\d))\s*"), lambda n: f"{n}．"),
    "circled": (re.compile(rf"^[{_CIRCLED}]\s*"), lambda n: _CIRCLED[n - 1] if n <= len(_CIRCLED) else f"{n}．"),
}


def _cn(n):
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (terms never reach a hundred)."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _CN[tens - 1]) + "十" if tens else "") + (_CN[ones - 1] if ones else "")


def _scheme_of(line):
    for name, (pattern, _number) in _SCHEMES.items():
        match = pattern.match(line)
        if match and line[match.end() :].strip():
            return name, line[match.end() :].strip()
    return None, line


def numbered_terms(text):
    """The agreed terms as paragraphs, numbered once.

    Terms the mediator left unnumbered are numbered 1．2．… (a single term is not numbered).  Terms
    numbered in one scheme (一、 1. 1、 （一） (1) ① 第一条) are renumbered in sequence in that scheme's
    written form, with any unnumbered line kept as the text of the item above it.  Terms numbered on
    two or more levels (一、 with （一） under it) are the mediator's outline and are kept as written.
    """
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    parsed = [_scheme_of(line) for line in lines]
    schemes = {name for name, _rest in parsed if name}
    if len(schemes) > 1:
        return lines
    if not schemes:
        return lines if len(lines) == 1 else [f"{i}．{line}" for i, line in enumerate(lines, 1)]
    number = _SCHEMES[schemes.pop()][1]
    out, n = [], 0
    for name, rest in parsed:
        if name:
            n += 1
            out.append(number(n) + rest)
        else:
            out.append(rest)
    return out


# -- the documents -------------------------------------------------------------------------------
def _committee(case):
    return f"{case.org_unit.name}劳动争议调解委员会"


def _dispute(case):
    return f"与{case.employer_unit.name}之间的{DISPUTE_TOPIC[case.category]}争议"


def _head(document, case, title, viewer=None):
    docx.title(document, title)
    docx.paragraph(document, str(case.number), indent=False, align="right")
    if viewer is not None:
        docx.paragraph(document, f"{pii.shown(viewer, case, 'name')}：", indent=False)


def _sign_off(document, case, day):
    docx.paragraph(document)
    docx.paragraph(document, _committee(case), indent=False, align="right")
    docx.paragraph(document, docx.chinese_date(day), indent=False, align="right")


def _parties(document, case, viewer):
    phone = pii.shown(viewer, case, "applicant_phone")
    docx.labelled(document, "申请人：", pii.shown(viewer, case, "name") + (f"，联系电话{phone}" if phone else ""))
    if case.workers_involved > 1:
        docx.paragraph(document, f"（本案涉及职工{case.workers_involved}人，申请人为其代表。）")
    docx.labelled(document, "被申请人：", case.employer_unit.name)


def agreement(case: GrievanceCase, *, viewer) -> bytes:
    """调解协议书 (《劳动争议调解仲裁法》 art. 14): parties, claims, result, amounts, signature lines.

    Each document is written for the person downloading it (``viewer``): names and the phone
    as :mod:`workflows.pii` lets them see."""
    if case.status not in (GrievanceCase.Status.AGREED, GrievanceCase.Status.CLOSED):
        raise ValueError("an agreement exists only for a case mediated successfully")
    document = docx.new_document()
    _head(document, case, "劳动争议调解协议书")
    _parties(document, case, viewer)
    docx.labelled(document, "争议类别：", DISPUTE_TOPIC[case.category] or case.get_category_display())
    docx.labelled(document, "申请人请求：", case.claims)
    docx.paragraph(
        document,
        f"{_committee(case)}于{docx.chinese_date(case.accepted_on)}受理申请人与被申请人之间的劳动争议。"
        f"经调解，双方当事人在自愿、平等的基础上达成如下协议：",
    )
    for term in numbered_terms(case.agreement_terms):
        docx.paragraph(document, term)
    if case.amount_agreed:
        docx.paragraph(
            document,
            f"被申请人于{docx.chinese_date(case.performance_due)}前向申请人支付人民币{yuan(case.amount_agreed)}"
            f"（大写：{rmb_upper(case.amount_agreed)}）。",
        )
    docx.paragraph(
        document,
        "本协议书由双方当事人签名或者盖章，经调解员签名并加盖调解组织印章后生效，对双方当事人具有约束力，当事人应当履行。"
        "因支付拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金事项达成调解协议，用人单位在协议约定期限内不履行的，"
        "劳动者可以持本协议书依法向人民法院申请支付令。",
    )
    docx.paragraph(document, "本协议书一式三份，双方当事人和调解委员会各执一份。")
    docx.paragraph(document)
    mediator = (case.mediator.get_full_name() or case.mediator.username) if case.mediator else ""
    for label in ("申请人（签名）：", "被申请人（盖章）：", f"调解员（签名）：{mediator}"):
        # Full-width padding keeps the date blanks in one column whatever the name's length.
        docx.paragraph(document, label + "　" * max(2, 18 - len(label)) + "年　　月　　日", indent=False)
    docx.paragraph(document, f"{_committee(case)}（印章）", indent=False)
    docx.paragraph(document, docx.chinese_date(case.concluded_on), indent=False, align="right")
    return docx.to_bytes(document)


def _rejected_on(case):
    """The day the committee decided: the notice keeps it however late it is downloaded."""
    event = AuditEvent.objects.for_record(case).filter(action="reject").order_by("-at", "-pk").first()
    return timezone.localdate(event.at) if event else timezone.localdate(case.updated)


def rejection_notice(case: GrievanceCase, *, viewer) -> bytes:
    """不予受理通知书: why the committee does not take the matter up, and where the applicant can go."""
    reason = Reason(case.rejection_reason or Reason.OTHER)
    note = case.rejection_note
    if reason == Reason.OTHER and fragment(note):
        clause, more = "因" + fragment(note).removeprefix("因").removeprefix("由于"), ""
    else:
        clause, more = _explained(REJECTION_CLAUSE[reason].format(employer=case.employer_unit.name), note)
    subject = f"与{case.employer_unit.name}之间的有关问题" if reason == Reason.NOT_LABOUR else _dispute(case)
    document = docx.new_document()
    _head(document, case, "不予受理通知书", viewer)
    docx.paragraph(
        document,
        f"你于{docx.chinese_date(case.filed_on)}就{subject}提出的调解申请，经审查，{clause}，本委员会决定不予受理。{more}",
    )
    docx.paragraph(document, REJECTION_ADVICE.get(reason, ARBITRATION_ADVICE))
    _sign_off(document, case, _rejected_on(case))
    return docx.to_bytes(document)


def failure_notice(case: GrievanceCase, *, viewer) -> bytes:
    """调解终止通知书: the dispute was not settled; the applicant may go to arbitration."""
    accepted = docx.chinese_date(case.accepted_on)
    if case.expired:
        # 《企业劳动争议协商调解规定》第二十七条: not settled within the time limit counts as not settled.
        outcome, more = (
            (f"至调解期限届满之日（{docx.chinese_date(case.mediation_due)}）仍未达成调解协议，视为调解不成"),
            "",
        )
    else:
        outcome, more = _explained("经调解未能达成协议", case.failure_reason)
    document = docx.new_document()
    _head(document, case, "调解终止通知书", viewer)
    docx.paragraph(document, f"你{_dispute(case)}，本委员会于{accepted}受理，{outcome}，调解终止。{more}")
    docx.paragraph(document, ARBITRATION_ADVICE)
    _sign_off(document, case, case.concluded_on)
    return docx.to_bytes(document)


DOCUMENTS = {
    "agreement": ("调解协议书", agreement, (GrievanceCase.Status.AGREED, GrievanceCase.Status.CLOSED)),
    "rejection": ("不予受理通知书", rejection_notice, (GrievanceCase.Status.REJECTED,)),
    "failure": ("调解终止通知书", failure_notice, (GrievanceCase.Status.FAILED,)),
}
