"""Uploads: the size is enforced while the body streams in, the type is decided by the content.

A client's file name and Content-Type are its own claims: an ``.exe`` renamed ``.pdf`` carried
"application/pdf" too.  A file is accepted when its first bytes (for Office files, the parts inside
the zip) are those of a type the union accepts, and that type matches the name's extension.
"""

import zipfile

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext_lazy as _

FILE_TOO_LARGE = _("文件“%(name)s”超过%(limit)sMB的上限，未上传。请压缩或拆分后再试。")
BODY_TOO_LARGE = _("提交的内容过大（上限%(limit)sMB），未被接收。")
TEXT_SAMPLE = 64 * 1024
FORM_OVERHEAD = 64 * 1024  # the form's other fields and the multipart boundaries around one file

# Each accepted extension and the type its content must be.
EXTENSION_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "txt": "text/plain",
}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file container of .doc and .xls
SIGNATURES = [
    (b"%PDF-", ("application/pdf",)),
    (b"\x89PNG\r\n\x1a\n", ("image/png",)),
    (b"\xff\xd8\xff", ("image/jpeg",)),
    (OLE2, ("application/msword", "application/vnd.ms-excel")),
]
OOXML_PARTS = {
    "word/document.xml": EXTENSION_TYPES["docx"],
    "xl/workbook.xml": EXTENSION_TYPES["xlsx"],
}


class UploadTooLarge(Exception):
    """A file passed the size limit while streaming in; nothing of it was kept."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def max_bytes():
    return settings.UNIONFLOW["ATTACHMENT_MAX_BYTES"]


def megabytes(size):
    return f"{size / 1048576:g}"


def body_limit(request):
    """The most bytes a request body may have: one file and its form, or what Django keeps in memory."""
    if request.content_type == "multipart/form-data":
        return max_bytes() + FORM_OVERHEAD
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class SizeLimitedUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive and stops at the first chunk past the limit, before
    the chunk is handed to the handlers that keep it: a 200 MB file is neither read whole nor
    written anywhere."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > max_bytes():
            raise UploadTooLarge(FILE_TOO_LARGE % {"name": self.file_name, "limit": megabytes(max_bytes())})
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file


def content_types(upload):
    """The types the upload's content is, from its bytes (empty when it is none the union accepts)."""
    upload.seek(0)
    head = upload.read(TEXT_SAMPLE)
    upload.seek(0)
    for signature, types in SIGNATURES:
        if head.startswith(signature):
            return types
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return ()
        finally:
            upload.seek(0)
        return tuple(kind for part, kind in OOXML_PARTS.items() if part in names and "[Content_Types].xml" in names)
    if _is_text(head):
        return ("text/plain",)
    return ()


def _is_text(head):
    """Plain text in UTF-8 or GB 18030 (what Chinese Windows saves), with no control bytes but
    tab, line breaks and form feed; a sample cut inside a character still counts."""
    if not head or any(byte < 32 and byte not in (9, 10, 12, 13) for byte in head):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4 and len(head) == TEXT_SAMPLE:
                return True
    return False
