"""The one way a file leaves the server: attachments, photos, documents, exports, import reports,
for pages and the API alike (PAGES.md: file serving). One set of headers:

- the content type given (a stored blob's was checked at upload: kernel/attachments.py);
- `X-Content-Type-Options: nosniff`, so a browser never runs an upload as something else;
- `Content-Disposition` with the name (RFC 5987 `filename*=utf-8''…` for a Chinese name), inline
  only for images and PDFs — anything else downloads;
- `Cache-Control: private` — never a shared cache; `no-store` unless the caller says it may be kept
  a while (`max_age`, photos): documents and exports can carry personal data."""

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from . import attachments

SHOWN_INLINE = ("image/", "application/pdf")


def file_response(content, *, filename: str, content_type: str, inline: bool = False, max_age: int = 0, size: int | None = None) -> HttpResponse:
    """`content` is bytes or an open binary file (streamed, then closed)."""
    if isinstance(content, (bytes, bytearray)):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
        if size is not None:
            response["Content-Length"] = str(size)
    inline = inline and content_type.startswith(SHOWN_INLINE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"private, max-age={max_age}" if max_age else "private, no-store"
    return response


def attachment_response(attachment) -> HttpResponse:
    """A stored attachment fetched through a scoped query: a photo shows (and is kept an hour by the
    browser, as pages show it often), anything else downloads."""
    blob = attachment.blob
    inline = blob.content_type.startswith("image/")
    return file_response(attachments.open_blob(blob), filename=attachment.name, content_type=blob.content_type, inline=inline, max_age=3600, size=blob.size)
