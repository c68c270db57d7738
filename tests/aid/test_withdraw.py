"""撤回 in hardship aid ends the process wherever it stands — also during 公示, when only the
publicity timer is pending and no one holds a task."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.timers import fire_due_timers

from aid import services
from aid.models import AidApplication
from tests.aid.conftest import apply, hardship_file
from tests.aid.test_aid_flow import through_review
from tests.factories import fresh
from workflows.models import AuditEvent, UnionProcess

pytestmark = pytest.mark.django_db


def process_of(application):
    return UnionProcess.objects.get(artifact_object_id=application.pk)


def test_a_withdrawal_during_publicity_ends_the_process_and_its_timer(tree, aid_people, fund):
    hardship_file(tree, aid_people["needy"])
    application = through_review(tree, aid_people, apply(tree, aid_people["needy"]))
    assert application.status == AidApplication.Status.PUBLICIZING

    services.application_withdraw(application=application, actor=fresh(aid_people["needy"]), reason="家中情况好转")

    application.refresh_from_db()
    process = process_of(application)
    assert application.status == AidApplication.Status.WITHDRAWN
    assert process.status == PROCESS.CANCELED
    assert not Task.objects.filter(process=process, status=STATUS.SCHEDULED).exists()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        assert fire_due_timers() == 0  # nothing left to fire on a withdrawn application
    application.refresh_from_db()
    assert application.status == AidApplication.Status.WITHDRAWN
    [event] = AuditEvent.objects.for_record(application).filter(action="withdraw")
    assert event.reason == "家中情况好转"


def test_a_withdrawal_while_visits_are_open_cancels_both_visits(tree, aid_people, fund):
    hardship_file(tree, aid_people["needy"])
    application = apply(tree, aid_people["needy"])
    process = process_of(application)
    assert Task.objects.filter(process=process, flow_task_type="HUMAN", status=STATUS.NEW).count() == 2

    services.application_withdraw(application=application, actor=fresh(aid_people["needy"]))

    assert process_of(application).status == PROCESS.CANCELED
    assert not Task.objects.filter(process=process, status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.SCHEDULED]).exists()
