"""Uploads: typed by their content, and a file over the limit is refused while it streams in —
never read whole, never written — with a 413 in the API's shape or a page that says what to do."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from docx import Document
from openpyxl import Workbook

from workflows import services
from workflows.errors import WorkflowError
from workflows.models import Attachment

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def docx_bytes():
    buffer = io.BytesIO()
    document = Document()
    document.add_paragraph("调解协议书")
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("virus.exe", EXE)
    return buffer.getvalue()


@pytest.fixture
def application(tree):
    return services.membership_apply(actor=tree.applicant_a, statement="本人自愿加入工会，遵守章程。")


@pytest.mark.parametrize(
    ("name", "content", "mime_type"),
    [
        ("合同.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        ("照片.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        ("照片.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        ("协议.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("工资表.xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("旧文档.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "application/msword"),
        ("说明.txt", "情况说明：工资拖欠三个月。\n".encode(), "text/plain"),
        ("说明（GBK）.txt", "情况说明：工资拖欠三个月。\r\n".encode("gb18030"), "text/plain"),
    ],
)
def test_files_of_an_accepted_type_are_stored_with_the_type_of_their_content(
    tree, application, name, content, mime_type
):
    content = {None: docx_bytes, "xlsx": xlsx_bytes}.get(content, lambda: content)()
    upload = SimpleUploadedFile(name, content, content_type="application/x-whatever-the-client-says")
    attachment = services.attachment_add(record=application, actor=tree.applicant_a, upload=upload)
    assert attachment.mime_type == mime_type


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("病历.pdf", EXE),  # an executable renamed .pdf
        ("照片.jpg", b"%PDF-1.4 a pdf named .jpg"),
        ("协议.docx", "zip"),  # a zip that is no Word document
        ("工资表.xlsx", None),  # a Word document named .xlsx
        ("说明.txt", EXE),
        ("说明.txt", b"\x00\x01\x02binary"),
        ("合同.pdf", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_a_file_whose_content_is_not_its_type_is_refused_and_nothing_is_stored(
    tree, application, name, content, settings
):
    content = {None: docx_bytes, "zip": plain_zip}.get(content, lambda: content)()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(WorkflowError) as exc:
        services.attachment_add(record=application, actor=tree.applicant_a, upload=upload)
    assert "内容不是" in exc.value.message
    assert not Attachment.objects.exists()
    assert not (settings.MEDIA_ROOT / "attachments").exists()


class CountingInput(io.BytesIO):
    """The request body as the server reads it, counting what was read."""

    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


def post_multipart(client, url, files, *, content_length=None):
    """POST a multipart body through the whole stack, with a wsgi.input that counts the bytes read."""
    body = encode_multipart(BOUNDARY, files)
    stream = CountingInput(body)
    environ = {
        "wsgi.input": stream,
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(content_length or len(body)),
    }
    response = client.generic("POST", url, b"", **environ)
    return response, stream.bytes_read, len(body)


@pytest.fixture
def small_limit(settings):
    settings.UNIONFLOW = {**settings.UNIONFLOW, "ATTACHMENT_MAX_BYTES": 256 * 1024}
    return 256 * 1024


@pytest.fixture
def roomy_form(monkeypatch):
    """Let the Content-Length through, so that the upload handler is what stops the file."""
    monkeypatch.setattr("workflows.uploads.FORM_OVERHEAD", 8 * 1024 * 1024)


def test_a_file_over_the_limit_stops_the_stream_and_the_page_says_why(
    client, tree, application, small_limit, roomy_form
):
    client.force_login(tree.applicant_a)
    big = SimpleUploadedFile("扫描件.pdf", b"%PDF-1.4\n" + b"x" * (2 * 1024 * 1024))
    url = reverse("membership_action", args=[application.pk, "attach"])
    response, read, total = post_multipart(client, url, {"file": big})
    assert response.status_code == 413
    page = response.content.decode()
    assert "扫描件.pdf" in page and "0.25MB" in page and "返回上一页" in page
    assert read < small_limit + 256 * 1024 < total  # stopped within a chunk or two of the limit
    assert not Attachment.objects.exists()


def test_a_file_just_over_the_limit_is_refused_within_an_honest_content_length(client, tree, application, small_limit):
    client.force_login(tree.applicant_a)
    big = SimpleUploadedFile("扫描件.pdf", b"%PDF-1.4\n" + b"x" * small_limit)
    response, _read, _total = post_multipart(
        client, reverse("membership_action", args=[application.pk, "attach"]), {"file": big}
    )
    assert response.status_code == 413 and "扫描件.pdf" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_200_mb_body_is_refused_by_its_length_without_reading_it(client, tree, application):
    client.force_login(tree.applicant_a)
    url = reverse("membership_action", args=[application.pk, "attach"])
    response, read, _total = post_multipart(
        client, url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")}, content_length=200 * 1024 * 1024
    )
    assert response.status_code == 413 and "提交的内容过大" in response.content.decode()
    assert read == 0


def test_the_api_answers_413_in_its_shape_for_a_file_over_the_limit(client, tree, small_limit, roomy_form):
    client.force_login(tree.applicant_a)
    big = SimpleUploadedFile("扫描件.pdf", b"%PDF-1.4\n" + b"x" * (2 * 1024 * 1024))
    response, read, total = post_multipart(client, "/api/v1/membership-applications/", {"statement": "x", "file": big})
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large" and "扫描件.pdf" in body["message"] and body["fields"] == {}
    assert read < total


def test_a_file_within_the_limit_goes_through_the_page(client, tree, application, small_limit):
    client.force_login(tree.applicant_a)
    ok = SimpleUploadedFile("扫描件.pdf", b"%PDF-1.4\n" + b"x" * (small_limit - 100))
    response = client.post(reverse("membership_action", args=[application.pk, "attach"]), {"file": ok}, follow=True)
    assert "附件已上传" in response.content.decode()
    assert Attachment.objects.get().size == small_limit - 100 + 9


def test_a_case_page_upload_with_a_renamed_executable_shows_the_reason(client, tree, application):
    client.force_login(tree.applicant_a)
    response = client.post(
        reverse("membership_action", args=[application.pk, "attach"]),
        {"file": SimpleUploadedFile("病历.pdf", EXE)},
        follow=True,
    )
    assert "内容不是PDF文件" in response.content.decode()
    assert not Attachment.objects.exists()
