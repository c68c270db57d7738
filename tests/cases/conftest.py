import datetime
from decimal import Decimal

import pytest

from tests.factories import fresh, grant, make_user
from workflows.roles import Role


@pytest.fixture
def mediator(tree):
    return grant(make_user("mediator_a", name="张调解", unit=tree.a, employer=tree.employer_a), Role.MEDIATOR, tree.a)


@pytest.fixture
def mediator_b(tree):
    return grant(make_user("mediator_b", name="赵调解", unit=tree.b, employer=tree.employer_b), Role.MEDIATOR, tree.b)


@pytest.fixture
def worker(tree):
    """A union member of 甲公司 who files for themselves."""
    return make_user("worker_a", name="孙工人", unit=tree.a_branch, employer=tree.employer_a)


def file_kwargs(**overrides):
    data = {
        "category": "wages",
        "facts": "2026年9月至10月工资未按时足额发放。",
        "claims": "请求支付拖欠工资。",
        "workers_involved": 1,
        "amount_claimed": Decimal("8600.00"),
    }
    data.update(overrides)
    return data


def register_kwargs(tree, **overrides):
    data = {
        "employer_unit": tree.employer_a,
        "channel": "phone",
        "applicant_name": "钱某",
        "applicant_phone": "13800000000",
        "filed_on": datetime.date.today(),
        **file_kwargs(),
    }
    data.update(overrides)
    return data


__all__ = ["fresh", "file_kwargs", "register_kwargs"]
