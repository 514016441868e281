"""Files attached to cases, stored once by SHA-256 (evidence must be provably unchanged).

What a file *is* is read from its first bytes, not from its name or the browser's say-so; an
image must also open as one, and its pixel count (read from the header) is checked before any
pixel is decoded. Sizes and kinds allowed per purpose are below; a deployment may lower
ATTACHMENT_MAX_BYTES and IMAGE_MAX_PIXELS in settings. Every upload — the public report page, the
API, the staff forms, the grid's registers and the video webhook — comes through check_file()."""

import hashlib
import io
import warnings
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from . import opened
from .errors import Rejected
from .models import Attachment, Blob, Case
from .prepared import Prepared

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
DOCUMENT_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
VIDEO_TYPES = {"video/mp4"}
ALLOWED = {
    "archive": {"application/zip"},  # archive packages the system builds (kernel/archive.py), never uploads
    "photo": IMAGE_TYPES,
    "evidence": IMAGE_TYPES | DOCUMENT_TYPES | VIDEO_TYPES,
    "document": DOCUMENT_TYPES | IMAGE_TYPES,
    # An applicant's papers scanned or photographed at the window (window/WINDOW.md).
    "material": IMAGE_TYPES | {"application/pdf"},
}
# A phone photo is 12-50 megapixels; a 24 KB PNG declaring 20000×10000 (200 MP) would take 600 MB
# to decode (decompression bomb, ASVS 5.0 5.2.x, 等保 8.1.4.4). A technical limit: a setting.
DEFAULT_IMAGE_MAX_PIXELS = 60_000_000
# An archive package holds every file of a case: up to 2 GB (kernel/archive.py).
DEFAULT_MAX_BYTES = {"archive": 2 * 1024 * 1024 * 1024, "photo": 10 * 1024 * 1024, "evidence": 50 * 1024 * 1024, "document": 20 * 1024 * 1024,
                     "material": 20 * 1024 * 1024}
TYPE_LABELS = {"archive": "ZIP归档包", "photo": "图片(JPG、PNG、WebP、GIF)", "evidence": "图片、PDF、Word、Excel或MP4视频", "document": "PDF、Word、Excel或图片",
               "material": "PDF或图片(JPG、PNG、WebP、GIF)"}


def sniff_content_type(head: bytes, name: str) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"PK\x03\x04"):
        suffix = PurePosixPath(name.lower()).suffix
        return {
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".zip": "application/zip",
        }.get(suffix)
    return None


def max_bytes(purpose: str) -> int:
    configured = getattr(settings, "ATTACHMENT_MAX_BYTES", {})
    return configured.get(purpose, DEFAULT_MAX_BYTES[purpose])


def max_pixels() -> int:
    return getattr(settings, "IMAGE_MAX_PIXELS", DEFAULT_IMAGE_MAX_PIXELS)


def check_image(content: bytes, field: str = "file") -> None:
    """Rejected unless `content` is a whole image of at most max_pixels(). The size comes from the
    header (Image.open decodes nothing); only then does verify() read the data."""
    limit = max_pixels()
    too_large = Rejected("file.image_too_large", f"图片像素过多，上限为{limit // 1_000_000}百万像素，请压缩后重新上传", field=field)
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard warns (or, at twice its limit, raises) on open; ours decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
                if width * height > limit:
                    raise too_large
                image.verify()
    except Image.DecompressionBombError:
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise Rejected("file.broken_image", "图片已损坏或无法识别，请重新拍摄或选择", field=field) from None


def check_file(content: bytes, name: str, purpose: str, field: str = "file") -> str:
    """The content type of an acceptable file, or Rejected with the reason in Chinese."""
    if purpose not in ALLOWED:
        raise ValueError(f"unknown attachment purpose {purpose!r}")
    if not content:
        raise Rejected("file.empty", "文件为空，请重新选择", field=field)
    limit = max_bytes(purpose)
    if len(content) > limit:
        raise Rejected(
            "file.too_large", f"文件过大：{len(content) / 1048576:.1f} MB，上限为 {limit // 1048576} MB", field=field
        )
    content_type = sniff_content_type(content[:16], name)
    if content_type not in ALLOWED[purpose]:
        raise Rejected("file.type_not_allowed", f"文件类型不支持，请上传{TYPE_LABELS[purpose]}", field=field)
    if content_type in IMAGE_TYPES:
        check_image(content, field)
    return content_type


def read_upload(upload, purpose: str, field: str = "file", default_name: str = "file") -> tuple[bytes, str] | None:
    """An uploaded file's (content, name) for store(), its size checked against the purpose's
    limit before its bytes are read: Django spools large uploads to disk, and nothing should read
    a gigabyte into memory only to refuse it. None when nothing was uploaded."""
    if upload is None:
        return None
    limit = max_bytes(purpose)
    if upload.size > limit:
        raise Rejected("file.too_large", f"文件过大：{upload.size / 1048576:.1f} MB，上限为 {limit // 1048576} MB", field=field)
    return upload.read(), upload.name or default_name


def blob_path(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256}"


def store(content: bytes, name: str, purpose: str, *, case: Case | None, actor, field: str = "file") -> Attachment:
    """Check and keep a file; the file is written before the row, and the same content is kept once."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("attachments.store() must run inside the caller's transaction")
    content_type = check_file(content, name, purpose, field)
    sha256 = hashlib.sha256(content).hexdigest()
    path = blob_path(sha256)
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(content))
    blob, _ = Blob.objects.get_or_create(sha256=sha256, defaults={"size": len(content), "content_type": content_type})
    clean_name = PurePosixPath(name.replace("\\", "/")).name[:200] or "file"
    attachment = Attachment.objects.create(blob=blob, case=case, name=clean_name, purpose=purpose, uploaded_by=actor)
    opened.note(case, "attachments", attachment)
    return attachment


def open_blob(blob: Blob):
    return default_storage.open(blob_path(blob.sha256), "rb")


def _photos(case_id: int):
    return Attachment.objects.filter(case_id=case_id, purpose="photo").select_related("blob").order_by("uploaded_at", "pk")


_PHOTOS = Prepared(_photos, case_id=int)  # every page and answer of a case shows them (kernel.prepared)


def photos_of(case: Case) -> list[Attachment]:
    """A case's photos, oldest first, with their files' rows."""
    return _PHOTOS(case_id=case.pk)
