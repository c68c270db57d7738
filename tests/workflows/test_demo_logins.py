"""`make demo` prints a login for every role, and the second people some steps need."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from aid import services as aid_services
from aid.flows import AidFlow
from proposals import services as proposal_services
from proposals.models import Congress, Proposal
from tests.factories import fresh
from workflows import engine
from workflows.management.commands.seed_demo import DEMO_PASSWORD, LOGINS, second_people
from workflows.models import Member
from workflows.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
User = get_user_model()


def test_every_role_has_a_login_and_every_step_someone_to_walk_it(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert {role for _u, _n, role, _c, _s in LOGINS} == set(Role)
    for username, name, role, _code, _staff in LOGINS:
        assert f"  {username:<10} {name:<6} {role.label:<8}" in printed
        assert User.objects.get(username=username).role_assignments.filter(role=role).exists()
    second = second_people()
    assert [what[:3] for _u, _n, what in second] == ["第二位", "职工代", "职工代"]
    for username, name, what in second:
        assert f"  {username:<10} {name:<6} {what}" in printed
        assert client.login(username=username, password=DEMO_PASSWORD)  # the printed password works

    # the second home visit: 何小红 (zhigong) applies; 李秀英 takes one visit, the printed colleague the other
    worker = fresh(User.objects.get(username="zhigong"))
    application = aid_services.application_submit(
        actor=worker,
        member=Member.objects.get(user=worker),
        aid_type="living",
        amount_requested=Decimal("2000"),
        reasons="家庭困难，申请生活救助。",
    )
    colleague = fresh(User.objects.get(username=second[0][0]))
    first_visit, second_visit = engine.open_tasks_for(application).filter(flow_task=AidFlow.home_visit)
    engine.task_claim(task=first_visit, actor=fresh(User.objects.get(username="weiyuan")))
    engine.task_claim(task=second_visit, actor=colleague)

    # the seconders: 朱晓东 (daibiao) drafts in the congress collecting proposals; both printed
    # representatives second it, which is what submitting it needs
    congress = Congress.objects.get(org_unit__code="hcdz", window_closes__gte=timezone.localdate())
    proposal = proposal_services.proposal_draft(
        actor=fresh(User.objects.get(username="daibiao")),
        congress=congress,
        title="关于增设职工休息室的提案",
        category="welfare",
        cause="夜班职工无休息场所。",
        measures="在生产楼增设休息室。",
    )
    for username, _name, _what in second[1:]:
        proposal_services.proposal_second(proposal=proposal, actor=fresh(User.objects.get(username=username)))
    proposal = proposal_services.proposal_submit(proposal=proposal, actor=fresh(User.objects.get(username="daibiao")))
    assert proposal.status == Proposal.Status.SUBMITTED
