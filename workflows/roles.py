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


# The one table of who may do what.  Domain apps add their permissions here.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.EMPLOYEE: {"workflows.apply_membership"},
    Role.REPRESENTATIVE: {"proposals.rate_proposal"},
    Role.MEDIATOR: {
        "workflows.view_records",
        "cases.register_grievancecase",
        "cases.accept_grievancecase",
        "cases.mediate_grievancecase",
    },
    Role.COMMITTEE: {
        "aid.manage_hardshipfile",
        "aid.verify_aidapplication",
        "aid.review_aidapplication",
        "workflows.review_membershipapplication",
        "workflows.view_records",
        "cases.register_grievancecase",
        "cases.accept_grievancecase",
    },
    Role.FINANCE: {
        "workflows.view_records",
        "aid.disburse_aidapplication",
        "aid.view_pii",
        "aid.add_fundbudget",  # 编制预算
        "aid.change_fundbudget",  # 调整预算
    },
    Role.PROPOSAL_COMMITTEE: {"workflows.view_records", "proposals.review_proposal"},
    Role.DEPARTMENT: {"proposals.answer_proposal"},
    Role.CHAIR: {
        "workflows.review_membershipapplication",
        "workflows.change_member",  # 认定劳模: the 劳模 flag
        "workflows.view_records",
        "workflows.reassign_task",
        "workflows.manage_period",
        "cases.register_grievancecase",
        "cases.accept_grievancecase",
        "aid.manage_hardshipfile",
        "aid.review_aidapplication",
        "aid.approve_aidapplication",
        "aid.view_pii",
    },
    Role.UPPER_UNION: {"workflows.view_records", "aid.upper_approve_aidapplication"},
    Role.ADMIN: {
        "workflows.view_records",
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
