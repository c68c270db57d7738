"""An aid application takes its certificates and receipts; they show the household's situation, so
they open to the applicant and to those who read that situation — not to every reader of aid."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aid.flows import AidFlow
from tests.aid.conftest import apply
from tests.aid.test_aid_flow import task
from tests.factories import fresh
from workflows import engine
from workflows.models import Attachment, AuditEvent

pytestmark = pytest.mark.django_db


def pdf(name="诊断证明.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 certificate", content_type="application/pdf")


def test_the_applicant_uploads_and_the_home_visitor_and_chair_open_it(client, tree, aid_people, fund, period):
    application = apply(tree, aid_people["needy"])
    url = reverse("aid:application_action", args=[application.pk, "attach"])
    client.force_login(aid_people["needy"])
    page = client.get(application.get_absolute_url()).content.decode()
    assert "尚未上传证明材料" in page
    page = client.post(url, {"file": pdf()}, follow=True).content.decode()
    assert "证明材料已上传" in page and "诊断证明.pdf" in page
    attachment = Attachment.objects.get()
    assert AuditEvent.objects.for_record(application).filter(action="attach").count() == 1
    download = reverse("attachment_download", args=[attachment.pk])

    # a committee member reads the application but is not visiting it: no certificate
    client.force_login(tree.committee_a)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "诊断证明.pdf" not in page and "材料名称仅对经办人公开" in page
    assert client.get(download).status_code == 404
    assert client.post(url, {"file": pdf("别的.pdf")}).status_code == 302 and Attachment.objects.count() == 1
    # … once they hold the home visit, they do
    visit = task(application, AidFlow.home_visit).first()
    engine.task_claim(task=visit, actor=fresh(tree.committee_a))
    assert client.get(download).status_code == 200
    client.force_login(tree.chair_a)  # decides: reads the situation
    assert client.get(download).status_code == 200
    client.force_login(aid_people["finance"])  # pays an amount, needs none of it
    assert client.get(download).status_code == 404


def test_a_bad_upload_is_refused_with_a_message(client, tree, aid_people, fund, period):
    application = apply(tree, aid_people["needy"])
    client.force_login(aid_people["needy"])
    url = reverse("aid:application_action", args=[application.pk, "attach"])
    page = client.post(
        url, {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/x-msdownload")}, follow=True
    )
    assert (
        Attachment.objects.count() == 0 and "errorlist" in page.content.decode() or "messages" in page.content.decode()
    )
    assert client.post(url, {}, follow=True).status_code == 200 and Attachment.objects.count() == 0
