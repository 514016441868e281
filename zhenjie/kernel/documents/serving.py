"""The one way a document's PDF leaves the server, for the staff page and the API alike."""

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from .. import attachments
from ..models import Document


def pdf_response(document: Document) -> FileResponse:
    """The stored PDF, shown in the browser's viewer, named after the document.

    Only for a document fetched through documents_for(user). Nothing is cached outside the
    user's browser session (no-store): a notice may carry personal data."""
    blob = document.attachment.blob
    response = FileResponse(
        attachments.open_blob(blob), content_type="application/pdf", as_attachment=False, filename=document.attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(blob.size)
    return response


def preview_response(content: bytes, filename: str) -> HttpResponse:
    """A sample PDF made on request (a template preview); never stored."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
