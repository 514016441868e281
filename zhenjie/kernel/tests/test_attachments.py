import io

import pytest
from django.db import transaction
from PIL import Image

from zhenjie.kernel import attachments
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import Attachment, Blob

pytestmark = pytest.mark.django_db


def png_bytes(color="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_photo_is_kept_once_by_its_sha256(world):
    content = png_bytes()
    with transaction.atomic():
        first = attachments.store(content, "现场.png", "photo", case=None, actor=world.grid_worker_a)
        second = attachments.store(content, "../../etc/再传一次.png", "photo", case=None, actor=world.grid_worker_a)
    assert Blob.objects.count() == 1 and Attachment.objects.count() == 2
    assert first.blob.content_type == "image/png" and second.name == "再传一次.png"
    with attachments.open_blob(first.blob) as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    "content, name, code",
    [
        (b"", "a.png", "file.empty"),
        (b"MZ\x90\x00 not an image", "photo.jpg", "file.type_not_allowed"),
        (b"\x89PNG\r\n\x1a\n" + b"broken", "photo.png", "file.broken_image"),
        (b"%PDF-1.7 ...", "scan.pdf", "file.type_not_allowed"),  # a PDF is not a photo
    ],
)
def test_files_that_are_not_what_the_purpose_needs_are_refused(world, content, name, code):
    with pytest.raises(Rejected) as error, transaction.atomic():
        attachments.store(content, name, "photo", case=None, actor=None)
    assert error.value.code == code and error.value.field == "file"
    assert not Blob.objects.exists()


def test_a_file_over_the_limit_is_refused_with_its_size(world, settings):
    settings.ATTACHMENT_MAX_BYTES = {"photo": 1024}
    with pytest.raises(Rejected) as error, transaction.atomic():
        attachments.store(png_bytes() + b"\x00" * 2048, "big.png", "photo", case=None, actor=None)
    assert error.value.code == "file.too_large" and "上限为" in error.value.message


def test_evidence_accepts_documents(world):
    with transaction.atomic():
        stored = attachments.store(b"%PDF-1.7\n...", "笔录.pdf", "evidence", case=None, actor=None)
    assert stored.blob.content_type == "application/pdf"
