"""Roles, the permissions each grants, and the backend that checks them within an org scope.

A role is held in an org unit and reaches every unit below it; ``workflows.backends`` turns
these tables into ``user.has_perm(perm, obj)``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("职工")
    REPRESENTATIVE = "representative", _("职工代表")
    MEDIATOR = "mediator", _("调解员")
    COMMITTEE = "committee", _("工会委员")
    FINANCE = "finance", _("财务")
    PROPOSAL_COMMITTEE = "proposal_committee", _("提案工作委员会")
    DEPARTMENT = "department", _("承办部门")
    CHAIR = "chair", _("工会主席")
    UPPER_UNION = "upper_union", _("上级工会")
    ADMIN = "admin", _("管理员")


# Who reads each domain's records, within the role's org scope: its read permission, granted below.
# A role without it sees none of that domain (no list row, page, API answer, task, comment or
# attachment); the person a record is about and its filer read it whatever their roles (each
# record's ``open_to_q``).  The overseers (chair, upper union, admin) read every domain.
CASES_READ = "cases.view_grievancecase"  # 劳动争议
AID_READ = "aid.view_aidapplication"  # 困难帮扶: applications, batches and fund balances
PROPOSALS_READ = "proposals.view_proposal"  # 职代会提案 (also open to the members of its union)
MEMBERSHIP_READ = "workflows.view_membershipapplication"  # 入会申请
ALL_DOMAINS_READ = {CASES_READ, AID_READ, PROPOSALS_READ, MEMBERSHIP_READ}
# The live dashboard (数据看板): the period's figures in numbers only, no record behind them.
FIGURES_READ = "summaries.view_figures"

# The one table of who may do what.  Domain apps add their permissions here.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.EMPLOYEE: {"workflows.apply_membership"},
    Role.REPRESENTATIVE: {PROPOSALS_READ, "proposals.rate_proposal"},
    Role.MEDIATOR: {
        CASES_READ,
        FIGURES_READ,
        "cases.register_grievancecase",
        "cases.accept_grievancecase",
        "cases.mediate_grievancecase",
    },
    Role.COMMITTEE: {
        CASES_READ,
        AID_READ,
        MEMBERSHIP_READ,
        FIGURES_READ,
        "aid.manage_hardshipfile",
        "aid.verify_aidapplication",
        "aid.review_aidapplication",
        "workflows.review_membershipapplication",
        "cases.register_grievancecase",
        "cases.accept_grievancecase",
    },
    Role.FINANCE: {
        AID_READ,
        FIGURES_READ,
        "aid.disburse_aidapplication",
        "aid.view_pii",
        "aid.add_fundbudget",  # 编制预算
        "aid.change_fundbudget",  # 调整预算
    },
    Role.PROPOSAL_COMMITTEE: {PROPOSALS_READ, FIGURES_READ, "proposals.review_proposal"},
    Role.DEPARTMENT: {PROPOSALS_READ, "proposals.answer_proposal"},
    Role.CHAIR: {
        *ALL_DOMAINS_READ,
        FIGURES_READ,
        "workflows.review_membershipapplication",
        "workflows.change_member",  # 认定劳模: the 劳模 flag
        "workflows.reassign_task",
        "workflows.manage_period",
        "cases.register_grievancecase",
        "cases.accept_grievancecase",
        "aid.manage_hardshipfile",
        "aid.review_aidapplication",
        "aid.approve_aidapplication",
        "aid.view_pii",
    },
    Role.UPPER_UNION: {*ALL_DOMAINS_READ, FIGURES_READ, "aid.upper_approve_aidapplication"},
    Role.ADMIN: {
        *ALL_DOMAINS_READ,
        FIGURES_READ,
        "workflows.reassign_task",
        "workflows.manage_period",
        "workflows.change_member",
        "aid.add_fundbudget",
        "aid.change_fundbudget",
    },
}


def roles_granting(perm: str) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def scope_path(obj):
    """The org-unit path that an object lives in, or None for an object without scope."""
    from .models import OrgUnit

    if isinstance(obj, OrgUnit):
        return obj.path
    unit = getattr(obj, "org_unit", None)
    return unit.path if unit is not None else None


def in_scope(perm: str):
    """A django-fsm ``permission=`` that holds only within the record's org scope.

    (A bare permission string would let django-fsm fall back to ``user.has_perm(perm)`` with no
    object, which is true for a holder of the role in *any* unit.)
    """

    def check(instance, user):
        return user.has_perm(perm, instance)

    check.__name__ = f"in_scope({perm})"
    return check
