"""Uploaded photos, read for kernel.attachments. The size is checked before the bytes are read:
Django spools large uploads to disk, and a phone must not be able to make the server read a
gigabyte into memory only to refuse it."""

from zhenjie.kernel import attachments


def read_photo(upload, field: str = "photo") -> tuple[bytes, str] | None:
    return attachments.read_upload(upload, "photo", field, default_name="photo.jpg")
