"""Uploaded photos, read for kernel.attachments. The size is checked before the bytes are read:
Django spools large uploads to disk, and a phone must not be able to make the server read a
gigabyte into memory only to refuse it."""

from zhenjie.kernel import attachments
from zhenjie.kernel.errors import Rejected


def read_photo(upload, field: str = "photo") -> tuple[bytes, str] | None:
    if upload is None:
        return None
    limit = attachments.max_bytes("photo")
    if upload.size > limit:
        raise Rejected("file.too_large", f"文件过大：{upload.size / 1048576:.1f} MB，上限为 {limit // 1048576} MB", field=field)
    return upload.read(), upload.name or "photo.jpg"
