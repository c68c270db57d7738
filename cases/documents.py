"""The case's own documents: 调解协议书, 不予受理通知书, 调解不成通知书 (.docx)."""

from django.utils import timezone

from workflows import docx, pii
from workflows.money import rmb_upper, yuan

from .models import GrievanceCase
from .services import ARBITRATION_ADVICE, case_rejection_text


def _committee(case):
    return f"{case.org_unit.name}劳动争议调解委员会"


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
    docx.title(document, "劳动争议调解协议书")
    docx.paragraph(document, str(case.number), indent=False, align="right")
    _parties(document, case, viewer)
    docx.labelled(document, "争议类别：", case.get_category_display())
    docx.labelled(document, "申请人请求：", case.claims)
    docx.paragraph(
        document,
        f"{_committee(case)}于{docx.chinese_date(case.accepted_on)}受理申请人与被申请人之间的劳动争议。"
        f"经调解，双方当事人在自愿、平等的基础上达成如下协议：",
    )
    for i, line in enumerate([t for t in case.agreement_terms.splitlines() if t.strip()], 1):
        docx.paragraph(document, f"{i}．{line.strip()}")
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


def rejection_notice(case: GrievanceCase, *, viewer) -> bytes:
    document = docx.new_document()
    docx.title(document, "不予受理通知书")
    docx.paragraph(document, str(case.number), indent=False, align="right")
    docx.paragraph(document, f"{pii.shown(viewer, case, 'name')}：", indent=False)
    docx.paragraph(
        document,
        f"你于{docx.chinese_date(case.filed_on)}提出的与{case.employer_unit.name}之间{case.get_category_display()}"
        f"争议的调解申请，经审查，因{case_rejection_text(case)}，本委员会决定不予受理。",
    )
    docx.paragraph(document, "如对争议仍有异议，你可以依法向劳动争议仲裁委员会申请仲裁。")
    docx.paragraph(document)
    docx.paragraph(document, _committee(case), indent=False, align="right")
    docx.paragraph(document, docx.chinese_date(timezone.localdate()), indent=False, align="right")
    return docx.to_bytes(document)


def failure_notice(case: GrievanceCase, *, viewer) -> bytes:
    document = docx.new_document()
    docx.title(document, "调解终止通知书")
    docx.paragraph(document, str(case.number), indent=False, align="right")
    docx.paragraph(document, f"{pii.shown(viewer, case, 'name')}：", indent=False)
    docx.paragraph(
        document,
        f"你与{case.employer_unit.name}之间的{case.get_category_display()}争议，本委员会于"
        f"{docx.chinese_date(case.accepted_on)}受理，经调解未能达成协议（{case.failure_reason}），调解终止。",
    )
    docx.paragraph(document, str(ARBITRATION_ADVICE))
    docx.paragraph(document)
    docx.paragraph(document, _committee(case), indent=False, align="right")
    docx.paragraph(document, docx.chinese_date(case.concluded_on), indent=False, align="right")
    return docx.to_bytes(document)


DOCUMENTS = {
    "agreement": ("调解协议书", agreement, (GrievanceCase.Status.AGREED, GrievanceCase.Status.CLOSED)),
    "rejection": ("不予受理通知书", rejection_notice, (GrievanceCase.Status.REJECTED,)),
    "failure": ("调解终止通知书", failure_notice, (GrievanceCase.Status.FAILED,)),
}
