"""Comments and attachments on any record: limits, scope, and nothing half-written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import fresh
from workflows import services
from workflows.errors import NotPermitted, WorkflowError
from workflows.models import Attachment, AuditEvent, Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(tree):
    return services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")


def test_a_good_file_is_stored_and_audited(tree, application):
    upload = SimpleUploadedFile("劳动合同.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment = services.attachment_add(record=application, actor=tree.applicant_a, upload=upload)
    assert attachment.original_name == "劳动合同.pdf" and attachment.size == 13
    assert attachment.file.read() == b"%PDF-1.4 test"
    assert AuditEvent.objects.for_record(application).filter(action="attach").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("病历.exe", b"MZ", "不支持“exe”类型的文件"),
        ("空白.pdf", b"", "是空文件"),
        ("扫描件.pdf", b"x" * (10 * 1024 * 1024 + 1), "超过10MB的上限"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_stored(
    tree, application, name, content, message, settings
):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(WorkflowError) as exc:
        services.attachment_add(record=application, actor=tree.applicant_a, upload=upload)
    assert message in exc.value.message
    assert not Attachment.objects.exists()
    assert not (settings.MEDIA_ROOT / "attachments").exists()


def test_outsiders_cannot_comment_or_attach(tree, application):
    with pytest.raises(NotPermitted):
        services.comment_add(record=application, actor=fresh(tree.committee_b), body="路过")
    assert not Comment.objects.exists()


def test_the_committee_comments_and_the_page_shows_it(client, tree, application):
    client.force_login(tree.committee_a)
    response = client.post(
        reverse("membership_action", args=[application.pk, "comment"]), {"body": "请补充劳动合同"}, follow=True
    )
    assert "请补充劳动合同" in response.content.decode()


def test_download_is_only_for_those_who_may_see_the_record(client, tree, application):
    upload = SimpleUploadedFile("身份证.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg")
    attachment = services.attachment_add(record=application, actor=tree.applicant_a, upload=upload)
    url = reverse("attachment_download", args=[attachment.pk])
    client.force_login(tree.committee_b)
    assert client.get(url).status_code == 404
    client.force_login(tree.committee_a)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"\xff\xd8\xff jpeg"


def test_web_upload_of_a_bad_file_shows_the_message(client, tree, application):
    client.force_login(tree.applicant_a)
    response = client.post(
        reverse("membership_action", args=[application.pk, "attach"]),
        {"file": SimpleUploadedFile("a.bat", b"echo")},
        follow=True,
    )
    assert "不支持“bat”类型的文件" in response.content.decode()
